/* linear: y = x W^T + b on (N, F, 1, 1) inputs, one GEMM per thread's block of rows;
 * optional fake quantization via QuantHooks. */
#include <cblas.h>
#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

#include "core/kernels/prof.h"
#include "core/rng.h"
#include "core/threads.h"
#include "layers.h"
#include "qhooks.h"

typedef struct {
    int out, bias;
    int w_param, b_param;
    QuantHooks q;
} LinearCfg;

static int linear_plan(Net *net, Layer *L, QbErr *err)
{
    LinearCfg *c = L->cfg;
    Dims in = L->in_dims[0];
    if (in.h != 1 || in.w != 1)
        return qb_fail(err, "expects a flattened (F,1,1) input, got %dx%dx%d (add flatten or gap)",
                       in.c, in.h, in.w);
    if (c->out < 1)
        return qb_fail(err, "output features must be >= 1, got %d", c->out);
    L->out_dims = (Dims){c->out, 1, 1};
    char name[PARAM_NAME_MAX];
    int shape[2] = {c->out, in.c};
    snprintf(name, sizeof name, "%s.weight", L->name);
    c->w_param = net_add_param(net, name, PGROUP_WEIGHT, 2, shape);
    c->q.w_param = c->w_param;
    c->b_param = -1;
    if (c->bias) {
        snprintf(name, sizeof name, "%s.bias", L->name);
        c->b_param = net_add_param(net, name, PGROUP_BIAS, 1, &c->out);
    }
    return 0;
}

static void linear_bind(Net *net, Layer *L, Arena *act)
{
    LinearCfg *c = L->cfg;
    L->ws_floats = net->params[c->w_param].numel + 64;
    qhooks_bind(&c->q, net, L, act);
}

static void linear_forward(Net *net, Layer *L)
{
    LinearCfg *c = L->cfg;
    prof_push(PROF_QUANT);
    const float *W = qhooks_weight_forward(&c->q, net);
    const Tensor *x = qhooks_input_forward(&c->q, net, L);
    prof_pop();
    const int F = x->c, O = c->out;
    const float *b = c->b_param >= 0 ? net->params[c->b_param].w : NULL;
    float *y = L->y.data;
#pragma omp parallel
    {
        int lo, hi;
        threads_range(x->n, omp_get_thread_num(), omp_get_num_threads(), &lo, &hi);
        if (hi > lo) {
            for (int n = lo; n < hi; n++)
                for (int o = 0; o < O; o++)
                    y[(size_t)n * O + o] = b ? b[o] : 0.0f;
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, hi - lo, O, F, 1.0f,
                        x->data + (size_t)lo * F, F, W, F, 1.0f, y + (size_t)lo * O, O);
        }
    }
}

static void linear_backward(Net *net, Layer *L)
{
    LinearCfg *c = L->cfg;
    const float *W = c->q.wq ? c->q.wq_data : net->params[c->w_param].w;
    const Tensor *x = c->q.aq ? &c->q.xq : &L->x[0];
    const float *dy = L->dy.data;
    const int F = x->c, O = c->out, N = x->n;
    int dw_add, dx_add;
    float *dW = qhooks_weight_grad(&c->q, net, &dw_add);
    Tensor *dx = qhooks_input_grad(&c->q, L, &dx_add);
    const size_t wn = (size_t)O * F;
    if (c->b_param >= 0) {
        float *db = net->params[c->b_param].g;
        for (int o = 0; o < O; o++) {
            float s = 0.0f;
            for (int n = 0; n < N; n++)
                s += dy[(size_t)n * O + o];
            db[o] += s;
        }
    }
#pragma omp parallel
    {
        int t = omp_get_thread_num(), lo, hi;
        threads_range(N, t, omp_get_num_threads(), &lo, &hi);
        float *dWt = net_workspace(net, t);
        memset(dWt, 0, wn * sizeof(float));
        if (hi > lo) {
            cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, O, F, hi - lo, 1.0f,
                        dy + (size_t)lo * O, O, x->data + (size_t)lo * F, F, 0.0f, dWt, F);
            if (dx->data)
                cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, hi - lo, F, O, 1.0f,
                            dy + (size_t)lo * O, O, W, F, dx_add ? 1.0f : 0.0f,
                            dx->data + (size_t)lo * F, F);
        }
    }
    for (size_t i = 0; i < wn; i++) {
        float s = dw_add ? dW[i] : 0.0f;
        for (int t = 0; t < net->threads; t++)
            s += net_workspace(net, t)[i];
        dW[i] = s;
    }
    prof_push(PROF_QUANT);
    qhooks_weight_backward(&c->q, net);
    qhooks_input_backward(&c->q, L);
    prof_pop();
}

/* PyTorch's nn.Linear default: U(-1/sqrt(F), 1/sqrt(F)) for weight and bias. */
static void linear_init(Net *net, Layer *L, Rng *rng)
{
    LinearCfg *c = L->cfg;
    Param *W = &net->params[c->w_param];
    float bound = 1.0f / sqrtf((float)W->shape[1]);
    for (size_t i = 0; i < W->numel; i++)
        W->w[i] = bound * (2.0f * rng_uniform(rng) - 1.0f);
    if (c->b_param >= 0) {
        Param *B = &net->params[c->b_param];
        for (size_t i = 0; i < B->numel; i++)
            B->w[i] = bound * (2.0f * rng_uniform(rng) - 1.0f);
    }
}

static void linear_cost(const Net *net, const Layer *L, LayerCost *lc)
{
    const LinearCfg *c = L->cfg;
    lc->compute = 1;
    lc->macs = (double)net->params[c->w_param].numel;
    qhooks_cost_bits(&c->q, lc);
}

static void linear_post_step(Net *net, Layer *L)
{
    (void)net;
    qhooks_post_step(&((LinearCfg *)L->cfg)->q);
}

static void linear_destroy(Layer *L) { qhooks_destroy(&((LinearCfg *)L->cfg)->q); }

static QuantHooks *linear_hooks(Layer *L) { return &((LinearCfg *)L->cfg)->q; }

const LayerOps linear_ops = {
    .kind = "linear",
    .out_sign = LAYER_SIGN_ANY,
    .prof = {PROF_LINEAR, PROF_LINEAR},
    .hooks = linear_hooks,
    .plan = linear_plan,
    .bind = linear_bind,
    .forward = linear_forward,
    .backward = linear_backward,
    .init = linear_init,
    .cost = linear_cost,
    .post_step = linear_post_step,
    .destroy = linear_destroy,
};

int layer_linear(Net *net, const char *name, int in, int out, int bias, QbErr *err)
{
    LinearCfg *c = calloc(1, sizeof *c);
    QB_ASSERT(c);
    c->out = out;
    c->bias = bias;
    return net_add_layer(net, &linear_ops, name, 1, &in, c, err);
}
