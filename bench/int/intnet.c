/* The whole-network integer run (intnet.h): building the integer layers from a trained
 * fake-quantized Net, and running one image through them. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/layers/layers.h"
#include "core/layers/qhooks.h"
#include "intcheck.h"
#include "intnet.h"


/* The kinds run in integers, by LayerOps name. */
static const struct {
    const char *kind;
    IntNodeKind node;
} int_kinds[] = {
    {"conv2d", IN_COMPUTE}, {"linear", IN_COMPUTE},   {"bn2d", IN_ALIAS},
    {"bn2d_relu", IN_ALIAS}, {"flatten", IN_ALIAS},   {"relu", IN_RELU},
    {"relu6", IN_RELU6},     {"add", IN_ADD},         {"add_relu", IN_ADD_RELU},
    {"maxpool", IN_MAXPOOL}, {"avgpool", IN_AVGPOOL}, {"gap", IN_GAP},
    {"shortcut_a", IN_SHORTCUT_A},
};
#define INT_NKINDS ((int)(sizeof int_kinds / sizeof int_kinds[0]))

static int node_kind(const Layer *L, IntNodeKind *out, QbErr *err)
{
    for (int i = 0; i < INT_NKINDS; i++)
        if (!strcmp(L->ops->kind, int_kinds[i].kind))
            return *out = int_kinds[i].node, 0;
    char list[400] = "";
    for (int i = 0; i < INT_NKINDS; i++)
        snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s", i ? ", " : "",
                 int_kinds[i].kind);
    return qb_fail(err, "layer %s (%s): no integer form; intrun runs %s", L->name, L->ops->kind,
                   list);
}

/* The quantizers a layer's integer form needs: weights with a uniform or shift book, inputs
 * on one uniform step per layer (no per-sample adapter). */
static int check_quantizers(const Layer *L, const Quantizer *wq, const Quantizer *aq, QbErr *err)
{
    static const char supported[] = "weights on uniform codes (lsq) or a shift book (pot, apot, "
                                    "post), inputs on one scale per layer with levels that are "
                                    "integer multiples of one unit (lsq, pot, apot)";
    if (!wq || !aq)
        return qb_fail(err, "layer %s has no %s quantizer (a full-precision layer); intrun needs "
                            "every conv/linear quantized: %s", L->name, wq ? "input" : "weight",
                       supported);
    QuantIntPath wp = wq->ops->int_path[QROLE_WEIGHT];
    if (wp != QINT_UNIFORM && wp != QINT_SHIFT && wp != QINT_SHIFT_ADD && wp != QINT_SQRT2)
        return qb_fail(err, "layer %s: weight quantizer %s has no integer form here; intrun "
                            "supports %s", L->name, wq->ops->name, supported);
    if (aq->ops->inference_cost || !aq->ops->scale)
        return qb_fail(err, "layer %s: input quantizer %s %s; intrun supports %s", L->name,
                       aq->ops->name,
                       aq->ops->inference_cost ? "computes its step per sample (an adapter)"
                                               : "states no scale",
                       supported);
    return 0;
}

#define INT_MAX_LEVELS 520  /* an 8-bit grid's levels, with room */
#define INT_LEVEL_UNIT_BITS 16

/* A non-uniform input grid as integers: every level an integer multiple of the smallest
 * positive one over 2^s (s <= INT_LEVEL_UNIT_BITS); its unit times the quantizer's scale is
 * s_a. POST's √2 powers have no such unit: an error naming the layer. */
static int act_levels(IntLayer *c, const Layer *L, const Quantizer *aq, QbErr *err)
{
    double lv[INT_MAX_LEVELS];
    int n = quantizer_grid(aq, lv, INT_MAX_LEVELS);
    QB_ASSERT(n >= 2 && n <= INT_MAX_LEVELS);
    QuantScale qs = aq->ops->scale(aq, 0);
    double t = 0.0;
    for (int j = 0; j < n; j++)
        t = lv[j] > 0 && (t == 0.0 || lv[j] < t) ? lv[j] : t;
    for (int sh = 0; sh <= INT_LEVEL_UNIT_BITS && qs.out_offset == 0.0 && t > 0; sh++) {
        double unit = ldexp(t, -sh);
        int ok = 1;
        for (int j = 0; j < n && ok; j++)
            ok = fabs(lv[j] / unit - rint(lv[j] / unit)) < 1e-9 * (1.0 + fabs(lv[j] / unit));
        if (!ok)
            continue;
        c->nlev = n;
        c->alev = malloc((size_t)n * sizeof *c->alev);
        c->athr = malloc((size_t)n * sizeof *c->athr);
        QB_ASSERT(c->alev && c->athr);
        c->step = (float)(qs.out_scale * unit);
        for (int j = 0; j < n; j++) {
            c->alev[j] = (int32_t)rint(lv[j] / unit);
            /* athr[j]: the least value whose nearest level is j (j > 0) */
            c->athr[j] = j ? (int64_t)ceil(0.5 * (lv[j - 1] + lv[j]) * qs.out_scale *
                                           ldexp(1.0, INT_NET_FRAC))
                           : INT64_MIN;
        }
        c->qlo = c->alev[0];
        c->qhi = c->alev[n - 1];
        return 0;
    }
    return qb_fail(err, "layer %s: input quantizer %s's levels are no integer multiples of one "
                        "unit (to 2^-%d of the smallest), so its codes have no integer value; "
                        "intrun supports lsq, pot and apot inputs", L->name, aq->ops->name,
                   INT_LEVEL_UNIT_BITS);
}

/* The code range of aq's grid: its levels times the top code. */
static void act_range(const Quantizer *aq, int32_t *lo, int32_t *hi)
{
    double lv[520];
    int n = quantizer_grid(aq, lv, 520);
    QB_ASSERT(n >= 2 && n <= 520);
    double top = rint(1.0 / (lv[n - 1] - lv[n - 2]));
    *lo = (int32_t)rint(lv[0] * top);
    *hi = (int32_t)rint(lv[n - 1] * top);
}

/* The book of wq's method at its bits. */
static int weight_book(const Quantizer *wq, IntBook *b, QbErr *err)
{
    if (wq->ops->int_path[QROLE_WEIGHT] == QINT_UNIFORM)
        return int_book_uniform(b, wq->bits), 0;
    return int_book_build(b, wq->ops, wq->bits, wq->opts, wq->nopts, err);
}

/* Operations per image of a layer with weights w over ho·wo outputs each. */
static void count_ops(IntLayer *c, const IntBook *b, const IntWeights *w, long long outs)
{
    for (size_t i = 0; i < (size_t)c->k * c->n; i++) {
        if (!w->sign[i])
            continue;
        c->nnz++;
        int j = w->code[i];
        if (b->kind == QINT_UNIFORM) {
            c->ops.mul += outs;
            c->ops.add += outs;
            continue;
        }
        for (int t = 0; t < b->nterm[j]; t++)
            c->ops.shift += b->shift[j][t] ? outs : 0;
        c->ops.add += outs * b->nterm[j];
    }
    c->ops.rescale = (long long)c->k * outs * (c->w_odd ? 2 : 1); /* multiplier applications */
}

/* The weights as integers: w_even/w_odd = sign·mult by exponent parity. */
static void layer_weights(IntLayer *c, const IntBook *b, const IntWeights *w)
{
    size_t kn = (size_t)c->k * c->n;
    int any_odd = 0;
    for (int j = 0; j < b->nmag; j++)
        any_odd |= b->odd[j];
    c->w_even = calloc(kn, sizeof *c->w_even);
    c->w_odd = any_odd ? calloc(kn, sizeof *c->w_odd) : NULL;
    QB_ASSERT(c->w_even && (c->w_odd || !any_odd));
    for (size_t i = 0; i < kn; i++) {
        int32_t v = (int32_t)(w->sign[i] * b->mult[w->code[i]]);
        if (b->odd[w->code[i]])
            c->w_odd[i] = v;
        else
            c->w_even[i] = v;
    }
}

/* The batch norm a compute layer's only consumer is (-1: none), folded: its eval-mode affine
 * map y = a·x + b of channel ch as bn2d computes it in float; a = 1, b = 0 without one. */
static void bn_affine(const Net *net, int consumer, int ch, double *a, double *b)
{
    *a = 1.0;
    *b = 0.0;
    if (consumer < 0)
        return;
    const Layer *B = &net->layers[consumer];
    char name[LAYER_NAME_MAX + 24];
    snprintf(name, sizeof name, "%s.weight", B->name);
    float gamma = net_param((Net *)net, name)->w[ch];
    snprintf(name, sizeof name, "%s.bias", B->name);
    float beta = net_param((Net *)net, name)->w[ch];
    snprintf(name, sizeof name, "%s.running_mean", B->name);
    float mean = net_buffer((Net *)net, name)->data[ch];
    snprintf(name, sizeof name, "%s.running_var", B->name);
    float invstd = 1.0f / sqrtf(net_buffer((Net *)net, name)->data[ch] + BN_EPS);
    float fa = gamma * invstd;
    *a = fa;
    *b = beta - mean * fa;
}

/* The multipliers and biases of layer li, its batch norm (consumer, or -1) folded in. */
static void layer_requant(IntLayer *c, const Net *net, int li, int consumer, const IntBook *b,
                          const IntWeights *w)
{
    const Layer *L = &net->layers[li];
    char name[LAYER_NAME_MAX + 16];
    snprintf(name, sizeof name, "%s.bias", L->name);
    const Param *pb = net_param((Net *)net, name);
    c->m_even = calloc((size_t)c->k, sizeof *c->m_even);
    c->m_odd = calloc((size_t)c->k, sizeof *c->m_odd);
    c->bias = calloc((size_t)c->k, sizeof *c->bias);
    QB_ASSERT(c->m_even && c->m_odd && c->bias);
    double xmax = ldexp(1.0, c->acc_bits - 1);
    for (int ch = 0; ch < c->k; ch++) {
        double a, bb, one = ldexp(1.0, INT_NET_FRAC);
        bn_affine(net, consumer, ch, &a, &bb);
        double r = a * (double)c->step * w->scale[ch] / (double)b->denom * one;
        c->m_even[ch] = int_fix_make(r);
        c->m_odd[ch] = int_fix_make(r / sqrt(2.0));
        c->bias[ch] = (int64_t)rint((bb + a * (pb ? pb->w[ch] : 0.0f)) * one);
        double e = int_fix_bound(r, c->m_even[ch], xmax);
        c->max_fix_err = e > c->max_fix_err ? e : c->max_fix_err;
    }
}

/* Layer li's only consumer when it is a batch norm, else -1; and whether it clamps. */
static int bn_consumer(const Net *net, int li, int *relu)
{
    int found = -1, uses = 0;
    for (int j = li + 1; j < net->nlayers; j++)
        for (int i = 0; i < net->layers[j].nin; i++)
            if (net->layers[j].in[i] == li) {
                uses++;
                found = j;
            }
    if (uses != 1 || strncmp(net->layers[found].ops->kind, "bn2d", 4))
        return -1;
    *relu = !strcmp(net->layers[found].ops->kind, "bn2d_relu");
    return found;
}

static int build_compute(IntNet *in, int li, QbErr *err)
{
    Net *net = in->net;
    Layer *L = &net->layers[li];
    const Quantizer *wq = layer_weight_quantizer(L), *aq = layer_input_quantizer(L);
    if (check_quantizers(L, wq, aq, err) < 0)
        return -1;
    IntLayer *c = calloc(1, sizeof *c);
    QB_ASSERT(c);
    in->nodes[li].c = c;
    char name[LAYER_NAME_MAX + 8];
    snprintf(name, sizeof name, "%s.weight", L->name);
    const Param *W = net_param(net, name);
    c->linear = !strcmp(L->ops->kind, "linear");
    c->k = W->shape[0];
    c->n = (int)(W->numel / (size_t)c->k);
    c->kh = c->kw = 1;
    c->stride = 1;
    c->groups = 1;
    if (!c->linear) {
        Conv2dSpec s = layer_conv2d_spec(L);
        c->kh = c->kw = s.k;
        c->stride = s.stride;
        c->pad = s.pad;
        c->groups = s.groups;
    }
    c->wbits = wq->bits;
    c->abits = aq->bits;
    c->wmethod = wq->ops->name;
    c->amethod = aq->ops->name;
    if (aq->ops->int_path[QROLE_ACT] == QINT_UNIFORM) {
        c->step = int_code_scale(aq, 0);
        c->in_fix = int_fix_make(ldexp(1.0, -INT_NET_FRAC) / c->step);
        act_range(aq, &c->qlo, &c->qhi);
    } else if (act_levels(c, L, aq, err) < 0)
        return -1;
    IntBook b;
    if (weight_book(wq, &b, err) < 0)
        return qb_wrap(err, "layer %s: ", L->name);
    IntWeights w;
    int_weights_alloc(&w, c->k, c->n);
    float *scale = malloc((size_t)c->k * sizeof *scale);
    QB_ASSERT(scale);
    for (int ch = 0; ch < c->k; ch++)
        scale[ch] = int_code_scale(wq, ch);
    c->weight_codes_bad = int_weights_encode(&w, &b, layer_hooks(L)->wq_data, scale, 1);
    free(scale);
    int32_t amax = c->qhi > -c->qlo ? c->qhi : -c->qlo;
    c->acc_bits = int_acc_bits(c->n, 1, b.mult[b.nmag - 1] * (int64_t)amax);
    c->wide = c->acc_bits > 32;
    layer_weights(c, &b, &w);
    int relu = 0, bn = bn_consumer(net, li, &relu);
    layer_requant(c, net, li, bn, &b, &w);
    c->lo = relu ? 0 : INT64_MIN;
    c->hi = INT64_MAX;
    count_ops(c, &b, &w, (long long)L->out_dims.h * L->out_dims.w);
    int_weights_free(&w);
    c->codes = calloc(dims_numel(L->in_dims[0]), sizeof *c->codes);
    QB_ASSERT(c->codes);
    if (bn >= 0)
        in->nodes[bn].src[0] = li; /* the batch norm becomes an alias of this output */
    return 0;
}

/* The fold needs the batch norm right after a conv/linear that feeds nothing else. */
static int check_alias(const IntNet *in, int li, QbErr *err)
{
    const Layer *L = &in->net->layers[li];
    if (strncmp(L->ops->kind, "bn2d", 4))
        return 0;
    int p = L->in[0], relu = 0;
    if (p < 0 || in->nodes[p].kind != IN_COMPUTE || bn_consumer(in->net, p, &relu) != li)
        return qb_fail(err, "layer %s (%s): intrun folds a batch norm into the conv/linear "
                            "before it, which must feed it alone", L->name, L->ops->kind);
    return 0;
}

int int_net_build(IntNet *in, Net *net, QbErr *err)
{
    memset(in, 0, sizeof *in);
    in->net = net;
    in->n = net->nlayers;
    in->nodes = calloc((size_t)in->n, sizeof *in->nodes);
    QB_ASSERT(in->nodes);
    size_t patch = 1;
    for (int li = 0; li < in->n; li++) {
        Layer *L = &net->layers[li];
        IntNode *d = &in->nodes[li];
        d->layer = li;
        d->src[0] = L->in[0];
        d->src[1] = L->nin > 1 ? L->in[1] : NET_INPUT;
        d->in = L->in_dims[0];
        d->out = L->out_dims;
        if (node_kind(L, &d->kind, err) < 0 || check_alias(in, li, err) < 0 ||
            (d->kind == IN_COMPUTE && build_compute(in, li, err) < 0))
            return -1;
        if (d->kind == IN_MAXPOOL || d->kind == IN_AVGPOOL)
            layer_pool_window(L, &d->pk, &d->pstride, &d->ppad);
        if (d->kind == IN_SHORTCUT_A)
            d->pstride = (d->in.h + d->out.h - 1) / d->out.h;
        if (d->kind == IN_COMPUTE && (size_t)d->c->n > patch)
            patch = (size_t)d->c->n;
        if (d->kind != IN_ALIAS) {
            d->v = calloc(dims_numel(d->out), sizeof *d->v);
            QB_ASSERT(d->v);
        }
    }
    in->patch = calloc(patch, sizeof *in->patch);
    QB_ASSERT(in->patch);
    return 0;
}

void int_net_free(IntNet *in)
{
    for (int i = 0; in->nodes && i < in->n; i++) {
        IntNode *d = &in->nodes[i];
        if (d->c) {
            free(d->c->w_even);
            free(d->c->w_odd);
            free(d->c->m_even);
            free(d->c->m_odd);
            free(d->c->bias);
            free(d->c->codes);
            free(d->c->alev);
            free(d->c->athr);
            free(d->c);
        }
        free(d->v);
    }
    free(in->nodes);
    free(in->patch);
    memset(in, 0, sizeof *in);
}

/* The values node i's consumers read: an alias reads through to its producer. */
static const int64_t *node_values(const IntNet *in, int i)
{
    while (in->nodes[i].kind == IN_ALIAS)
        i = in->nodes[i].src[0];
    return in->nodes[i].v;
}

/* The integer level nearest value v (units 2^-F) of a non-uniform grid: a binary search over
 * the midpoints. */
static int32_t level_code(const IntLayer *c, int64_t v)
{
    int lo = 0, hi = c->nlev - 1;
    while (lo < hi) {
        int mid = (lo + hi + 1) / 2;
        if (v >= c->athr[mid])
            lo = mid;
        else
            hi = mid - 1;
    }
    return c->alev[lo];
}

/* The input codes of compute node d: from the image in float as the quantizer computes them
 * (rintf of the clipped x/s_a), else from the producer's values by the requantizing multiplier. */
static void input_codes(const IntNet *in, const IntNode *d, const float *x)
{
    IntLayer *c = d->c;
    size_t n = dims_numel(d->in);
    if (d->src[0] == NET_INPUT && !c->nlev) {
        for (size_t i = 0; i < n; i++) {
            float u = x[i] / c->step;
            u = u < (float)c->qlo ? (float)c->qlo : u > (float)c->qhi ? (float)c->qhi : u;
            c->codes[i] = (int32_t)rintf(u);
        }
        return;
    }
    if (d->src[0] == NET_INPUT) { /* a non-uniform first layer: the image to 2^-F first */
        for (size_t i = 0; i < n; i++)
            c->codes[i] = level_code(c, (int64_t)rint(ldexp(x[i], INT_NET_FRAC)));
        return;
    }
    const int64_t *v = node_values(in, d->src[0]);
    for (size_t i = 0; i < n; i++)
        c->codes[i] = c->nlev ? level_code(c, v[i]) : int_fix_code(v[i], c->in_fix, c->qlo, c->qhi);
}

static int64_t dot32(const int32_t *w, const int32_t *a, int n)
{
    int32_t s = 0;
    for (int i = 0; i < n; i++)
        s += w[i] * a[i];
    return s;
}

static int64_t dot64(const int32_t *w, const int32_t *a, int n)
{
    int64_t s = 0;
    for (int i = 0; i < n; i++)
        s += (int64_t)w[i] * a[i];
    return s;
}

/* The patch of input codes output (g, oy, ox) reads, zero outside the image (the code of 0). */
static void gather(const IntLayer *c, Dims in, const int32_t *codes, int g, int oy, int ox,
                   int32_t *patch)
{
    int cg = in.c / c->groups, j = 0;
    for (int ci = 0; ci < cg; ci++)
        for (int ky = 0; ky < c->kh; ky++)
            for (int kx = 0; kx < c->kw; kx++, j++) {
                int iy = oy * c->stride - c->pad + ky, ix = ox * c->stride - c->pad + kx;
                patch[j] = iy >= 0 && iy < in.h && ix >= 0 && ix < in.w
                               ? codes[((size_t)(g * cg + ci) * in.h + iy) * in.w + ix]
                               : 0;
            }
}

static void run_compute(IntNet *in, IntNode *d, const float *x)
{
    IntLayer *c = d->c;
    input_codes(in, d, x);
    int64_t (*dot)(const int32_t *, const int32_t *, int) = c->wide ? dot64 : dot32;
    int kg = c->k / c->groups, hw = d->out.h * d->out.w;
    for (int g = 0; g < c->groups; g++)
        for (int p = 0; p < hw; p++) {
            const int32_t *a = c->codes; /* a linear layer reads its whole input */
            if (!c->linear) {
                gather(c, d->in, c->codes, g, p / d->out.w, p % d->out.w, in->patch);
                a = in->patch;
            }
            for (int kk = g * kg; kk < (g + 1) * kg; kk++) {
                size_t off = (size_t)kk * c->n;
                int64_t v = int_fix_apply(dot(c->w_even + off, a, c->n), c->m_even[kk]);
                if (c->w_odd)
                    v += int_fix_apply(dot(c->w_odd + off, a, c->n), c->m_odd[kk]);
                v += c->bias[kk];
                d->v[(size_t)kk * hw + p] = v < c->lo ? c->lo : v > c->hi ? c->hi : v;
            }
        }
}

/* Max or average pooling over d's window; the average as a rounded integer division by the
 * window's size (padding counted, as the float layer divides by k·k). */
static void run_pool(IntNet *in, IntNode *d)
{
    const int64_t *x = node_values(in, d->src[0]);
    int k = d->pk, s = d->pstride, pad = d->ppad, avg = d->kind == IN_AVGPOOL;
    if (d->kind == IN_GAP) {
        k = d->in.h;
        s = 1;
        pad = 0;
        avg = 1;
    }
    for (int ch = 0; ch < d->out.c; ch++)
        for (int oy = 0; oy < d->out.h; oy++)
            for (int ox = 0; ox < d->out.w; ox++) {
                int64_t acc = avg ? 0 : INT64_MIN;
                for (int i = 0; i < k; i++)
                    for (int j = 0; j < (d->kind == IN_GAP ? d->in.w : k); j++) {
                        int iy = oy * s - pad + i, ix = ox * s - pad + j;
                        if (iy < 0 || iy >= d->in.h || ix < 0 || ix >= d->in.w)
                            continue;
                        int64_t v = x[((size_t)ch * d->in.h + iy) * d->in.w + ix];
                        acc = avg ? acc + v : (v > acc ? v : acc);
                        in->elem_ops++;
                    }
                if (avg) {
                    int64_t cnt = d->kind == IN_GAP ? (int64_t)d->in.h * d->in.w : (int64_t)k * k;
                    /* round half up: floor((2·acc + cnt) / (2·cnt)) */
                    int64_t num = 2 * acc + cnt, den = 2 * cnt;
                    acc = num >= 0 ? num / den : -((-num + den - 1) / den);
                    in->elem_ops++;
                }
                d->v[((size_t)ch * d->out.h + oy) * d->out.w + ox] = acc;
            }
}

/* Option A: every stride-th pixel, the channels centred among zero ones. */
static void run_shortcut(IntNet *in, IntNode *d)
{
    const int64_t *x = node_values(in, d->src[0]);
    int lo = (d->out.c - d->in.c) / 2, s = d->pstride;
    for (int ch = 0; ch < d->out.c; ch++)
        for (int y = 0; y < d->out.h; y++)
            for (int xx = 0; xx < d->out.w; xx++) {
                int ci = ch - lo;
                d->v[((size_t)ch * d->out.h + y) * d->out.w + xx] =
                    ci < 0 || ci >= d->in.c ? 0
                                            : x[((size_t)ci * d->in.h + y * s) * d->in.w + xx * s];
            }
}

/* ReLU, ReLU6 and the residual adds, elementwise. */
static void run_elementwise(IntNet *in, IntNode *d)
{
    const int64_t *a = node_values(in, d->src[0]);
    const int64_t *b = d->kind == IN_ADD || d->kind == IN_ADD_RELU ? node_values(in, d->src[1])
                                                                    : NULL;
    int64_t six = (int64_t)6 << INT_NET_FRAC;
    size_t n = dims_numel(d->out);
    for (size_t i = 0; i < n; i++) {
        int64_t v = b ? a[i] + b[i] : a[i];
        if (d->kind != IN_ADD && v < 0)
            v = 0;
        if (d->kind == IN_RELU6 && v > six)
            v = six;
        d->v[i] = v;
    }
    in->elem_ops += (long long)n;
}

const int64_t *int_net_run(IntNet *in, const float *x)
{
    in->elem_ops = 0;
    for (int i = 0; i < in->n; i++) {
        IntNode *d = &in->nodes[i];
        switch (d->kind) {
        case IN_COMPUTE: run_compute(in, d, x); break;
        case IN_ALIAS: break;
        case IN_MAXPOOL:
        case IN_AVGPOOL:
        case IN_GAP: run_pool(in, d); break;
        case IN_SHORTCUT_A: run_shortcut(in, d); break;
        default: run_elementwise(in, d); break;
        }
    }
    return node_values(in, in->n - 1);
}

void int_net_compare(IntNet *in, int image)
{
    for (int i = 0; i < in->n; i++) {
        IntLayer *c = in->nodes[i].c;
        if (!c)
            continue;
        const QuantHooks *h = layer_hooks(&in->net->layers[i]);
        size_t n = dims_numel(in->nodes[i].in);
        const float *xq = h->xq.data + (size_t)image * n;
        for (size_t j = 0; j < n; j++)
            c->code_mismatch += (int32_t)rintf(xq[j] / c->step) != c->codes[j];
        c->codes_compared += (long long)n;
    }
}

int int_net_argmax(const int64_t *v, int n)
{
    int best = 0;
    for (int i = 1; i < n; i++)
        if (v[i] > v[best])
            best = i;
    return best;
}
