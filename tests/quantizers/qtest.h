/* Test rig for one quantizer: a net of a single conv2d or linear layer carrying it, so the
 * quantizer is planned and bound exactly as in training, then driven directly. */
#ifndef QB_QTEST_H
#define QB_QTEST_H

#include "core/layers/layers.h"
#include "quantizers/registry.h"

typedef struct {
    Net net;
    Quantizer *wq, *aq;
} QRig;

/* quantizer_new that must succeed. */
Quantizer *qrig_new(const char *method, QuantRole role, int bits, int is_signed,
                    const QuantOption *opts, int nopts);
/* A conv (k x k, cout outputs, pad k/2) over input `in`, or a linear layer when k == 0,
 * carrying wq and aq (either NULL), allocated for `batch`; params zero, flags unset. */
void qrig_build(QRig *r, Dims in, int cout, int k, int batch, Quantizer *wq, Quantizer *aq);
/* qrig_build over `in` (a linear layer, cout outputs, batch 1) carrying method's weight and
 * activation quantizers at `bits` with default options. */
void qrig_pair(QRig *r, const char *method, int bits, Dims in, int cout);
/* The parameter "<layer>.<tag>.<name>" (tag "wq" or "aq"); asserts it exists. */
Param *qrig_param(QRig *r, const char *tag, const char *name);
/* Marks the quantizer initialised, so a forward keeps hand-set parameters. */
void qrig_skip_init(Quantizer *q);
void qrig_free(QRig *r);

/* Asserts that method's normalised levels at `bits` for `role` are exactly want[0..n). */
void qrig_expect_levels(const char *method, QuantRole role, int bits, const QuantOption *opts,
                        int nopts, const double *want, int n);

/* Asserts that quantizer_new refuses method at bits for role with opts, with a message
 * containing want. */
void qrig_expect_refused(const char *method, QuantRole role, int bits, const QuantOption *opts,
                         int nopts, const char *want);

/* dx = Q'(x)·dy with every parameter gradient zeroed first. */
void qrig_backward(QRig *r, Quantizer *q, const Tensor *x, const Tensor *dy, Tensor *dx);

#endif
