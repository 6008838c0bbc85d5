/* QView: one attached quantizer's last input and output seen in its normalised level
 * coordinates (its grid: weights in [-1, 1], activations in [0, 1]), element by element.
 * Where each method's scale lives is the method's own answer (its `scale` op); the probe
 * knows no method. */
#ifndef QB_PROBE_QVIEW_H
#define QB_PROBE_QVIEW_H

#include "core/quantizer.h"
#include "core/net.h"

typedef struct {
    const Quantizer *q;
    const float *x, *y;   /* last input and output: W and Qw(W), or the layer input and Qa(x) */
    size_t n;             /* elements */
    int ngroups;          /* output channels (weights) or samples (activations) */
    size_t group_len;     /* contiguous elements per group */
    QuantScale *scale;    /* per group: the method's scale op after the forward */
    double *levels;       /* the quantizer's normalised level set (its grid), ascending */
    int nlevels;
} QView;

/* The weight or input quantizer of compute layer L after a forward pass; an error names the
 * layer when it has none, or the method when it declares no scale op. */
int qview_open(QView *v, Net *net, Layer *L, QuantRole role, QbErr *err);
void qview_close(QView *v);

/* Element i's input and output in normalised units. */
static inline double qview_u(const QView *v, size_t i)
{
    const QuantScale *s = &v->scale[i / v->group_len];
    return ((double)v->x[i] - s->in_offset) / s->in_scale;
}
static inline double qview_yn(const QView *v, size_t i)
{
    const QuantScale *s = &v->scale[i / v->group_len];
    return (v->y[i] - s->out_offset) / s->out_scale;
}
/* Index of the level nearest to a normalised value. */
int qview_level(const QView *v, double u);

#endif
