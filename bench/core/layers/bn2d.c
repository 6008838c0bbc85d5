/* bn2d: batch normalisation over (N, H, W) per channel. Training normalises with the biased
 * batch variance and feeds the unbiased one to the running average, as PyTorch does; eval
 * uses the running statistics. Statistics are summed per plane in float and across planes in
 * double, in image order whichever thread computed them, so results do not depend on the
 * thread count. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "layers.h"

/* Sums of one plane in float (vectorised); they are combined across planes in double
 * (channel_sums): a plane holds at most a few thousand values, so float partials lose
 * nothing that matters. */
static void plane_sums(const float *p, size_t n, float *s, float *ss)
{
    float a = 0.0f, b = 0.0f;
#pragma omp simd reduction(+ : a, b)
    for (size_t i = 0; i < n; i++) {
        a += p[i];
        b += p[i] * p[i];
    }
    *s = a;
    *ss = b;
}

/* q = max(lo, p*a + b) over one plane; NaN passes through, so divergence stays visible. */
static void plane_affine(const float *p, size_t n, float a, float b, float lo, float *q)
{
#pragma omp simd
    for (size_t i = 0; i < n; i++) {
        float v = p[i] * a + b;
        q[i] = v < lo ? lo : v;
    }
}

/* sum(d) and sum(d * (x - mean)) of one plane, where d is dy masked by y > 0 when the layer
 * ends in a fused ReLU (relu = 1). y > 0 is recomputed as x*a + b > 0 with forward's own a and
 * b, which is what forward clamped (NaN fails both): one stream less to read than y itself. */
static void plane_grad_sums(const float *x, const float *dy, int relu, float a, float b,
                            size_t n, float mean, float *sd, float *sdx)
{
    float s = 0.0f, t = 0.0f;
    if (relu) {
        /* Written as an if, not ?:, GCC 12 keeps the two vector sums in registers: with ?:
         * it kept them on the stack, a store-to-load round trip per vector (2.7x as slow in
         * L1). The same lanes and the same tail, so the same bits (checked on 20000 random
         * planes of 1 to 2100 values). */
#pragma omp simd reduction(+ : s, t)
        for (size_t i = 0; i < n; i++) {
            float d = dy[i];
            if (!(x[i] * a + b > 0.0f))
                d = 0.0f;
            s += d;
            t += d * (x[i] - mean);
        }
    } else {
#pragma omp simd reduction(+ : s, t)
        for (size_t i = 0; i < n; i++) {
            s += dy[i];
            t += dy[i] * (x[i] - mean);
        }
    }
    *sd = s;
    *sdx = t;
}

/* q (+)= k*d - kx*x + k0 over one plane, d masked as in plane_grad_sums. The four loops keep
 * the loop-invariant choices out of the vectorised bodies. */
static void plane_dx(const float *x, const float *dy, int relu, float a, float b, size_t n,
                     float k, float kx, float k0, float *q, int add)
{
    if (relu && add) {
#pragma omp simd
        for (size_t i = 0; i < n; i++)
            q[i] += k * (x[i] * a + b > 0.0f ? dy[i] : 0.0f) - kx * x[i] + k0;
    } else if (relu) {
#pragma omp simd
        for (size_t i = 0; i < n; i++)
            q[i] = k * (x[i] * a + b > 0.0f ? dy[i] : 0.0f) - kx * x[i] + k0;
    } else if (add) {
#pragma omp simd
        for (size_t i = 0; i < n; i++)
            q[i] += k * dy[i] - kx * x[i] + k0;
    } else {
#pragma omp simd
        for (size_t i = 0; i < n; i++)
            q[i] = k * dy[i] - kx * x[i] + k0;
    }
}

typedef struct {
    int gamma, beta;          /* param indices */
    int rmean, rvar;          /* buffer indices */
    float *mean, *invstd;     /* per channel, saved for backward (act arena) */
    float *a, *b;             /* per channel: forward's affine map y = x*a + b, for backward */
    float *k, *kx, *k0;       /* per channel: backward's dx coefficients (plane_dx) */
    float *p1, *p2;           /* per (image, channel): a pass's plane sums (act arena) */
    int relu;                 /* a fused ReLU after the affine transform */
} Bn2dCfg;

static int bn2d_plan(Net *net, Layer *L, QbErr *err)
{
    (void)err;
    Bn2dCfg *c = L->cfg;
    int C = L->in_dims[0].c;
    char name[PARAM_NAME_MAX];
    L->out_dims = L->in_dims[0];
    snprintf(name, sizeof name, "%s.weight", L->name);
    c->gamma = net_add_param(net, name, PGROUP_BN, 1, &C);
    snprintf(name, sizeof name, "%s.bias", L->name);
    c->beta = net_add_param(net, name, PGROUP_BN, 1, &C);
    snprintf(name, sizeof name, "%s.running_mean", L->name);
    c->rmean = net_add_buffer(net, name, (size_t)C);
    snprintf(name, sizeof name, "%s.running_var", L->name);
    c->rvar = net_add_buffer(net, name, (size_t)C);
    return 0;
}

static void bn2d_bind(Net *net, Layer *L, Arena *act)
{
    Bn2dCfg *c = L->cfg;
    const size_t C = (size_t)L->out_dims.c;
    float **chan[] = {&c->mean, &c->invstd, &c->a, &c->b, &c->k, &c->kx, &c->k0};
    for (size_t i = 0; i < sizeof chan / sizeof chan[0]; i++)
        *chan[i] = arena_floats(act, C);
    c->p1 = arena_floats(act, (size_t)net->batch * C);
    c->p2 = arena_floats(act, (size_t)net->batch * C);
}

/* Sums over images of the per-(image, channel) plane sums, in image order, in double. */
static void channel_sums(const Bn2dCfg *c, int N, int C, int ch, double *s1, double *s2)
{
    double a = 0.0, b = 0.0;
    for (int n = 0; n < N; n++) {
        a += c->p1[(size_t)n * C + ch];
        b += c->p2[(size_t)n * C + ch];
    }
    *s1 = a;
    *s2 = b;
}

/* Both passes of a direction run over a group of channels before the next group: the
 * second pass then finds the group (batch x group x plane floats, at most BN_GROUP_FLOATS x
 * batch) in L2. A group's planes of one image are contiguous, so small planes (7x7: 196
 * bytes, 12.5 KB apart within a channel at 64 channels) are read in runs of up to
 * BN_GROUP_FLOATS rather than one short plane at a time; 28x28 and 32x32 planes are a group
 * each, as before. With plane_grad_sums' registers (above), one layer at batch 128 on one
 * thread ran forward 1.1-2.1x and backward 1.15-2.5x as fast, the most at 7x7 and 8x8
 * (interleaved against the previous code, one process, Zen 3). Groups stay at most a quarter
 * of the channels, so that threads share them evenly. Per-plane sums are combined per
 * channel in image order, as they were before grouping: the same bits. */
#define BN_GROUP_FLOATS 1024

static int bn2d_group(const Tensor *x)
{
    const size_t hw = (size_t)x->h * x->w;
    int g = 1;
    while ((size_t)g * 2 * hw <= BN_GROUP_FLOATS && g * 2 <= x->c / 4)
        g *= 2;
    return g;
}

/* The fused ReLU's floor, or none. */
static float bn2d_floor(const Bn2dCfg *c) { return c->relu ? 0.0f : -HUGE_VALF; }

/* Training statistics (and the running averages), or eval's constants, of channel ch. */
static void bn2d_stats(Net *net, const Layer *L, int ch)
{
    Bn2dCfg *c = L->cfg;
    const Tensor *x = &L->x[0];
    float *rm = net->buffers[c->rmean].data, *rv = net->buffers[c->rvar].data;
    if (net->train) {
        const size_t M = (size_t)x->h * x->w * x->n;
        double s, ss;
        channel_sums(c, x->n, x->c, ch, &s, &ss);
        double m = s / (double)M, var = ss / (double)M - m * m;
        if (var < 0.0)
            var = 0.0;
        c->mean[ch] = (float)m;
        c->invstd[ch] = (float)(1.0 / sqrt(var + BN_EPS));
        double unbiased = M > 1 ? var * (double)M / (double)(M - 1) : var;
        rm[ch] = (1.0f - BN_MOMENTUM) * rm[ch] + BN_MOMENTUM * c->mean[ch];
        rv[ch] = (1.0f - BN_MOMENTUM) * rv[ch] + BN_MOMENTUM * (float)unbiased;
    } else {
        c->mean[ch] = rm[ch];
        c->invstd[ch] = 1.0f / sqrtf(rv[ch] + BN_EPS);
    }
    c->a[ch] = net->params[c->gamma].w[ch] * c->invstd[ch];
    c->b[ch] = net->params[c->beta].w[ch] - c->mean[ch] * c->a[ch];
}

static void bn2d_forward(Net *net, Layer *L)
{
    Bn2dCfg *c = L->cfg;
    const Tensor *x = &L->x[0];
    const size_t hw = (size_t)x->h * x->w;
    const int G = bn2d_group(x), C = x->c;
    const float lo = bn2d_floor(c);
#pragma omp parallel for schedule(static)
    for (int c0 = 0; c0 < C; c0 += G) {
        const int c1 = c0 + G < C ? c0 + G : C;
        if (net->train && !L->by_producer)
            for (int n = 0; n < x->n; n++)
                for (int ch = c0; ch < c1; ch++) {
                    size_t p = (size_t)n * C + ch;
                    plane_sums(x->data + p * hw, hw, &c->p1[p], &c->p2[p]);
                }
        for (int ch = c0; ch < c1; ch++)
            bn2d_stats(net, L, ch);
        for (int n = 0; n < x->n; n++)
            for (int ch = c0; ch < c1; ch++) {
                size_t p = (size_t)n * C + ch;
                plane_affine(x->data + p * hw, hw, c->a[ch], c->b[ch], lo, L->y.data + p * hw);
            }
    }
}

/* Computed by the producer image by image (LayerOps.eval_image, train_image): in eval the
 * constants of every channel first, then each image's planes as forward's affine pass does
 * them; in training each image's plane sums, as forward's first pass does them. */
static void bn2d_eval_begin(Net *net, Layer *L)
{
    for (int ch = 0; ch < L->out_dims.c; ch++)
        bn2d_stats(net, L, ch);
}

/* Training, computed by the producer: image n's plane sums, which forward then combines. */
static void bn2d_train_image(Net *net, Layer *L, int n)
{
    (void)net;
    const Bn2dCfg *c = L->cfg;
    const size_t hw = (size_t)L->out_dims.h * L->out_dims.w;
    for (int ch = 0; ch < L->out_dims.c; ch++) {
        size_t p = (size_t)n * L->out_dims.c + ch;
        plane_sums(L->x[0].data + p * hw, hw, &c->p1[p], &c->p2[p]);
    }
}

static void bn2d_eval_image(Net *net, Layer *L, int n)
{
    (void)net;
    const Bn2dCfg *c = L->cfg;
    const size_t hw = (size_t)L->out_dims.h * L->out_dims.w;
    const float lo = bn2d_floor(c);
    for (int ch = 0; ch < L->out_dims.c; ch++) {
        size_t p = (size_t)n * L->out_dims.c + ch;
        plane_affine(L->x[0].data + p * hw, hw, c->a[ch], c->b[ch], lo, L->y.data + p * hw);
    }
}

/* dL/dgamma, dL/dbeta and plane_dx's coefficients of channel ch, from its plane sums.
 * Training: dx = gamma*invstd/M * (M*dy - sum(dy) - xhat*sum(dy*xhat)); eval: the
 * statistics are constants, so dx = gamma*invstd*dy. */
static void bn2d_grad_coefs(Net *net, const Layer *L, int ch)
{
    Bn2dCfg *c = L->cfg;
    const Tensor *x = &L->x[0];
    const size_t M = (size_t)x->h * x->w * x->n;
    const float mean = c->mean[ch], invstd = c->invstd[ch];
    double sdy, sdyx;
    channel_sums(c, x->n, x->c, ch, &sdy, &sdyx);
    sdyx *= invstd;
    net->params[c->gamma].g[ch] += (float)sdyx;
    net->params[c->beta].g[ch] += (float)sdy;
    c->k[ch] = net->params[c->gamma].w[ch] * invstd;
    const float mdy = net->train ? (float)(sdy / (double)M) : 0.0f;
    const float mdyx = net->train ? (float)(sdyx / (double)M) : 0.0f;
    c->kx[ch] = c->k[ch] * invstd * mdyx;
    c->k0[ch] = -c->k[ch] * mdy + c->kx[ch] * mean;
}

static void bn2d_backward(Net *net, Layer *L)
{
    Bn2dCfg *c = L->cfg;
    const Tensor *x = &L->x[0], *dy = &L->dy;
    const size_t hw = (size_t)x->h * x->w;
    const int G = bn2d_group(x), C = x->c, add = L->dx_add[0];
    float *dx = L->dx[0].data;
#pragma omp parallel for schedule(static)
    for (int c0 = 0; c0 < C; c0 += G) {
        const int c1 = c0 + G < C ? c0 + G : C;
        for (int n = 0; n < x->n; n++)
            for (int ch = c0; ch < c1; ch++) {
                size_t p = (size_t)n * C + ch;
                plane_grad_sums(x->data + p * hw, dy->data + p * hw, c->relu, c->a[ch], c->b[ch],
                                hw, c->mean[ch], &c->p1[p], &c->p2[p]);
            }
        for (int ch = c0; ch < c1; ch++)
            bn2d_grad_coefs(net, L, ch);
        if (dx)
            for (int n = 0; n < x->n; n++)
                for (int ch = c0; ch < c1; ch++) {
                    size_t p = (size_t)n * C + ch;
                    plane_dx(x->data + p * hw, dy->data + p * hw, c->relu, c->a[ch], c->b[ch],
                             hw, c->k[ch], c->kx[ch], c->k0[ch], dx + p * hw, add);
                }
    }
}

static void bn2d_init(Net *net, Layer *L, struct Rng *rng)
{
    (void)rng;
    Bn2dCfg *c = L->cfg;
    int C = L->out_dims.c;
    for (int i = 0; i < C; i++) {
        net->params[c->gamma].w[i] = 1.0f;
        net->params[c->beta].w[i] = 0.0f;
        net->buffers[c->rmean].data[i] = 0.0f;
        net->buffers[c->rvar].data[i] = 1.0f;
    }
}

static void bn2d_cost(const Net *net, const Layer *L, LayerCost *lc)
{
    (void)net;
    lc->other_ops = 2.0 * (double)dims_numel(L->out_dims);
    lc->wbits = lc->abits = 32;
}

const LayerOps bn2d_ops = {
    .kind = "bn2d",
    .out_sign = LAYER_SIGN_ANY,
    .prof = {PROF_BN, PROF_BN},
    .plan = bn2d_plan,
    .bind = bn2d_bind,
    .forward = bn2d_forward,
    .backward = bn2d_backward,
    .init = bn2d_init,
    .cost = bn2d_cost,
    .eval_begin = bn2d_eval_begin,
    .eval_image = bn2d_eval_image,
    .train_image = bn2d_train_image,
};
/* The same layer with a fused ReLU: one pass less each way than bn2d + relu. */
const LayerOps bn2d_relu_ops = {
    .kind = "bn2d_relu",
    .out_sign = LAYER_SIGN_NONNEG,
    .prof = {PROF_BN, PROF_BN},
    .plan = bn2d_plan,
    .bind = bn2d_bind,
    .forward = bn2d_forward,
    .backward = bn2d_backward,
    .init = bn2d_init,
    .cost = bn2d_cost,
    .eval_begin = bn2d_eval_begin,
    .eval_image = bn2d_eval_image,
    .train_image = bn2d_train_image,
};

static int bn_add(Net *net, const LayerOps *ops, const char *name, int in, int relu, QbErr *err)
{
    Bn2dCfg *c = calloc(1, sizeof *c);
    QB_ASSERT(c);
    c->relu = relu;
    return net_add_layer(net, ops, name, 1, &in, c, err);
}

int layer_bn2d(Net *net, const char *name, int in, QbErr *err)
{
    return bn_add(net, &bn2d_ops, name, in, 0, err);
}

int layer_bn2d_relu(Net *net, const char *name, int in, QbErr *err)
{
    return bn_add(net, &bn2d_relu_ops, name, in, 1, err);
}
