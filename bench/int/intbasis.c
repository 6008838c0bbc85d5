/* The binary-basis integer path (QINT_BINARY_BASIS, FORMULAS.md §15.6): a layer whose weights
 * are w = Σ_k v_{c,k}·e_k (e ∈ {−1, +1}) and inputs x = Σ_l u_l·a_l (a ∈ {0, 1}) computes
 * each output as Σ_{k,l} v_{c,k}·u_l·(2·popcount(E_k ∧ A_l) − popcount(A_l)) over the codes'
 * bit planes. The check runs the real quantizers (with learned, non-uniform bases), recovers
 * every code from the fake-quantized tensors, runs the popcounts and compares the result
 * with the float layer (intref.h's float bound). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "quantizers/registry.h"
#include "core/layers/qhooks.h"
#include "core/rng.h"
#include "intcheck.h"

#define BASIS_MAX_BITS 8

int int_has_basis_path(const QuantizerOps *ops, QuantRole role)
{
    return ops && ops->int_path[role] == QINT_BINARY_BASIS;
}

/* One basis and its levels: level[c] = Σ_k e_k(c)·v_k in double (the quantizer's own order
 * of summation), as the forward computes them. */
typedef struct {
    int K, signed_codes;
    double v[BASIS_MAX_BITS], level[1 << BASIS_MAX_BITS];
} Basis;

static void basis_of(Basis *b, const float *v, int K, int signed_codes)
{
    b->K = K;
    b->signed_codes = signed_codes;
    for (int k = 0; k < K; k++)
        b->v[k] = v[k];
    for (int c = 0; c < 1 << K; c++) {
        double l = 0.0;
        for (int k = 0; k < K; k++)
            l += ((c >> k & 1) ? 1.0 : (signed_codes ? -1.0 : 0.0)) * b->v[k];
        b->level[c] = l;
    }
}

/* The code whose level, rounded to float, is y; -1 when none is. */
static int basis_code(const Basis *b, float y)
{
    for (int c = 0; c < 1 << b->K; c++)
        if ((float)b->level[c] == y)
            return c;
    return -1;
}

/* Bit planes of n codes: plane k, word w holds bit k of codes 64w..64w+63. A value no code
 * reproduces counts as a mismatch and gets code 0. */
static long planes_of(const Basis *b, const float *y, int n, int words, uint64_t *planes)
{
    long bad = 0;
    memset(planes, 0, (size_t)b->K * words * sizeof *planes);
    for (int i = 0; i < n; i++) {
        int c = basis_code(b, y[i]);
        bad += c < 0;
        for (int k = 0; c > 0 && k < b->K; k++)
            planes[(size_t)k * words + i / 64] |= (uint64_t)(c >> k & 1) << (i % 64);
    }
    return bad;
}

/* Whether the levels of b are one uniform grid (the initial basis's ratios). */
static int basis_uniform(const Basis *b)
{
    double sorted[1 << BASIS_MAX_BITS];
    int n = 1 << b->K;
    memcpy(sorted, b->level, (size_t)n * sizeof *sorted);
    for (int i = 1; i < n; i++)
        for (int j = i; j > 0 && sorted[j - 1] > sorted[j]; j--) {
            double t = sorted[j];
            sorted[j] = sorted[j - 1];
            sorted[j - 1] = t;
        }
    double step = (sorted[n - 1] - sorted[0]) / (n - 1);
    for (int i = 1; i < n; i++)
        if (fabs(sorted[i] - sorted[i - 1] - step) > 1e-6 * fabs(step))
            return 0;
    return 1;
}

/* Channel c's output: Σ_{k,l} v_k·u_l·(2·popcount(E_k ∧ A_l) − popcount(A_l)). */
static double basis_dot(const Basis *w, const uint64_t *E, const Basis *a, const uint64_t *A,
                        const long *pop_a, int words, IntBasisReport *r)
{
    double out = 0.0;
    for (int k = 0; k < w->K; k++)
        for (int l = 0; l < a->K; l++) {
            long both = 0;
            for (int i = 0; i < words; i++)
                both += __builtin_popcountll(E[(size_t)k * words + i] & A[(size_t)l * words + i]);
            out += w->v[k] * a->v[l] * (double)(2 * both - pop_a[l]);
            r->words += words;
            r->rescale++;
        }
    return out;
}

/* The layer's weights (int_draw_weights) and inputs |N(0, 1)|, as after a ReLU. */
static void draw(const IntCheckSpec *s, float *w, float *x)
{
    Rng ra = rng_stream(s->seed, "intcheck.acts");
    int_draw_weights(s, w);
    for (int i = 0; i < s->n; i++)
        x[i] = fabsf(rng_normal(&ra));
}

/* The layer trained `updates` steps of its quantizers' own update (the weights held), then
 * forwarded in evaluation mode. */
static int basis_layer(const IntCheckSpec *s, int updates, Net *net, QbErr *err)
{
    if (int_layer_build(net, s->wmethod, s->amethod, s->wbits, s->abits, s->k, s->n, err) < 0)
        return -1;
    draw(s, net_param(net, "fc.weight")->w, net->input.data);
    for (int t = 0; t < updates; t++) {
        net_forward(net); /* the first initialises the quantizers (FORMULAS.md §1.4) */
        net_post_step(net);
    }
    net->train = 0;
    net_forward(net);
    return 0;
}

static const float *state_of(Net *net, const char *name)
{
    Buffer *b = net_buffer(net, name);
    QB_ASSERT(b);
    return b->data;
}

static int basis_methods(const IntCheckSpec *s, QbErr *err)
{
    if (!int_has_basis_path(quantizer_find(s->wmethod), QROLE_WEIGHT) ||
        !int_has_basis_path(quantizer_find(s->amethod), QROLE_ACT))
        return qb_fail(err, "--scheme: %s weights and %s activations do not both have a "
                            "binary-basis integer path", s->wmethod, s->amethod);
    if (s->wbits > BASIS_MAX_BITS || s->abits > BASIS_MAX_BITS)
        return qb_fail(err, "--wbits %d --abits %d: the binary-basis path takes at most %d",
                       s->wbits, s->abits, BASIS_MAX_BITS);
    if (s->n < 1 || s->k < 1)
        return qb_fail(err, "--n %d --k %d: expected both >= 1", s->n, s->k);
    return 0;
}

/* Encodes the evaluation forward, runs every channel's popcounts and checks them. */
static void basis_run(const IntCheckSpec *s, Net *net, IntBasisReport *r)
{
    const int words = (s->n + 63) / 64;
    QuantHooks *h = layer_hooks(&net->layers[0]);
    uint64_t *E = malloc((size_t)s->wbits * words * sizeof *E);
    uint64_t *A = malloc((size_t)s->abits * words * sizeof *A);
    double *v = malloc((size_t)s->k * sizeof *v);
    QB_ASSERT(E && A && v);
    Basis wb, ab;
    long pop_a[BASIS_MAX_BITS];
    basis_of(&ab, state_of(net, "fc.aq.basis"), s->abits, 0);
    r->a_codes = planes_of(&ab, h->xq.data, s->n, words, A);
    for (int l = 0; l < s->abits; l++) {
        pop_a[l] = 0;
        for (int i = 0; i < words; i++)
            pop_a[l] += __builtin_popcountll(A[(size_t)l * words + i]);
    }
    for (int c = 0; c < s->k; c++) {
        basis_of(&wb, state_of(net, "fc.wq.basis") + (size_t)c * s->wbits, s->wbits, 1);
        r->nonuniform += !basis_uniform(&wb);
        r->w_codes += planes_of(&wb, h->wq_data + (size_t)c * s->n, s->n, words, E);
        v[c] = basis_dot(&wb, E, &ab, A, pop_a, words, r);
    }
    r->bitops = (long long)s->k * s->n * s->wbits * s->abits;
    r->floatb = int_ref_float(h->xq.data, h->wq_data, v, s->k, s->n, int_ref_float_bound(s->n),
                              &r->float_rel);
    free(E);
    free(A);
    free(v);
}

int int_basis_check(const IntCheckSpec *s, int updates, IntBasisReport *r, QbErr *err)
{
    memset(r, 0, sizeof *r);
    r->updates = updates;
    if (basis_methods(s, err) < 0)
        return -1;
    Net net;
    int rc = basis_layer(s, updates, &net, err);
    if (rc == 0)
        basis_run(s, &net, r);
    net_free(&net);
    return rc;
}
