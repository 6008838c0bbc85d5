/* int_check_run: draws (or takes) a layer, fake-quantizes it with the method and with LSQ
 * weights at the same bit-widths (the uniform baseline), encodes both, runs the integer
 * paths and tallies every check of intref.h. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "quantizers/registry.h"
#include "core/rng.h"
#include "intcheck.h"

#define INT_JITTER 0.8f     /* inputs at a ± 0.4 steps: Qa rounds them back to a */

/* F + INT_LUT_EXTRA_BITS, lowered (not below F) until the table's entries and accumulator
 * fit. */
static int lut_default_frac(const IntBook *b, int n, int abits)
{
    int g = b->frac + INT_LUT_EXTRA_BITS;
    while (g > b->frac && (g > INT_ACC_MAX_BITS - 1 - abits ||
                           int_acc_bits(n, abits, (int64_t)1 << g) > INT_ACC_MAX_BITS))
        g--;
    return g;
}

/* POST's table at --lut-frac G (or the default) and its accumulator width. */
static int check_lut(const IntCheckSpec *s, IntCheckReport *r, IntLut *lut, QbErr *err)
{
    int g = s->lut_frac >= 0 ? s->lut_frac : lut_default_frac(&r->book, s->n, s->abits);
    if (int_lut_build(lut, &r->book, s->abits, g, err) < 0)
        return qb_wrap(err, "--lut-frac %d: ", g);
    r->lut.acc_bits = int_acc_bits(s->n, s->abits, (int64_t)1 << g);
    if (r->lut.acc_bits > INT_ACC_MAX_BITS)
        return qb_fail(err, "--lut-frac %d: the table's accumulator for --n %d needs %d bits, "
                            "more than %d", g, s->n, r->lut.acc_bits, INT_ACC_MAX_BITS);
    r->lut_frac = g;
    r->lut_rows = 1 << s->abits;
    r->lut_cols = lut->ncol;
    r->lut_entry_bits = lut->entry_bits;
    return 0;
}

/* Books and width checks before anything runs, each naming the flag at fault. */
static int check_books(const IntCheckSpec *s, IntCheckReport *r, IntLut *lut, QbErr *err)
{
    const QuantizerOps *ops = quantizer_find(s->wmethod);
    if (!ops || int_book_build(&r->book, ops, s->wbits, NULL, 0, err) < 0)
        return ops ? qb_wrap(err, "--wbits %d: ", s->wbits)
                   : qb_fail(err, "unknown weight method '%s'", s->wmethod);
    Quantizer *aq = quantizer_new(s->amethod, QROLE_ACT, s->abits, 0, NULL, 0, err);
    if (!aq)
        return qb_wrap(err, "--abits %d: ", s->abits);
    int coded = aq->ops->int_path[QROLE_ACT] == QINT_UNIFORM;
    quantizer_delete(aq);
    if (!coded)
        return qb_fail(err, "%s activations have no integer codes (no uniform int_path)",
                       s->amethod);
    if (s->n < 1 || s->k < 1)
        return qb_fail(err, "--n %d --k %d: expected both >= 1", s->n, s->k);
    r->exact.acc_bits = int_acc_bits(s->n, s->abits, r->book.mult[r->book.nmag - 1]);
    if (r->exact.acc_bits > INT_ACC_MAX_BITS)
        return qb_fail(err, "--wbits %d: %s's accumulator for --n %d at --abits %d needs %d "
                            "bits, more than the %d the integer path allows (int64, exact in "
                            "double); use fewer bits or a smaller --n",
                       s->wbits, s->wmethod, s->n, s->abits, r->exact.acc_bits, INT_ACC_MAX_BITS);
    r->uniform.acc_bits = int_acc_bits(s->n, s->abits, (int64_t)1 << (s->wbits - 1));
    r->has_lut = r->book.kind == QINT_SQRT2;
    return r->has_lut ? check_lut(s, r, lut, err) : 0;
}

void int_draw_weights(const IntCheckSpec *s, float *w)
{
    Rng rw = rng_stream(s->seed, "intcheck.weights");
    const float sd = sqrtf(2.0f / (float)s->n);
    for (size_t i = 0; i < (size_t)s->k * s->n; i++)
        w[i] = s->weights ? s->weights[i] : sd * rng_normal(&rw);
}

/* Inputs a + U(-0.4, 0.4) steps with a uniform over the activation codes. */
static void draw_inputs(const IntCheckSpec *s, float *w, float *u)
{
    Rng ra = rng_stream(s->seed, "intcheck.acts");
    int_draw_weights(s, w);
    for (int i = 0; i < s->n; i++)
        u[i] = (float)rng_below(&ra, 1u << s->abits) + INT_JITTER * (rng_uniform(&ra) - 0.5f);
}

static long count_nnz(const IntWeights *w)
{
    long z = 0;
    for (size_t i = 0; i < (size_t)w->k * w->n; i++)
        z += w->sign[i] != 0;
    return z;
}

typedef void (*IntDotFn)(const IntBook *, const IntWeights *, const uint8_t *, int64_t *,
                         IntOps *);

/* Encodes a layer run, runs one integer path (int_dot_shift or int_dot_mul) and checks it;
 * fills wts, a and acc (k·2) for later use. */
static void path_check(const IntBook *b, const IntLayerRun *run, int abits, IntDotFn dot,
                       IntPath *p, IntWeights *wts, uint8_t *a, int64_t *acc, long *act_codes)
{
    double *v = malloc((size_t)run->k * sizeof *v);
    double *y = malloc((size_t)run->k * sizeof *y);
    QB_ASSERT(v && y);
    p->codes = int_weights_encode(wts, b, run->w_hat, run->wscale, 1);
    *act_codes += int_acts_encode(a, run->x_hat, run->n, run->step, abits);
    p->nnz = count_nnz(wts);
    dot(b, wts, a, acc, &p->ops);
    p->grid = int_ref_grid(b, wts, a, acc);
    int_rescale(b, wts, run->step, acc, v, &p->ops);
    p->floatb = int_ref_float(run->x_hat, run->w_hat, v, run->k, run->n,
                              int_ref_float_bound(run->n), &p->float_rel);
    for (int c = 0; c < run->k; c++)
        y[c] = run->y[c];
    int_ref_float(run->x_hat, run->w_hat, y, run->k, run->n, INFINITY, &p->layer_rel);
    free(v);
    free(y);
}

static void lut_check(const IntLut *lut, IntCheckReport *r, const IntWeights *w,
                      const uint8_t *a, const int64_t *acc)
{
    int64_t *acc_lut = malloc((size_t)w->k * sizeof *acc_lut);
    QB_ASSERT(acc_lut);
    r->lut.nnz = r->exact.nnz;
    int_dot_lut(lut, &r->book, w, a, acc_lut, &r->lut.ops);
    r->lut.ops.rescale = w->k; /* one multiply by step·alpha_c·2^-G */
    r->lut_bad = int_ref_lut(lut, &r->book, w, a, acc, acc_lut, &r->lut_err);
    free(acc_lut);
}

/* The method's layer, then the uniform one on the same weights and inputs. */
static int run_paths(const IntCheckSpec *s, IntCheckReport *r, const IntLut *lut,
                     const float *w, const float *u, QbErr *err)
{
    IntLayerRun run;
    IntWeights wts;
    IntBook ub;
    uint8_t *a = malloc((size_t)s->n);
    int64_t *acc = malloc((size_t)s->k * 2 * sizeof *acc);
    QB_ASSERT(a && acc);
    int rc = int_layer_run(s->wmethod, s->amethod, s->wbits, s->abits, s->k, s->n, w, u, &run,
                           err);
    if (rc == 0) {
        int_weights_alloc(&wts, s->k, s->n);
        path_check(&r->book, &run, s->abits, int_dot_shift, &r->exact, &wts, a, acc,
                   &r->act_codes);
        if (r->has_lut)
            lut_check(lut, r, &wts, a, acc);
        int_weights_free(&wts);
        int_layer_run_free(&run);
        rc = int_layer_run("lsq", s->amethod, s->wbits, s->abits, s->k, s->n, w, u, &run, err);
    }
    if (rc == 0) {
        int_book_uniform(&ub, s->wbits);
        int_weights_alloc(&wts, s->k, s->n);
        path_check(&ub, &run, s->abits, int_dot_mul, &r->uniform, &wts, a, acc, &r->act_codes);
        int_weights_free(&wts);
        int_layer_run_free(&run);
    }
    free(a);
    free(acc);
    return rc;
}

static long path_mismatches(const IntPath *p) { return p->codes + p->grid + p->floatb; }

int int_check_run(const IntCheckSpec *s, IntCheckReport *r, QbErr *err)
{
    memset(r, 0, sizeof *r);
    IntLut lut = {0};
    if (check_books(s, r, &lut, err) < 0) {
        int_lut_free(&lut);
        return -1;
    }
    float *w = malloc((size_t)s->k * s->n * sizeof *w), *u = malloc((size_t)s->n * sizeof *u);
    QB_ASSERT(w && u);
    draw_inputs(s, w, u);
    int rc = run_paths(s, r, &lut, w, u, err);
    r->float_bound = int_ref_float_bound(s->n);
    r->mismatches = path_mismatches(&r->exact) + path_mismatches(&r->uniform) + r->lut_bad +
                    r->act_codes;
    free(w);
    free(u);
    int_lut_free(&lut);
    return rc;
}
