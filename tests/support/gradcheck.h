/* Finite-difference checks for tests: a net's analytic gradients (input and parameters)
 * against central differences of loss = sum(r * y) for a fixed random r, accumulated in
 * double. Points whose two probes straddle a kink are detected and skipped. */
#ifndef QB_GRADCHECK_H
#define QB_GRADCHECK_H

#include <stddef.h>
#include <stdint.h>

#include "core/net.h"

typedef struct {
    double max_err;   /* worst |analytic - numeric| / (atol + rtol*max(|a|,|n|)); pass <= 1 */
    int checked;      /* number of entries compared */
    char worst[256];  /* which entry was worst */
} GradReport;

/* net must be allocated with want_input_grad = 1 and have its input filled. Checks at most
 * `max_per_tensor` entries of the input and of each parameter (chosen deterministically).
 * eps: probe step; atol, rtol: tolerance scale. */
GradReport gradcheck_net(Net *net, uint64_t seed, float eps, double atol, double rtol,
                         int max_per_tensor);

/* Fills a tensor with N(0, scale^2) draws from the stream "test". */
void fill_normal(float *x, size_t n, uint64_t seed, float scale);

#endif
