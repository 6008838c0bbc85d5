/* What a run of an experiment will do before it starts, and how far it is while it runs: per
 * cell, whether its result is already in the results directory (done), can be copied from
 * another experiment's results with the same id (reused: same identity, code hashes
 * included), or must train, and how long training takes judging by the reference's recorded
 * timings (a reference cell at the same matrix position, else the mean of the reference's
 * cells of that network, bit-width and profile), or where the reference has none, by a step
 * timed here (estimate.h). */
#ifndef QB_PLAN_H
#define QB_PLAN_H

#include <stdio.h>
#include <time.h>

#include "cell.h"

typedef enum { PLAN_DONE, PLAN_REUSE, PLAN_TRAIN } PlanAction;

typedef struct {
    PlanAction action;
    char from[512];      /* PLAN_REUSE: the result copied; PLAN_DONE: the result */
    double seconds;      /* estimated training wall time, < 0 when nothing was recorded */
    int timed_here;      /* the estimate is a step timed here (estimate.h), not a recording */
    time_t mtime;        /* PLAN_DONE: when the result was written */
} PlanCell;

typedef struct {
    PlanCell *cells;     /* one per CellList cell, same order (owned) */
    int n;
    char reference_cpu[128];   /* the CPU the estimates were recorded on, "" when none */
    char timed_note[512];      /* how the estimates timed here were made */
    int npretrain;             /* starting checkpoints to train before the cells */
    double pretrain_seconds;   /* ... and their estimated time, timed here */
} Plan;

/* Classifies every cell against results/<experiment>/ and the reference directory (which
 * may be absent: then nothing is estimated). A cell without an id (cells_enumerate: its
 * inputs are not there yet) is to train. */
int plan_make(const Experiment *e, const CellList *cells, const char *results,
              const char *reference, Plan *out, QbErr *err);
void plan_free(Plan *p);

/* A finished ("ok") result of the same cell id in another experiment's directory under
 * results, into path (cap bytes); 1 when found, 0 when not. */
int plan_reusable(const char *results, const char *exp_name, const char *id, char *path,
                  size_t cap);

/* The summary (and with verbose one line per cell): counts and the estimated time with
 * `jobs` cells in parallel. */
void plan_print(FILE *f, const Experiment *e, const CellList *cells, const Plan *p, int jobs,
                int verbose);
/* One progress line for a run that started at `started`: cells done (this run), left, time
 * elapsed and the estimated time to go, scaled by how fast this run's cells went against
 * their estimates. */
void plan_progress(FILE *f, const Experiment *e, const Plan *p, time_t started, time_t now);

#endif
