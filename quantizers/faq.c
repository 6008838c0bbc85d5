/* FAQ, fine-tuning after quantization (FORMULAS.md §17): a uniform quantizer whose step is
 * calibrated once and then fixed, one per weight tensor and one per activation tensor. The
 * weight step is max|W|/Qp of the starting weights; the activation step is the p-th
 * percentile of the layer's input over the calibration batches, divided by Qp (the "ReLU
 * calibration"). The forward is LSQ's with that step; the backward passes the gradient
 * inside the clip and trains nothing. No code was published: this quantizer is qbench's
 * definition from the paper's abstract, and the recipe's numbers are placeholders. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "qcommon.h"

typedef struct {
    int qn, qp;
    int dynamic;         /* weights under faq_w_step: dynamic */
    double quantile;     /* activations: faq_act_percentile / 100 */
    int calib_batches;   /* activations: faq_calib_batches */
    int b_step;          /* the step: a checkpointed buffer, never stepped by an optimizer */
    float *step;
    float *pool;         /* activations: the calibration inputs pooled so far */
    size_t npool;
} Faq;

static const QuantOptionSpec faq_options[] = {
    {"faq_act_percentile", "float", "99.99",
     "activation step = this percentile of the layer's calibration inputs / Qp, in (0, 100] "
     "(unverified default; FORMULAS.md §17.2)"},
    {"faq_calib_batches", "int", "1",
     "training batches whose inputs are pooled for the activation percentile, at least 1 "
     "(FORMULAS.md §17.2)"},
    {"faq_w_step", "fixed|dynamic", "fixed",
     "weight step max|W|/Qp: from the starting weights, once, or recomputed every forward "
     "(FORMULAS.md §17.2)"},
    {NULL, NULL, NULL, NULL},
};

extern const QuantizerOps faq_ops;

/* Weights symmetric, −Qp..Qp with Qp = 2^(b−1) − 1; activations 0..2^b − 1, or symmetric like
 * the weights when signed (a first layer's input). */
static void faq_range(int bits, QuantRole role, int is_signed, int *qn, int *qp)
{
    int sym = role == QROLE_WEIGHT || is_signed;
    qc_int_range(bits, sym, sym, qn, qp);
}

/* The option's number when it parses and lies in [lo, hi]; else -1 with a located error. */
static int faq_number(const QuantOption *opts, int nopts, const char *name, double lo, double hi,
                      int lo_open, double *out, QbErr *err)
{
    const char *v = quantizer_ops_opt(&faq_ops, opts, nopts, name);
    char *end;
    errno = 0;
    double x = strtod(v, &end);
    if (*end || errno || !(lo_open ? x > lo : x >= lo) || !(x <= hi))
        return qb_fail(err, "faq option %s: expected a number in %c%g, %g], got '%s'", name,
                       lo_open ? '(' : '[', lo, hi, v);
    *out = x;
    return 0;
}

static int faq_plan(Quantizer *q, Net *net, QbErr *err)
{
    (void)err; /* levels() has refused bad option values already */
    Faq *st = calloc(1, sizeof *st);
    QB_ASSERT(st);
    q->state = st;
    faq_range(q->bits, q->role, q->is_signed, &st->qn, &st->qp);
    st->dynamic = q->role == QROLE_WEIGHT && !strcmp(quantizer_opt(q, "faq_w_step"), "dynamic");
    st->quantile = atof(quantizer_opt(q, "faq_act_percentile")) / 100.0;
    st->calib_batches = atoi(quantizer_opt(q, "faq_calib_batches"));
    char name[PARAM_NAME_MAX];
    qc_param_name(q, "step", name, sizeof name);
    st->b_step = net_add_buffer(net, name, 1);
    return 0;
}

static void faq_bind(Quantizer *q, Net *net, Arena *act)
{
    (void)act;
    Faq *st = q->state;
    st->step = net->buffers[st->b_step].data;
}

/* §17.2: weights max|x|/Qp; activations the percentile of x (of |x|, the same after a ReLU
 * and symmetric when signed) over Qp; guarded (§1.5), so an all-zero input leaves a step. */
static float faq_step_of(const Faq *st, QuantRole role, const float *x, size_t n)
{
    double top = 0.0;
    if (role == QROLE_WEIGHT) {
        for (size_t i = 0; i < n; i++)
            top = fmax(top, fabs((double)x[i]));
    } else {
        float *scratch = malloc(n * sizeof *scratch);
        QB_ASSERT(scratch);
        top = qc_abs_quantile(x, n, st->quantile, scratch);
        free(scratch);
    }
    return qc_positive((float)(top / st->qp));
}

/* Outside a run (`qbench quantize`, tests): the step from the one tensor seen. */
static void faq_init(Quantizer *q, const Tensor *x)
{
    Faq *st = q->state;
    st->step[0] = faq_step_of(st, q->role, x->data, tensor_numel(x));
}

/* quantizer.h's calibration: weights once; activations pooled over faq_calib_batches passes. */
static int faq_calibrate(Quantizer *q, const Tensor *x, int index)
{
    Faq *st = q->state;
    size_t n = tensor_numel(x);
    if (q->role == QROLE_WEIGHT) {
        st->step[0] = faq_step_of(st, q->role, x->data, n);
        return 0;
    }
    st->pool = realloc(st->pool, (st->npool + n) * sizeof *st->pool);
    QB_ASSERT(st->pool);
    memcpy(st->pool + st->npool, x->data, n * sizeof *x->data);
    st->npool += n;
    if (index + 1 < st->calib_batches)
        return 1;
    st->step[0] = faq_step_of(st, q->role, st->pool, st->npool);
    free(st->pool);
    st->pool = NULL;
    st->npool = 0;
    return 0;
}

static void faq_forward(Quantizer *q, const Tensor *x, Tensor *y)
{
    Faq *st = q->state;
    size_t len = (size_t)x->c * x->h * x->w;
    if (st->dynamic)
        st->step[0] = faq_step_of(st, q->role, x->data, tensor_numel(x));
    qc_uniform_forward(x->data, y->data, x->n, len, st->step, 0, (float)st->qn, (float)st->qp);
}

/* ∂y/∂x = 1[Qn <= x/s <= Qp]; the step is fixed, so no parameter gradient. */
static void faq_backward(Quantizer *q, const Tensor *x, const Tensor *dy, Tensor *dx, int add)
{
    Faq *st = q->state;
    if (!dx)
        return;
    qc_uniform_backward(x->data, dy->data, dx->data, add, x->n, (size_t)x->c * x->h * x->w,
                        st->step, 0, (float)st->qn, (float)st->qp, NULL);
}

/* k/Qp over the range, after refusing option values out of range (every request passes here
 * before a plan, so the error reaches the experiment file's or the flag's reader). */
static int faq_levels(int bits, QuantRole role, const QuantOption *opts, int nopts, double *out,
                      int cap, QbErr *err)
{
    double p, batches;
    if (qc_bits_check(&faq_ops, role, bits, err) < 0 ||
        faq_number(opts, nopts, "faq_act_percentile", 0.0, 100.0, 1, &p, err) < 0 ||
        faq_number(opts, nopts, "faq_calib_batches", 1.0, 1e6, 0, &batches, err) < 0)
        return -1;
    int qn, qp;
    faq_range(bits, role, 0, &qn, &qp);
    return qc_levels_uniform(qn, qp, qp, out, cap);
}

static int faq_grid(const Quantizer *q, double *out, int cap)
{
    const Faq *st = q->state;
    return qc_levels_uniform(st->qn, st->qp, st->qp, out, cap);
}

/* Code k sits at k·s, so one normalised unit is s·Qp. */
static QuantScale faq_scale(const Quantizer *q, int g)
{
    (void)g;
    const Faq *st = q->state;
    double s = (double)st->step[0] * st->qp;
    return (QuantScale){s, 0.0, s, 0.0};
}

static void faq_destroy(Quantizer *q)
{
    Faq *st = q->state;
    if (st)
        free(st->pool);
    qc_state_free(q);
}

const QuantizerOps faq_ops = {
    .name = "faq",
    .roles = (1u << QROLE_WEIGHT) | (1u << QROLE_ACT),
    .signed_act = 1,
    .min_bits = {2, 2},
    .max_bits = {8, 8},
    .version = 1,
    .options = faq_options,
    /* integer codes times the calibrated step, as LSQ's */
    .int_path = {QINT_UNIFORM, QINT_UNIFORM},
    .plan = faq_plan,
    .bind = faq_bind,
    .init = faq_init,
    .calibrate = faq_calibrate,
    .forward = faq_forward,
    .backward = faq_backward,
    .levels = faq_levels,
    .grid = faq_grid,
    .scale = faq_scale,
    .destroy = faq_destroy,
};
