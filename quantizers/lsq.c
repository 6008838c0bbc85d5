/* LSQ, learned step size (FORMULAS.md §2): weights with one step per output channel (or per
 * tensor), activations with one step per layer; LSQ's gradient scale g (§1.6). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "qcommon.h"

typedef struct {
    int qn, qp;
    int per_channel;   /* weights: one step per output channel */
    int per_sample;    /* activations: N = C·H·W in g instead of the batch numel */
    int p_step;
    Param *step;
    double *dstep;     /* per block (output channel or sample): Σ dy·∂y/∂s */
} Lsq;

static const QuantOptionSpec lsq_options[] = {
    {"lsq_grad_scale", "batch|per_sample", "batch",
     "activation step: N in g = 1/sqrt(N·Qp) is the whole batch's numel (ASQ, lsq-net, "
     "MQBench) or one sample's C·H·W (FORMULAS.md §1.6)"},
    {"lsq_weight_granularity", "per_channel|per_tensor", "per_channel",
     "one weight step per output channel (ASQ code) or one per tensor (LSQ paper)"},
    {"lsq_weight_range", "lsq|symmetric", "lsq",
     "signed weight codes -2^(b-1)..2^(b-1)-1, or symmetric -(2^(b-1)-1)..2^(b-1)-1"},
    {NULL, NULL, NULL, NULL},
};

extern const QuantizerOps lsq_ops;

static int opt_is(const QuantizerOps *ops, const QuantOption *o, int n, const char *name,
                  const char *value)
{
    return strcmp(quantizer_ops_opt(ops, o, n, name), value) == 0;
}

/* Weights are always signed; activations only when asked (a first layer's input). */
static void lsq_range(int bits, QuantRole role, int is_signed, const QuantOption *o, int n,
                      int *qn, int *qp)
{
    int w = role == QROLE_WEIGHT;
    qc_int_range(bits, w || is_signed, w && opt_is(&lsq_ops, o, n, "lsq_weight_range", "symmetric"),
                 qn, qp);
}

static int lsq_plan(Quantizer *q, Net *net, QbErr *err)
{
    (void)err;
    Lsq *st = calloc(1, sizeof *st);
    QB_ASSERT(st);
    q->state = st;
    lsq_range(q->bits, q->role, q->is_signed, q->opts, q->nopts, &st->qn, &st->qp);
    st->per_channel = q->role == QROLE_WEIGHT &&
                      strcmp(quantizer_opt(q, "lsq_weight_granularity"), "per_channel") == 0;
    st->per_sample = strcmp(quantizer_opt(q, "lsq_grad_scale"), "per_sample") == 0;
    int shape[1] = {st->per_channel ? q->shape.n : 1};
    st->p_step = qc_param_add(net, q, "step", 1, shape);
    return 0;
}

static void lsq_bind(Quantizer *q, Net *net, Arena *act)
{
    Lsq *st = q->state;
    st->step = &net->params[st->p_step];
    st->dstep = qc_arena_doubles(act, (size_t)q->shape.n);
}

/* FORMULAS.md §2: s = 2·mean(|x|)/sqrt(Qp) per step's elements. */
static void lsq_init(Quantizer *q, const Tensor *x)
{
    Lsq *st = q->state;
    size_t len = (size_t)x->c * x->h * x->w;
    if (!st->per_channel) {
        st->step->w[0] = qc_lsq_step_init(x->data, tensor_numel(x), st->qp);
        return;
    }
    for (int k = 0; k < x->n; k++)
        st->step->w[k] = qc_lsq_step_init(x->data + k * len, len, st->qp);
}

static void lsq_forward(Quantizer *q, const Tensor *x, Tensor *y)
{
    Lsq *st = q->state;
    qc_uniform_forward(x->data, y->data, x->n, (size_t)x->c * x->h * x->w, st->step->w,
                       st->per_channel, (float)st->qn, (float)st->qp);
}

/* FORMULAS.md §1.6: N = the elements sharing a step, except an activation step counts the whole
 * batch unless lsq_grad_scale is per_sample. */
static void lsq_backward(Quantizer *q, const Tensor *x, const Tensor *dy, Tensor *dx, int add)
{
    Lsq *st = q->state;
    size_t len = (size_t)x->c * x->h * x->w;
    qc_uniform_backward(x->data, dy->data, dx ? dx->data : NULL, add, x->n, len, st->step->w,
                        st->per_channel, (float)st->qn, (float)st->qp, st->dstep);
    int one_sample = q->role == QROLE_ACT ? st->per_sample : st->per_channel;
    double g = qc_grad_scale(one_sample ? (double)len : (double)tensor_numel(x), st->qp);
    if (st->per_channel) {
        for (int k = 0; k < x->n; k++)
            st->step->g[k] += (float)(g * st->dstep[k]);
        return;
    }
    st->step->g[0] += (float)(g * qc_sum(st->dstep, x->n));
}

static void lsq_post_step(Quantizer *q)
{
    Lsq *st = q->state;
    qc_positive_all(st->step->w, st->step->numel);
}

/* Normalised by Qp: weights span [Qn/Qp, 1], activations [0, 1]. */
static int lsq_levels(int bits, QuantRole role, const QuantOption *opts, int nopts, double *out,
                      int cap, QbErr *err)
{
    if (qc_bits_check(&lsq_ops, role, bits, err) < 0)
        return -1;
    int qn, qp;
    lsq_range(bits, role, 0, opts, nopts, &qn, &qp);
    return qc_levels_uniform(qn, qp, qp, out, cap);
}

static int lsq_grid(const Quantizer *q, double *out, int cap)
{
    int qn, qp;
    lsq_range(q->bits, q->role, q->is_signed, q->opts, q->nopts, &qn, &qp);
    return qc_levels_uniform(qn, qp, qp, out, cap);
}

/* Code k sits at k·s, so one normalised unit is s·Qp. */
static QuantScale lsq_scale(const Quantizer *q, int g)
{
    const Lsq *st = q->state;
    double s = (double)st->step->w[st->per_channel ? g : 0] * st->qp;
    return (QuantScale){s, 0.0, s, 0.0};
}

const QuantizerOps lsq_ops = {
    .name = "lsq",
    .roles = (1u << QROLE_WEIGHT) | (1u << QROLE_ACT),
    .signed_act = 1,
    .min_bits = {2, 2},
    .max_bits = {8, 8},
    .version = 1,
    .options = lsq_options,
    .int_path = {QINT_UNIFORM, QINT_UNIFORM},
    .plan = lsq_plan,
    .bind = lsq_bind,
    .init = lsq_init,
    .forward = lsq_forward,
    .backward = lsq_backward,
    .post_step = lsq_post_step,
    .levels = lsq_levels,
    .grid = lsq_grid,
    .scale = lsq_scale,
    .destroy = qc_state_free,
};
