/* Running one cell of an experiment into its result file, results/<experiment>/<id>.json
 * (what `qbench run-cell` does for each make target): a cell whose result is there is done;
 * a chained cell first gets its chain's bookkeeping (chainrun.h) and, when its parent failed,
 * a result that records why it did not run; a finished result of the same cell id in another
 * experiment's directory is copied instead of training again; otherwise the cell trains,
 * resuming from its checkpoint, and its result (ok or diverged) is written. An interruption
 * or an error of the environment writes no result, so the next invocation retries. */
#ifndef QB_CELLRUN_H
#define QB_CELLRUN_H

#include <signal.h>
#include <stdio.h>

#include "cell.h"

typedef struct {
    const char *results;   /* the results root: results/<experiment>/<id>.json under it */
    int threads;           /* 0: the cell's own configuration's */
    int prepare_only;      /* a chained cell's bookkeeping, no training (a runner's first step) */
    volatile sig_atomic_t *stop; /* raised (by a signal handler): stop at the next step */
    FILE *out;             /* one line per outcome: done, copied, blocked, trained */
    FILE *log;             /* one line per trained epoch */
} CellRunOptions;

/* Runs `cell` of `cells` (expanded from e). 0 when the cell is done, copied, blocked (its
 * result says why) or trained (ok or diverged); -1 with err when it could not run, was
 * interrupted (err names the checkpoint that resumes it), or waits for its parent. */
int cellrun_one(const Experiment *e, const CellList *cells, const Cell *cell,
                const CellRunOptions *o, QbErr *err);

#endif
