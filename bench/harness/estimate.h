/* The training time of a run the reference has no recorded timing for (a paper-scale
 * profile), estimated here: one image's training and eval step of its network and scheme at
 * its input size, timed now on this machine (perf/steptime.h, 1 thread, as make runs a cell),
 * times the images of its epochs (its training subset or the data set's training split, and
 * the test split after every epoch; the data set's usual size when it is not there yet). Each network and scheme is timed once (an ImageNet network:
 * a few seconds of CPU). */
#ifndef QB_ESTIMATE_H
#define QB_ESTIMATE_H

#include "core/data/dataset.h"
#include "perf/steptime.h"
#include "plan.h"

typedef struct EstimateStep EstimateStep;

typedef struct {
    const Experiment *e;
    DataFiles files;       /* the experiment's data set: its usual size and sample shape */
    int train_count, test_count; /* its size: counted when there, else the usual one */
    int counted;           /* 1: counted; -1: the usual size (the data is not there) */
    EstimateStep *steps;   /* timed so far (owned) */
    int n;
    int batch_min, batch_max;
} Estimator;

int estimator_init(Estimator *s, const Experiment *e, QbErr *err);
void estimator_free(Estimator *s);
/* Seconds to train cfg (its epochs) here. The run's input, classes and data set size as its
 * cell knows them, 0 where it does not (before its inputs are there): then the data set's,
 * read once, or its usual ones when it is not there. */
int estimate_run(Estimator *s, const RunConfig *cfg, const Cell *known, double *seconds,
                 QbErr *err);
/* Every cell of p still to train without an estimate gets one (PlanCell.timed_here), and
 * p->timed_note says how they were made. */
int estimate_cells(Estimator *s, const CellList *cells, Plan *p, QbErr *err);
/* "2 steps timed here now (...)": how estimate_run's numbers were made. */
void estimator_note(const Estimator *s, char *out, size_t cap);

#endif
