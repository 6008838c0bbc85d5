/* Pruning a results directory: the files under <results>/<experiment>/ (result, checkpoint,
 * log, lock, Slurm record: every file named <cell-id>.*) of cells that no experiment file
 * produces any more, in any of its profiles and at any budget: what earlier code or settings
 * trained, which no table reads. A result says its profile and budget; a cell without one
 * (interrupted) is judged at 1x and at the budgets its checkpoint's epochs make. What cannot
 * be judged is left alone and said why: a directory no experiment file is named after, a
 * profile whose cells cannot be listed here (its data missing), a cell a runner holds the
 * lock of. The read-only reference is refused. `make prune-results [PRUNE=1]`. */
#ifndef QB_PRUNE_H
#define QB_PRUNE_H

#include <stdio.h>

#include "cell.h"

typedef struct {
    const char *results;       /* the results directory, one directory per experiment */
    const char *reference;     /* the read-only reference: refused as results, never entered */
    const char *experiments;   /* the directory of the experiment files (*.yaml) */
    const char *const *sets;   /* --set settings: cells made under them count as produced too */
    int nsets;
} PruneOptions;

/* One cell's files that no experiment produces. */
typedef struct {
    char *dir;                 /* <results>/<experiment> (owned) */
    char id[CELL_ID_MAX];
    char **names;              /* its files in dir, sorted (owned) */
    int nnames;
    long long bytes;
    char what[160];            /* "result of profile quick at 1x", "no result (...)" */
} PruneCell;

/* Files left alone, and why (owned strings). */
typedef struct {
    char *where;               /* <results>/<experiment>/<cell-id>, or the directory */
    char *why;
} PruneNote;

typedef struct {
    PruneCell *stale;          /* owned */
    int nstale;
    PruneNote *notes;          /* owned */
    int nnotes;
} PruneList;

/* Finds the stale cells under o->results. Fails on a results directory that is (or lies in)
 * the reference, or that cannot be read. */
int prune_find(const PruneOptions *o, PruneList *out, QbErr *err);
/* Deletes the listed cells' files (a cell whose lock a runner took meanwhile is skipped and
 * noted); *deleted counts the files removed. */
int prune_delete(PruneList *l, int *deleted, QbErr *err);
/* The list, the notes and a summary line; `deleted`: the files prune_delete removed, or -1
 * when it did not run. */
void prune_print(FILE *f, const PruneList *l, int deleted);
void prune_free(PruneList *l);

#endif
