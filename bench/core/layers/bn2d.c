/* bn2d: batch normalisation over (N, H, W) per channel. Training normalises with the biased
 * batch variance and feeds the unbiased one to the running average, as PyTorch does; eval
 * uses the running statistics. Statistics are summed in double, one channel per thread
 * iteration, so results do not depend on the thread count. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "layers.h"

/* Sums of one plane in float (vectorised), combined across planes in double: a plane holds
 * at most a few thousand values, so float partials lose nothing that matters. */
static void plane_sums(const float *p, size_t n, double *s, double *ss)
{
    float a = 0.0f, b = 0.0f;
#pragma omp simd reduction(+ : a, b)
    for (size_t i = 0; i < n; i++) {
        a += p[i];
        b += p[i] * p[i];
    }
    *s += a;
    *ss += b;
}

/* The affine map y = x*a + b of one channel, in one place so that backward's ReLU mask
 * (recomputed from x) is bit for bit forward's. */
static void bn2d_affine(float gamma, float beta, float mean, float invstd, float *a, float *b)
{
    *a = gamma * invstd;
    *b = beta - mean * *a;
}

/* sum(d) and sum(d * (x - mean)) of one plane, where d is dy masked by y > 0 when the layer
 * ends in a fused ReLU (relu = 1). y > 0 is recomputed as x*a + b > 0, which is what forward
 * clamped (NaN fails both): one stream less to read than y itself. */
static void plane_grad_sums(const float *x, const float *dy, int relu, float a, float b,
                            size_t n, float mean, double *sd, double *sdx)
{
    float s = 0.0f, t = 0.0f;
    if (relu) {
#pragma omp simd reduction(+ : s, t)
        for (size_t i = 0; i < n; i++) {
            float d = x[i] * a + b > 0.0f ? dy[i] : 0.0f;
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
    *sd += s;
    *sdx += t;
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
    (void)net;
    Bn2dCfg *c = L->cfg;
    c->mean = arena_floats(act, (size_t)L->out_dims.c);
    c->invstd = arena_floats(act, (size_t)L->out_dims.c);
}

static void bn2d_forward(Net *net, Layer *L)
{
    Bn2dCfg *c = L->cfg;
    const Tensor *x = &L->x[0];
    const float *gamma = net->params[c->gamma].w, *beta = net->params[c->beta].w;
    float *rm = net->buffers[c->rmean].data, *rv = net->buffers[c->rvar].data;
    const size_t hw = (size_t)x->h * x->w, M = hw * x->n;
    const int train = net->train;
#pragma omp parallel for schedule(static)
    for (int ch = 0; ch < x->c; ch++) {
        float mean, invstd;
        if (train) {
            double s = 0.0, ss = 0.0;
            for (int n = 0; n < x->n; n++)
                plane_sums(x->data + ((size_t)n * x->c + ch) * hw, hw, &s, &ss);
            double m = s / (double)M, var = ss / (double)M - m * m;
            if (var < 0.0)
                var = 0.0;
            mean = (float)m;
            invstd = (float)(1.0 / sqrt(var + BN_EPS));
            double unbiased = M > 1 ? var * (double)M / (double)(M - 1) : var;
            rm[ch] = (1.0f - BN_MOMENTUM) * rm[ch] + BN_MOMENTUM * mean;
            rv[ch] = (1.0f - BN_MOMENTUM) * rv[ch] + BN_MOMENTUM * (float)unbiased;
        } else {
            mean = rm[ch];
            invstd = 1.0f / sqrtf(rv[ch] + BN_EPS);
        }
        c->mean[ch] = mean;
        c->invstd[ch] = invstd;
        float a, b;
        bn2d_affine(gamma[ch], beta[ch], mean, invstd, &a, &b);
        const float lo = c->relu ? 0.0f : -HUGE_VALF;
        for (int n = 0; n < x->n; n++) {
            size_t off = ((size_t)n * x->c + ch) * hw;
            const float *p = x->data + off;
            float *q = L->y.data + off;
#pragma omp simd
            for (size_t i = 0; i < hw; i++)
            {
                float v = p[i] * a + b;
                q[i] = v < lo ? lo : v; /* NaN passes through, so divergence stays visible */
            }
        }
    }
}

/* Training: dx = gamma*invstd/M * (M*dy - sum(dy) - xhat*sum(dy*xhat)); eval: the
 * statistics are constants, so dx = gamma*invstd*dy. */
static void bn2d_backward(Net *net, Layer *L)
{
    Bn2dCfg *c = L->cfg;
    const Tensor *x = &L->x[0], *dy = &L->dy;
    const float *gamma = net->params[c->gamma].w, *beta = net->params[c->beta].w;
    float *dgamma = net->params[c->gamma].g, *dbeta = net->params[c->beta].g;
    const size_t hw = (size_t)x->h * x->w, M = hw * x->n;
    const int train = net->train, add = L->dx_add[0];
    float *dx = L->dx[0].data;
#pragma omp parallel for schedule(static)
    for (int ch = 0; ch < x->c; ch++) {
        const float mean = c->mean[ch], invstd = c->invstd[ch];
        float a, b;
        bn2d_affine(gamma[ch], beta[ch], mean, invstd, &a, &b);
        double sdy = 0.0, sdyx = 0.0;
        for (int n = 0; n < x->n; n++) {
            size_t off = ((size_t)n * x->c + ch) * hw;
            plane_grad_sums(x->data + off, dy->data + off, c->relu, a, b, hw, mean, &sdy, &sdyx);
        }
        sdyx *= invstd;
        dgamma[ch] += (float)sdyx;
        dbeta[ch] += (float)sdy;
        if (!dx)
            continue;
        const float k = gamma[ch] * invstd;
        const float mdy = train ? (float)(sdy / (double)M) : 0.0f;
        const float mdyx = train ? (float)(sdyx / (double)M) : 0.0f;
        const float kx = k * invstd * mdyx, k0 = -k * mdy + kx * mean;
        for (int n = 0; n < x->n; n++) {
            size_t off = ((size_t)n * x->c + ch) * hw;
            plane_dx(x->data + off, dy->data + off, c->relu, a, b, hw, k, kx, k0, dx + off, add);
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
    .plan = bn2d_plan,
    .bind = bn2d_bind,
    .forward = bn2d_forward,
    .backward = bn2d_backward,
    .init = bn2d_init,
    .cost = bn2d_cost,
};
/* The same layer with a fused ReLU: one pass less each way than bn2d + relu. */
const LayerOps bn2d_relu_ops = {
    .kind = "bn2d_relu",
    .out_sign = LAYER_SIGN_NONNEG,
    .plan = bn2d_plan,
    .bind = bn2d_bind,
    .forward = bn2d_forward,
    .backward = bn2d_backward,
    .init = bn2d_init,
    .cost = bn2d_cost,
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
