/* Synthetic training curves for the convergence tests: a loss going linearly from `start`
 * to `end` over the run's steps, with deterministic per-batch noise. */
#ifndef QB_TEST_CURVEFIX_H
#define QB_TEST_CURVEFIX_H

#include "run/curve.h"

/* A complete curve of `steps` steps: batch t's loss is start + (end − start) t / steps plus
 * a noise uniform in [−noise, +noise] (a fixed hash of t), its top-1 100 − 100 × loss. */
void curvefix_fill(TrainCurve *c, int64_t steps, double start, double end, double noise);

#endif
