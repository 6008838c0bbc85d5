/* QView: one attached quantizer's last input and output seen in its normalised level
 * coordinates (the `levels` op's: weights in [-1, 1], activations in [0, 1]), element by
 * element. The one place in the probe that knows where each method's scale lives (LSQ's and
 * ASQ's step, POT/POST/APoT's alpha, uniform's max, APoT's weight normalisation). */
#ifndef QB_PROBE_QVIEW_H
#define QB_PROBE_QVIEW_H

#include "../core/quantizer.h"
#include "../core/net.h"

typedef struct {
    const Quantizer *q;
    const float *x, *y;   /* last input and output: W and Qw(W), or the layer input and Qa(x) */
    size_t n;             /* elements */
    int ngroups;          /* output channels (weights) or samples (activations) */
    size_t group_len;     /* contiguous elements per group */
    double *scale;        /* per group: input units per normalised unit */
    double *yscale;       /* per group: output units per normalised unit */
    double offset;        /* the input value at normalised 0 (APoT weights: their mean) */
    double *levels;       /* the normalised level set, ascending */
    int nlevels;
} QView;

/* The weight or input quantizer of compute layer L after a forward pass; an error names the
 * layer when it has none, or the method when the probe has no scale rule for it. */
int qview_open(QView *v, Net *net, Layer *L, QuantRole role, QbErr *err);
void qview_close(QView *v);

/* Element i's input and output in normalised units. */
static inline double qview_u(const QView *v, size_t i)
{
    return ((double)v->x[i] - v->offset) / v->scale[i / v->group_len];
}
static inline double qview_yn(const QView *v, size_t i)
{
    return v->y[i] / v->yscale[i / v->group_len];
}
/* Index of the level nearest to a normalised value. */
int qview_level(const QView *v, double u);

#endif
