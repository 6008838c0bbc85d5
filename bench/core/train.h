/* The training and evaluation loops over any batch source: one epoch of SGD steps
 * (forward, cross-entropy, backward, optimizer step) and a full evaluation pass. Knows no
 * data format and no quantization method. */
#ifndef QB_TRAIN_H
#define QB_TRAIN_H

#include <signal.h>

#include "data/batch.h"
#include "net.h"
#include "optim/optim.h"
#include "optim/sched.h"

typedef struct {
    double loss;        /* mean over the epoch's samples */
    double top1, top5;  /* percent */
    long samples;
    double seconds;
    int diverged;       /* a non-finite loss was seen: the epoch stopped there */
} EpochStats;

/* Called after every step with the running stats (for progress bars) and the step's own
 * batch (its mean loss and top-1/top-5 percent: a training curve); may be NULL. */
typedef void (*StepHook)(void *user, int epoch, int index, int batches, const EpochStats *sofar,
                         const EpochStats *batch);

typedef struct {
    Net *net;
    Optimizer *opt;
    const Schedule *sched;
    float label_smoothing;
    int *labels;        /* scratch, net->batch entries; owned by the caller */
    StepHook hook;
    void *hook_user;
    volatile sig_atomic_t *stop; /* set by a signal handler: finish the step, then return */
} Trainer;

/* Runs batches [first, src->batches) of `epoch`; stats accumulate into *st (zero it for
 * a fresh epoch). Returns 0, 1 when *stop was raised (st holds the partial epoch), or -1. */
int train_epoch(Trainer *t, const BatchSource *src, int epoch, int first, EpochStats *st,
                QbErr *err);
/* Calibration before training (quantizer.h's calibrate): while some quantizer with that hook
 * is not initialised, an evaluation-mode forward of the full-precision network over the next
 * training batch of the first epoch (0, 1, ...). Leaves the network's parameters and BN
 * statistics as they were. Returns 0 (at once when nothing is pending, as on a resume), or
 * -1 with err when the source has too few batches. */
int train_calibrate(Net *net, const BatchSource *src, int *labels, QbErr *err);
/* Evaluation mode (running BN statistics), every batch of the source. */
int evaluate(Net *net, const BatchSource *src, int *labels, EpochStats *st, QbErr *err);
/* Receives each evaluated batch's output (its first n rows are the batch's samples). */
typedef void (*EvalSink)(void *user, const Tensor *out, int n);
/* evaluate, handing every batch's output to sink (NULL: none) in order. */
int evaluate_to(Net *net, const BatchSource *src, int *labels, EpochStats *st, EvalSink sink,
                void *sink_user, QbErr *err);

#endif
