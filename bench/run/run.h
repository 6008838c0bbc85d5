/* One training run: data, net, quantizers, optimizer, the epoch loop with evaluation,
 * an atomic checkpoint every epoch, resume, and the run's metrics. Printing is limited to
 * the progress callback the caller passes. */
#ifndef QB_RUN_H
#define QB_RUN_H

#include <signal.h>

#include "core/data/dataset.h"
#include "core/json.h"
#include "curve.h"
#include "runcfg.h"

typedef struct {
    int epoch;            /* 0-based */
    float lr;             /* at the epoch's first step */
    double train_loss, train_top1;
    double test_loss, test_top1, test_top5;
    double seconds;       /* training time of the epoch */
    double images_per_s;
} EpochRecord;

typedef enum { RUN_OK, RUN_DIVERGED, RUN_INTERRUPTED } RunStatus;

typedef struct {
    RunStatus status;
    char reason[256];     /* why it diverged or stopped */
    EpochRecord *epochs;  /* owned; n_epochs entries */
    int n_epochs;
    double wall_seconds;  /* this invocation's wall time (resumed runs add up in epochs) */
    /* cost of the trained model (bench/core/cost.h totals) */
    double params, macs, bitops, size_bytes, quant_params;
    char blas_core[32];
    int threads;
    TrainCurve curve;     /* the run's training curve; total_steps 0 when not recorded (a
                             resume from a checkpoint written without one) */
} RunResult;

/* Progress: called after every step (bar) and with index == batches at the end of an
 * epoch with its record (log line). */
typedef void (*RunProgress)(void *user, const RunConfig *cfg, int epoch, int index, int batches,
                            double loss, double top1, double seconds, const EpochRecord *done);

int run_execute(const RunConfig *cfg, RunResult *res, RunProgress progress, void *user,
                volatile sig_atomic_t *stop, QbErr *err);
void run_result_free(RunResult *res);
/* The index into res->epochs of the best test top-1 (the first of equal ones), -1 without
 * epochs. Derived from the epoch list on every call rather than kept beside it, so that a
 * result rebuilt from a checkpoint's history (a resumed finished run) cannot name another
 * epoch than the run that trained them. */
int run_best_epoch(const RunResult *res);
/* The run's network with its quantizers attached (not allocated): what run_execute trains,
 * for validation and cost accounting without training. The caller frees it (net_free). */
int run_net_build(const RunConfig *c, Dims input, int classes, Net *net, QbErr *err);
/* The network of c for a test set of `input` samples and `classes` classes, built (net_init
 * first, so the caller's net_free is safe whatever fails), allocated at c's batch and threads
 * and loaded with ckpt's tensors: what eval and intrun run. A build failure is located as
 * "CKPT: FROM: ", FROM saying where c came from. */
int run_net_restore(const RunConfig *c, Dims input, int classes, const char *ckpt,
                    const char *from, Net *net, QbErr *err);
/* The configuration's quantization settings as scheme_apply takes them (pointing into c),
 * its bits argument being c->wbits. */
SchemeOptions run_scheme_options(const RunConfig *c);
const char *run_status_name(RunStatus s);
/* One split of the configuration's data set, opened as the run opens it (its directory,
 * sample shape and classes). */
int run_dataset_open(const RunConfig *c, DataSplit split, Dataset *d, QbErr *err);

#endif
