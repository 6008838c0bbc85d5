/* How long one image takes in a network's training step (forward, backward, SGD update) and
 * in its eval (inference) step on this machine, timed now on random data: what the plan
 * estimates a cell from when no recorded run of its kind exists (a paper-scale profile). */
#ifndef QB_STEPTIME_H
#define QB_STEPTIME_H

#include "core/net.h"

typedef struct {
    double train_s, eval_s; /* seconds per image */
    int batch, threads;     /* as timed */
} StepTime;

/* Times `net` (built with its quantizers, not yet allocated: steptime allocates it) at a
 * batch of about 1 G multiply-accumulates (2 to max_batch images), one untimed step to warm
 * up (and initialise data-dependent quantizer parameters), then one timed, in CPU time: at
 * 1 thread the machine's speed whatever else runs on it (more threads also count their
 * waiting). */
int steptime_measure(Net *net, int max_batch, int threads, StepTime *out, QbErr *err);

#endif
