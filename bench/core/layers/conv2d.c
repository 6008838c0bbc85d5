/* conv2d: dense and grouped convolution by im2col + sgemm, one image per GEMM inside an
 * OpenMP loop (the column buffer stays in cache; OpenBLAS runs single-threaded there), 3x3
 * stride-1 dense convolution by the direct kernels (kernels/dconv.h), and depthwise
 * convolution by direct loops. Optional fake quantization via QuantHooks. A batch norm
 * reading only this layer has its per-image part computed here, image by image
 * (net_epilogue): all of it in eval, its plane sums in training. */
#include <cblas.h>
#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

#include "core/kernels/dconv.h"
#include "core/kernels/im2col.h"
#include "core/kernels/prof.h"
#include "core/rng.h"
#include "core/threads.h"
#include "layers.h"
#include "qhooks.h"

typedef struct {
    Conv2dSpec s;
    int w_param, b_param;
    QuantHooks q;
    ConvGeom geom;       /* per group */
    int depthwise;
    int pointwise;       /* 1x1, stride 1, no padding: the image is its own column matrix */
    int direct;          /* 3x3 stride-1 dense: the direct SIMD kernels (dconv.h) */
    DGeom dg;
    float *wt, *wd;      /* weights in the direct kernels' forward and data-gradient layouts */
} Conv2dCfg;

static int conv2d_plan(Net *net, Layer *L, QbErr *err)
{
    Conv2dCfg *c = L->cfg;
    Dims in = L->in_dims[0];
    const Conv2dSpec *s = &c->s;
    if (s->k < 1 || s->stride < 1 || s->pad < 0 || s->groups < 1 || s->cout < 1)
        return qb_fail(err, "bad spec k=%d stride=%d pad=%d groups=%d cout=%d", s->k, s->stride,
                       s->pad, s->groups, s->cout);
    if (in.c % s->groups || s->cout % s->groups)
        return qb_fail(err, "groups=%d must divide input channels %d and output channels %d",
                       s->groups, in.c, s->cout);
    int ho = conv_out_size(in.h, s->k, s->stride, s->pad);
    int wo = conv_out_size(in.w, s->k, s->stride, s->pad);
    if (ho < 1 || wo < 1)
        return qb_fail(err, "input %dx%dx%d is smaller than kernel %d with padding %d", in.c,
                       in.h, in.w, s->k, s->pad);
    L->out_dims = (Dims){s->cout, ho, wo};
    c->geom = (ConvGeom){in.c / s->groups, in.h, in.w, s->k, s->k, s->stride, s->pad, ho, wo};
    c->depthwise = s->groups > 1 && s->groups == in.c && s->cout == in.c;
    c->pointwise = s->k == 1 && s->stride == 1 && s->pad == 0;
    char name[PARAM_NAME_MAX];
    int shape[4] = {s->cout, in.c / s->groups, s->k, s->k};
    snprintf(name, sizeof name, "%s.weight", L->name);
    c->w_param = net_add_param(net, name, PGROUP_WEIGHT, 4, shape);
    c->q.w_param = c->w_param;
    c->b_param = -1;
    if (s->bias) {
        snprintf(name, sizeof name, "%s.bias", L->name);
        c->b_param = net_add_param(net, name, PGROUP_BIAS, 1, &s->cout);
    }
    return 0;
}

static void conv2d_bind(Net *net, Layer *L, Arena *act)
{
    Conv2dCfg *c = L->cfg;
    const ConvGeom *g = &c->geom;
    size_t col = c->depthwise ? 0 : (size_t)g->c * g->kh * g->kw * g->ho * g->wo;
    size_t wn = net->params[c->w_param].numel;
    /* The direct kernels compute dx only for C % 16 == 0; a layer that needs dx otherwise
     * (an input quantizer at the net input needs it for its step) keeps the GEMM path. */
    int needs_dx = L->dx[0].data || c->q.aq;
    c->direct = dconv_supported(g->c, c->s.cout, c->s.k, c->s.stride, c->s.pad, c->s.groups) &&
                (dconv_data_ok(g->c) || !needs_dx);
    if (c->direct) {
        dconv_geom(&c->dg, g->c, c->s.cout, g->h, g->w);
        size_t f = dconv_ws_forward(&c->dg), b = dconv_ws_backward(&c->dg);
        col = f > b ? f : b;
        c->wt = arena_floats(act, wn);
        c->wd = arena_floats(act, wn);
    }
    /* column buffer + a private dW partial + a private dbias partial */
    L->ws_floats = col + wn + (size_t)c->s.cout + 64;
    qhooks_bind(&c->q, net, L, act);
}

/* Depthwise (one filter per channel), direct loops: y[c] = x[c] * w[c]. */
static void dw_forward_plane(const ConvGeom *g, const float *x, const float *w, float *y)
{
    for (int oy = 0; oy < g->ho; oy++)
        for (int ox = 0; ox < g->wo; ox++) {
            float acc = 0.0f;
            for (int i = 0; i < g->kh; i++) {
                int iy = oy * g->stride - g->pad + i;
                if (iy < 0 || iy >= g->h)
                    continue;
                for (int j = 0; j < g->kw; j++) {
                    int ix = ox * g->stride - g->pad + j;
                    if (ix >= 0 && ix < g->w)
                        acc += x[iy * g->w + ix] * w[i * g->kw + j];
                }
            }
            y[oy * g->wo + ox] = acc;
        }
}

/* dw (+)= dy (x) x and, when dx != NULL, dx += w^T (x) dy, for one plane. */
static void dw_backward_plane(const ConvGeom *g, const float *x, const float *w, const float *dy,
                              float *dwk, float *dx)
{
    for (int oy = 0; oy < g->ho; oy++)
        for (int ox = 0; ox < g->wo; ox++) {
            float d = dy[oy * g->wo + ox];
            for (int i = 0; i < g->kh; i++) {
                int iy = oy * g->stride - g->pad + i;
                if (iy < 0 || iy >= g->h)
                    continue;
                for (int j = 0; j < g->kw; j++) {
                    int ix = ox * g->stride - g->pad + j;
                    if (ix < 0 || ix >= g->w)
                        continue;
                    dwk[i * g->kw + j] += d * x[iy * g->w + ix];
                    if (dx)
                        dx[iy * g->w + ix] += d * w[i * g->kw + j];
                }
            }
        }
}

/* Image n by im2col + sgemm, group by group (a pointwise image is its own column matrix). */
static void gemm_forward_image(const Conv2dCfg *c, const float *W, const Tensor *x, Tensor *y,
                               int n, float *col)
{
    const ConvGeom *g = &c->geom;
    const int G = c->s.groups, Kg = c->s.cout / G, CKK = g->c * g->kh * g->kw;
    const int HWo = g->ho * g->wo, HWi = g->h * g->w;
    for (int gi = 0; gi < G; gi++) {
        const float *xg = x->data + ((size_t)n * x->c + (size_t)gi * g->c) * HWi;
        const float *B = xg;
        if (!c->pointwise) {
            im2col(g, xg, col);
            B = col;
        }
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Kg, HWo, CKK, 1.0f,
                    W + (size_t)gi * Kg * CKK, CKK, B, HWo, 0.0f,
                    y->data + ((size_t)n * y->c + (size_t)gi * Kg) * HWo, HWo);
    }
}

/* Image n's bias, then its consumer's per-image part (E, net_epilogue) while the image is
 * in cache. */
static void finish_image(Net *net, const Conv2dCfg *c, Layer *E, Tensor *y, int n)
{
    if (c->b_param >= 0) {
        const float *b = net->params[c->b_param].w;
        const size_t hw = (size_t)y->h * y->w;
        for (int k = 0; k < y->c; k++) {
            float *p = y->data + ((size_t)n * y->c + k) * hw;
            for (size_t i = 0; i < hw; i++)
                p[i] += b[k];
        }
    }
    net_epilogue_image(net, E, n);
}

static void conv2d_forward(Net *net, Layer *L)
{
    Conv2dCfg *c = L->cfg;
    const ConvGeom *g = &c->geom;
    prof_push(PROF_QUANT);
    const float *W = qhooks_weight_forward(&c->q, net);
    const Tensor *x = qhooks_input_forward(&c->q, net, L);
    prof_pop();
    Tensor *y = &L->y;
    Layer *E = net_epilogue(net, L);
    const int HWo = g->ho * g->wo, HWi = g->h * g->w;
    if (c->depthwise) {
#pragma omp parallel for schedule(static)
        for (long nc = 0; nc < (long)x->n * x->c; nc++)
            dw_forward_plane(g, x->data + nc * HWi, W + (nc % x->c) * g->kh * g->kw,
                             y->data + nc * HWo);
#pragma omp parallel for schedule(static)
        for (int n = 0; n < x->n; n++)
            finish_image(net, c, E, y, n);
        return;
    }
    if (c->direct)
        dconv_weights_forward(&c->dg, W, c->wt);
#pragma omp parallel
    {
        int t = omp_get_thread_num(), lo, hi;
        threads_range(x->n, t, omp_get_num_threads(), &lo, &hi);
        float *ws = net_workspace(net, t);
        for (int n = lo; n < hi; n++) {
            if (c->direct)
                dconv_forward(&c->dg, x->data + (size_t)n * x->c * HWi, c->wt,
                              y->data + (size_t)n * y->c * HWo, ws);
            else
                gemm_forward_image(c, W, x, y, n, ws);
            finish_image(net, c, E, y, n);
        }
    }
}

/* dW (+)= the per-thread partials [n] at `off` in each workspace, summed in thread order. */
static void reduce_partials(Net *net, size_t off, size_t n, float *dW, int add)
{
    const int T = net->threads;
#pragma omp parallel for schedule(static)
    for (size_t i = 0; i < n; i++) {
        float s = add ? dW[i] : 0.0f;
        for (int t = 0; t < T; t++)
            s += net_workspace(net, t)[off + i];
        dW[i] = s;
    }
}

/* dW = sum over threads of their transposed partials [G][CKK][Kg], in thread order
 * (deterministic). Partials are kept transposed because the GEMM with the long dimension
 * first (CKK x Kg) runs about twice as fast as (Kg x CKK) when Kg is 16. */
static void reduce_partials_t(Net *net, size_t off, int G, int Kg, int CKK, float *dW, int add)
{
    const int T = net->threads;
#pragma omp parallel for schedule(static)
    for (int gk = 0; gk < G * Kg; gk++) {
        int gi = gk / Kg, k = gk % Kg;
        for (int j = 0; j < CKK; j++) {
            size_t src = off + ((size_t)gi * CKK + j) * Kg + k;
            float s = add ? dW[(size_t)gk * CKK + j] : 0.0f;
            for (int t = 0; t < T; t++)
                s += net_workspace(net, t)[src];
            dW[(size_t)gk * CKK + j] = s;
        }
    }
}

static void bias_backward(Net *net, const Conv2dCfg *c, const Tensor *dy)
{
    if (c->b_param < 0)
        return;
    float *db = net->params[c->b_param].g;
    size_t hw = (size_t)dy->h * dy->w;
#pragma omp parallel for schedule(static)
    for (int k = 0; k < dy->c; k++) {
        double s = 0.0;
        for (int n = 0; n < dy->n; n++) {
            const float *p = dy->data + ((size_t)n * dy->c + k) * hw;
            for (size_t i = 0; i < hw; i++)
                s += p[i];
        }
        db[k] += (float)s;
    }
}

static void dw_conv_backward(const Conv2dCfg *c, const float *W, const Tensor *x,
                             const Tensor *dy, float *dW, int dw_add, Tensor *dx, int dx_add)
{
    const ConvGeom *g = &c->geom;
    const int KK = g->kh * g->kw, HWi = g->h * g->w, HWo = g->ho * g->wo;
    if (dx->data && !dx_add)
        memset(dx->data, 0, tensor_numel(dx) * sizeof(float));
    /* Parallel over channels: each channel's filter gradient is summed by one thread in
     * image order, so the result does not depend on the thread count. */
#pragma omp parallel for schedule(static)
    for (int ch = 0; ch < x->c; ch++) {
        float acc[64];
        float *dwk = KK <= 64 ? acc : dW + (size_t)ch * KK;
        if (KK <= 64)
            memset(acc, 0, sizeof(float) * KK);
        else if (!dw_add)
            memset(dwk, 0, sizeof(float) * KK);
        for (int n = 0; n < x->n; n++) {
            size_t p = (size_t)n * x->c + ch;
            dw_backward_plane(g, x->data + p * HWi, W + (size_t)ch * KK, dy->data + p * HWo,
                              dwk, dx->data ? dx->data + p * HWi : NULL);
        }
        if (KK <= 64)
            for (int i = 0; i < KK; i++)
                dW[(size_t)ch * KK + i] = (dw_add ? dW[(size_t)ch * KK + i] : 0.0f) + acc[i];
    }
}

static void direct_backward(Net *net, Conv2dCfg *c, const float *W, const Tensor *x,
                            const Tensor *dy, float *dW, int dw_add, Tensor *dx, int dx_add)
{
    const size_t wn = net->params[c->w_param].numel, off = dconv_ws_backward(&c->dg);
    const size_t xs = (size_t)x->c * x->h * x->w, ys = (size_t)dy->c * dy->h * dy->w;
    if (dx->data)
        dconv_weights_backward(&c->dg, W, c->wd);
#pragma omp parallel
    {
        int t = omp_get_thread_num(), lo, hi;
        threads_range(x->n, t, omp_get_num_threads(), &lo, &hi);
        float *ws = net_workspace(net, t);
        memset(ws + off, 0, wn * sizeof(float));
        for (int n = lo; n < hi; n += DCONV_CHUNK) {
            int m = hi - n < DCONV_CHUNK ? hi - n : DCONV_CHUNK;
            dconv_backward(&c->dg, m, x->data + n * xs, dy->data + n * ys, c->wd, ws + off,
                           dx->data ? dx->data + n * xs : NULL, dx_add, ws);
        }
    }
    reduce_partials(net, off, wn, dW, dw_add);
}

/* dW (+)= sum over images of dy (x) im2col(x), per-thread partials reduced in thread order. */
static void gemm_backward_weights(Net *net, const Conv2dCfg *c, const Tensor *x,
                                  const Tensor *dy, float *dW, int dw_add)
{
    const ConvGeom *g = &c->geom;
    const int G = c->s.groups, Kg = c->s.cout / G, CKK = g->c * g->kh * g->kw;
    const int HWo = g->ho * g->wo, HWi = g->h * g->w;
    const size_t wn = net->params[c->w_param].numel;
    const size_t col_n = c->pointwise ? 0 : (size_t)CKK * HWo;
#pragma omp parallel
    {
        int t = omp_get_thread_num(), lo, hi;
        threads_range(x->n, t, omp_get_num_threads(), &lo, &hi);
        float *col = net_workspace(net, t), *dWt = col + col_n;
        memset(dWt, 0, wn * sizeof(float));
        for (int n = lo; n < hi; n++)
            for (int gi = 0; gi < G; gi++) {
                const float *xg = x->data + ((size_t)n * x->c + (size_t)gi * g->c) * HWi;
                const float *dyg = dy->data + ((size_t)n * dy->c + (size_t)gi * Kg) * HWo;
                const float *B = xg;
                if (!c->pointwise) {
                    im2col(g, xg, col);
                    B = col;
                }
                cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, CKK, Kg, HWo, 1.0f, B,
                            HWo, dyg, HWo, 1.0f, dWt + (size_t)gi * Kg * CKK, Kg);
            }
    }
    reduce_partials_t(net, col_n, G, Kg, CKK, dW, dw_add);
}

/* dx (+)= col2im(W^T dy), per image. */
static void gemm_backward_data(Net *net, const Conv2dCfg *c, const float *W, const Tensor *dy,
                               Tensor *dx, int dx_add)
{
    const ConvGeom *g = &c->geom;
    const int G = c->s.groups, Kg = c->s.cout / G, CKK = g->c * g->kh * g->kw;
    const int HWo = g->ho * g->wo, HWi = g->h * g->w;
#pragma omp parallel
    {
        int t = omp_get_thread_num(), lo, hi;
        threads_range(dx->n, t, omp_get_num_threads(), &lo, &hi);
        float *col = net_workspace(net, t);
        for (int n = lo; n < hi; n++)
            for (int gi = 0; gi < G; gi++) {
                float *dxg = dx->data + ((size_t)n * dx->c + (size_t)gi * g->c) * HWi;
                const float *dyg = dy->data + ((size_t)n * dy->c + (size_t)gi * Kg) * HWo;
                const float *Wg = W + (size_t)gi * Kg * CKK;
                if (c->pointwise) {
                    cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, CKK, HWo, Kg, 1.0f, Wg,
                                CKK, dyg, HWo, dx_add ? 1.0f : 0.0f, dxg, HWo);
                    continue;
                }
                cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, CKK, HWo, Kg, 1.0f, Wg, CKK,
                            dyg, HWo, 0.0f, col, HWo);
                if (!dx_add)
                    memset(dxg, 0, sizeof(float) * g->c * HWi);
                col2im_add(g, col, dxg);
            }
    }
}

static void conv2d_backward(Net *net, Layer *L)
{
    Conv2dCfg *c = L->cfg;
    const float *W = c->q.wq ? c->q.wq_data : net->params[c->w_param].w;
    const Tensor *x = c->q.aq ? &c->q.xq : &L->x[0];
    const Tensor *dy = &L->dy;
    int dw_add, dx_add;
    float *dW = qhooks_weight_grad(&c->q, net, &dw_add);
    Tensor *dx = qhooks_input_grad(&c->q, L, &dx_add);
    bias_backward(net, c, dy);
    if (c->direct) {
        prof_push(PROF_CONV_BWD_FUSED);
        direct_backward(net, c, W, x, dy, dW, dw_add, dx, dx_add);
        prof_pop();
    } else if (c->depthwise) {
        prof_push(PROF_CONV_BWD_FUSED);
        dw_conv_backward(c, W, x, dy, dW, dw_add, dx, dx_add);
        prof_pop();
    } else {
        prof_push(PROF_CONV_BWD_WEIGHTS);
        gemm_backward_weights(net, c, x, dy, dW, dw_add);
        prof_pop();
        if (dx->data) {
            prof_push(PROF_CONV_BWD_DATA);
            gemm_backward_data(net, c, W, dy, dx, dx_add);
            prof_pop();
        }
    }
    prof_push(PROF_QUANT);
    qhooks_weight_backward(&c->q, net);
    qhooks_input_backward(&c->q, L);
    prof_pop();
}

/* torchvision ResNet/MobileNet init: kaiming normal, fan_out, ReLU gain. */
static void conv2d_init(Net *net, Layer *L, Rng *rng)
{
    Conv2dCfg *c = L->cfg;
    Param *W = &net->params[c->w_param];
    float std = sqrtf(2.0f / (float)(c->s.cout / c->s.groups * c->s.k * c->s.k));
    for (size_t i = 0; i < W->numel; i++)
        W->w[i] = std * rng_normal(rng);
    if (c->b_param >= 0)
        memset(net->params[c->b_param].w, 0, sizeof(float) * c->s.cout);
}

static void conv2d_cost(const Net *net, const Layer *L, LayerCost *lc)
{
    const Conv2dCfg *c = L->cfg;
    (void)net;
    lc->compute = 1;
    lc->macs = (double)c->s.cout * c->geom.c * c->s.k * c->s.k * c->geom.ho * c->geom.wo;
    qhooks_cost_bits(&c->q, lc);
}

static void conv2d_post_step(Net *net, Layer *L)
{
    (void)net;
    qhooks_post_step(&((Conv2dCfg *)L->cfg)->q);
}

static void conv2d_destroy(Layer *L) { qhooks_destroy(&((Conv2dCfg *)L->cfg)->q); }

static QuantHooks *conv2d_hooks(Layer *L) { return &((Conv2dCfg *)L->cfg)->q; }

const LayerOps conv2d_ops = {
    .kind = "conv2d",
    .out_sign = LAYER_SIGN_ANY,
    .prof = {PROF_CONV_FWD, PROF_CONV_BWD_DATA},
    .hooks = conv2d_hooks,
    .plan = conv2d_plan,
    .bind = conv2d_bind,
    .forward = conv2d_forward,
    .backward = conv2d_backward,
    .init = conv2d_init,
    .cost = conv2d_cost,
    .post_step = conv2d_post_step,
    .destroy = conv2d_destroy,
    .runs_epilogue = 1,
};

Conv2dSpec layer_conv2d_spec(const Layer *L)
{
    QB_ASSERT(L->ops == &conv2d_ops);
    return ((const Conv2dCfg *)L->cfg)->s;
}

int layer_conv2d(Net *net, const char *name, int in, Conv2dSpec spec, QbErr *err)
{
    Conv2dCfg *c = calloc(1, sizeof *c);
    QB_ASSERT(c);
    c->s = spec;
    return net_add_layer(net, &conv2d_ops, name, 1, &in, c, err);
}
