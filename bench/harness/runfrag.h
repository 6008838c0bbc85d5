/* The makefile fragment of one run of an experiment through make (`make reproduce-TABLE`
 * writes it with `qbench rules`, then runs one of its goals):
 *   plan   what the run would do (qbench plan: missing inputs, the cells, the estimate), and
 *          that nothing was run (make PLAN=1)
 *   run    the run. With every input here: the plan's summary, then `show`. With inputs
 *          missing: `qbench needs` lists them (and stops there when one cannot be made),
 *          `needs` trains the starting checkpoints, `qbench rules` writes the fragment again,
 *          now with the cells' ids (which hash the inputs), and make runs its `run`
 *   needs  the missing starting checkpoints (needs.h)
 *   cells, table  the result files and the tables (makefrag.h)
 *   show   the table, and the reference's after it when REFERENCE_CHECK is off
 * Its variables are makefrag.h's, and QBENCH_PLAN (the qbench of everything but the cells
 * and the table, which QBENCH runs), REFERENCE, PRETRAIN_THREADS, PLAN_JOBS (the cells make
 * runs at once, for the estimate), RUN_START (when the run started, seconds since the epoch:
 * a progress line after each cell) and REFERENCE_CHECK. */
#ifndef QB_RUNFRAG_H
#define QB_RUNFRAG_H

#include "cell.h"
#include "needs.h"

typedef struct {
    const char *table_base;   /* the tables go to $(RESULTS)/tables/<table_base> */
    const char *pretrain;     /* the --pretrain flags, quoted (runfrag_quote); "" for none */
    const char *rules;        /* the `qbench rules` arguments that write this fragment, quoted */
} RunFragOptions;

/* Writes the fragment to path atomically; cells is NULL while inputs are missing (n says
 * which). */
int runfrag_write(const char *path, const Experiment *e, const Needs *n, const CellList *cells,
                  const RunFragOptions *o, QbErr *err);

/* The words, each after a space, quoted for the shell where needed, with '$' and '#'
 * escaped for make: as they stand in a variable of the fragment (malloc'd). */
char *runfrag_quote(const char *const *words, int n);

#endif
