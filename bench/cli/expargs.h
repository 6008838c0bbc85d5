/* What every harness command reads first: the experiment file and the matrix a run of it
 * covers (profile, --seeds, --budget, --set), one struct and one block of flag specs that
 * each command's table includes, so the flags mean the same everywhere. */
#ifndef QB_EXPARGS_H
#define QB_EXPARGS_H

#include "harness/cell.h"
#include "harness/needs.h"
#include "args.h"

typedef struct {
    char file[256], profile[32];
    ArgList sets;   /* --set SECTION.KEY=VALUE, over the file (make SET=...) */
    int seeds;      /* --seeds N: the matrix's first N seeds (0: all of them) */
    int budget;     /* --budget K: K times the profile's training length (0: 1x) */
} ExpArgs;

#define EXPARGS_PROFILE(T, m)                                                                 \
    {"--profile", ARG_STR, ARG_TEXT(T, m.profile), .value = "P",                             \
     .help = "the profile of the file to use (none: the file as written)"}

#define EXPARGS_FILE(T, m)                                                                    \
    {"FILE", ARG_OPERAND, ARG_TEXT(T, m.file), .help = "the experiment file "                \
     "(experiments/NAME.yaml)", .required = 1},                                              \
    EXPARGS_PROFILE(T, m)

/* The flags that change the matrix (its cells and their ids) beyond the profile. */
#define EXPARGS_MATRIX(T, m)                                                                  \
    {"--seeds", ARG_INT, ARG_AT(T, m.seeds), 1, EXP_SEED_COUNT_MAX, .value = "N",                  \
     .help = "the matrix's first N seeds (more than it lists: the next ones after its last)"}, \
    {"--budget", ARG_INT, ARG_AT(T, m.budget), 1, EXP_BUDGET_MAX, .value = "K",              \
     .help = "every cell trained K times as long (epochs, warm-up and milestones; new cell "  \
             "ids)"},                                                                         \
    {"--set", ARG_LIST, ARG_AT(T, m.sets), .value = "SECTION.KEY=VALUE",                     \
     .help = "a train or quant field over the file (`qbench schema` lists them)"}

/* The file, the profile and the flags that change the matrix. */
#define EXPARGS_SPECS(T, m) EXPARGS_FILE(T, m), EXPARGS_MATRIX(T, m)

/* The file at its profile with --set, --budget and --seeds applied; on failure e holds
 * nothing. */
int expargs_load(const ExpArgs *a, Experiment *e, QbErr *err);

/* What a verb does with its experiment's cells (args: its parsed flags); 0 or an exit code. */
typedef int (*ExpCellsJob)(void *args, Experiment *e, const CellList *cells, QbErr *err);
/* The body of every verb that does one job on an experiment's cells: argv parsed into args by
 * specs, then check (NULL: none; the flags that depend on each other), then the cells of x (the
 * ExpArgs inside args) loaded, job run on them and everything freed. */
int expargs_run(int argc, char **argv, const ArgSpec *specs, void *args, const ExpArgs *x,
                int (*check)(void *args, QbErr *err), ExpCellsJob job, QbErr *err);

/* --pretrain NAME=FLAGS: the recipes of starting checkpoints (make's PRETRAIN_<name>). */
#define EXPARGS_PRETRAIN(T, m)                                                                \
    {"--pretrain", ARG_LIST, ARG_AT(T, m), .value = "NAME=FLAGS",                            \
     .help = "how to train a missing starting checkpoint: `qbench train` flags for a data "   \
             "set or one <net>-<data set>"}

/* The inputs of e's cells (needs.h) with the --pretrain recipes. */
int expargs_needs(const ArgList *pretrain, const Experiment *e, Needs *n, QbErr *err);

#endif
