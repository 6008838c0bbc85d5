/* What an experiment's profile needs before its cells can be expanded, since their ids hash
 * the data and the starting checkpoints: the data set's files, and each network's starting
 * checkpoint (train.from). Every missing one is listed at once with where it goes, what it
 * holds and how to point elsewhere. A missing checkpoint is trained first, full precision,
 * when a pretraining recipe matches its name: the recipe "cifar10" for any
 * <...>-cifar10.ckpt, and "resnet20-cifar10" for resnet20-cifar10.ckpt on top of it (make
 * passes its PRETRAIN_<name> variables as `--pretrain NAME=FLAGS`, `qbench train` flags).
 * The network, width, shortcut, input, classes and data come from the cells that start
 * from it, so the checkpoint always fits them; `--set` train fields apply too. */
#ifndef QB_NEEDS_H
#define QB_NEEDS_H

#include <stdio.h>

#include "core/data/dataset.h"
#include "experiment.h"

typedef struct {
    char name[64];             /* "cifar10" or "resnet20-cifar10" */
    const char *flags;         /* `qbench train` flags (not owned) */
} PretrainRecipe;

typedef struct {
    char path[RUN_PATH_MAX];
    char net[32];
    int present;
    int makeable;              /* missing, and a recipe matched: trained by the fragment */
    RunConfig pretrain;        /* makeable: the full-precision run that makes it */
    char recipes[160];         /* makeable: the make variables its flags came from */
} NeedCheckpoint;

typedef struct {
    char data[16];             /* the format */
    const char *dir_source;    /* where the directory came from ("train.data_dir", ...) */
    DataFiles files;
    int data_missing;          /* how many of its files are missing */
    NeedCheckpoint *ckpts;     /* one per starting checkpoint (owned) */
    int nckpts, cap_ckpts;
} Needs;

/* Looks at every input of e (data files, starting checkpoints) and matches each missing
 * checkpoint against the recipes. Errors: a recipe whose flags do not parse (naming its
 * variable), and --set train fields that would change how the profile's own starting
 * checkpoint is trained (it must then come from a train.from of the run's own). On success
 * and failure alike out owns its list afterwards: free it with needs_free. */
int needs_find(const Experiment *e, const PretrainRecipe *recipes, int nrecipes, Needs *out,
               QbErr *err);
void needs_free(Needs *n);
/* Inputs missing: data files, plus checkpoints. */
int needs_missing(const Needs *n);
/* Inputs missing that no make rule can produce: every missing data file, and each missing
 * checkpoint without a recipe or whose data is missing. */
int needs_blocking(const Needs *n);
/* The listing: for each missing input where it goes, what it holds and how to get it or
 * point elsewhere. Prints nothing when nothing is missing. */
void needs_print(FILE *f, const Experiment *e, const Needs *n);
/* Into a makefile fragment (runfrag.h): the phony target `needs`, which trains every makeable
 * checkpoint, one rule each through $(CELL_RUNNER) (a local run, or a Slurm job). The
 * fragment sets QBENCH, CELL_RUNNER and PRETRAIN_THREADS. */
int needs_rules(FILE *f, const Experiment *e, const Needs *n, QbErr *err);

#endif
