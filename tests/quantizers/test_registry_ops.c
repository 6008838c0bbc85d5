/* Every walked method (qwalk.h) answers every operation it declares, and its input and
 * parameter gradients agree with finite differences.
 *
 * A quantizer's backward is a straight-through estimate, not the derivative of its staircase
 * forward, so the differences are taken of the surrogate the estimate differentiates: around
 * the point x0, element i of group g is
 *     ỹ_i = out_offset + out_scale·(clip(u_i) + r_i),   u_i = (x_i − in_offset)/in_scale,
 * with the rounding residual r_i = (y0_i − out_offset)/out_scale − clip(u0_i) frozen at x0
 * (so ỹ = y at x0) and the QuantScale of the method's own scale op. Methods differ in what
 * their estimate holds constant, and a gradient must follow one convention per tensor: the
 * residual scales with the step (LSQ, POT, APoT, ASQ) or stays fixed in output units (PACT's
 * ∂y/∂α = 1[x >= α]); the scale follows the input (ASQ's adapter) or is held (uniform's
 * max|w|, APoT's μ and σ by default); the clip masks the input gradient or is passed through
 * (APoT's CIFAR weight gradient; a method's own tests pin which). Parameter gradients may
 * carry one positive factor per tensor (LSQ's g = 1/sqrt(N·Qp)). Inputs are spread over the
 * grid and beyond both ends, kept away from the clip bounds, and entries whose probes
 * straddle a kink are skipped, as the layer tests do. A method without a scale op (DoReFa's
 * tanh) is checked for finite, assigned gradients only (test_registry.c). */
#include <criterion/criterion.h>
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <stdio.h>

#include "core/rng.h"
#include "core/threads.h"
#include "tests/support/gradcheck.h"
#include "qwalk.h"

#define MARGIN 0.12    /* normalised units: inputs this close to a clip bound move 1.5x away */
#define PROBE 1e-3     /* input probe step, normalised units */
#define PPROBE 3e-2    /* parameter probe step, relative to max(|p|, the tensor's rms) */
#define MAX_INPUTS 64  /* input entries probed per case, evenly spaced */

/* Checks the declared extras: grid (unsigned: the levels() set), int_path (only for a role
 * the method has), scale (positive, finite: test_registry.c checks outputs against it) and
 * inference_cost (finite, no more parameters than the quantizer registered). A signed input's
 * grid may stay unsigned when an offset follows the input (the template). */
static void ops_case(const QCase *c)
{
    const QuantizerOps *ops = c->ops;
    for (int role = 0; role < 2; role++)
        cr_assert(ops->int_path[role] == QINT_NONE || (ops->roles & (1u << role)),
                  "%s declares an integer path for a role it does not quantize", ops->name);
    QWalkRig w;
    qwalk_open(&w, c);
    double *g = malloc(QWALK_LEVELS_CAP * sizeof(double));
    int n = quantizer_grid(w.q, g, QWALK_LEVELS_CAP);
    cr_assert(n >= 2 && n <= QWALK_LEVELS_CAP, "%s: grid of %d levels", c->who, n);
    cr_assert(quantizer_grid(w.q, NULL, 0) == n, "%s: the grid count depends on cap", c->who);
    for (int i = 1; i < n; i++)
        cr_assert_lt(g[i - 1], g[i], "%s: grid not ascending at %d", c->who, i);
    if (!c->is_signed) {
        cr_assert_eq(n, c->n, "%s: grid has %d levels, levels() %d", c->who, n, c->n);
        for (int i = 0; i < n; i++)
            cr_assert_float_eq(g[i], c->lv[i], 0, "%s: grid[%d] != levels()[%d]", c->who, i, i);
    }
    free(g);
    if (ops->inference_cost) {
        double p = -1, m = -1, own = 0;
        ops->inference_cost(w.q, &p, &m);
        for (int i = 0; i < w.r.net.nparams; i++)
            own += w.r.net.params[i].group == PGROUP_QUANT ? (double)w.r.net.params[i].numel : 0;
        cr_assert(isfinite(p) && isfinite(m) && p >= 0 && m >= 0 && p <= own,
                  "%s: inference cost %g params %g MACs (it registered %g)", c->who, p, m, own);
    }
    qwalk_close(&w);
}

Test(registry_ops, every_method_answers_every_operation_it_declares) { qwalk(ops_case); }

static void one_thread(void) { threads_set(1); }

/* The surrogate around x0 (see the top comment). */
typedef struct {
    QWalkRig w;
    const QCase *c;
    double lo, hi;      /* the grid's ends: the clip bounds in normalised units */
    QuantScale *s0;     /* per group at x0 */
    double *res;        /* per element: frozen residual, normalised (rel) or output units */
    float *x0, *ywork;
    double *dy;
    double resolution;  /* one float ulp of every term of the loss at x0 */
    size_t len, total;
    int groups;
} Surrogate;

/* The conventions, as bits of a model 0..7; NO_CLIP: the estimate passes the gradient through
 * the clip too (APoT's CIFAR weight gradient), for inputs only. */
enum { RESID_REL = 1, SCALE_LIVE = 2, NO_CLIP = 4, NMODELS = 8 };

static double clip(const Surrogate *s, double u) { return u < s->lo ? s->lo : (u > s->hi ? s->hi : u); }

static QuantScale scale_at(const Surrogate *s, int g, int live)
{
    return live ? s->w.q->ops->scale(s->w.q, g) : s->s0[g];
}

/* Σ dy·ỹ at input x under `model`; a live scale comes from a forward of x. kinks counts the
 * elements on the other side of a clip bound than at x0. */
static double surrogate_loss(Surrogate *s, const float *x, int model, int *kinks)
{
    Tensor xt = s->w.x, yt = s->w.x;
    xt.data = (float *)x;
    yt.data = s->ywork;
    if (model & SCALE_LIVE)
        s->w.q->ops->forward(s->w.q, &xt, &yt);
    double loss = 0.0;
    for (int g = 0; g < s->groups; g++) {
        QuantScale q = scale_at(s, g, model & SCALE_LIVE), q0 = s->s0[g];
        for (size_t i = g * s->len; i < (g + 1) * s->len; i++) {
            double u = (x[i] - q.in_offset) / q.in_scale, cu = clip(s, u);
            double u0 = (s->x0[i] - q0.in_offset) / q0.in_scale;
            if (model & NO_CLIP) /* the clipped part of u stays fixed: (cu − u) at x0 */
                cu = u + (clip(s, u0) - u0);
            else
                *kinks += (cu == u) != (clip(s, u0) == u0);
            double y = model & RESID_REL ? q.out_offset + q.out_scale * (cu + s->res[2 * i])
                                         : q.out_offset + q.out_scale * cu + s->res[2 * i + 1];
            loss += s->dy[i] * y;
        }
    }
    return loss;
}

/* x0: inputs spread over the grid and beyond both ends (in the initialised quantizer's
 * units), those within MARGIN of a clip bound moved beyond it, the forward run in evaluation
 * mode (no running statistics move), the residuals frozen. */
static void surrogate_open(Surrogate *s, const QCase *c)
{
    memset(s, 0, sizeof *s);
    s->c = c;
    qwalk_open(&s->w, c);
    double lv[QWALK_LEVELS_CAP];
    int n = quantizer_grid(s->w.q, lv, QWALK_LEVELS_CAP);
    s->lo = lv[0];
    s->hi = lv[n - 1];
    s->groups = s->w.x.n;
    s->len = (size_t)s->w.x.c * s->w.x.h * s->w.x.w;
    s->total = tensor_numel(&s->w.x);
    s->s0 = malloc(sizeof *s->s0 * (size_t)s->groups);
    s->res = malloc(2 * s->total * sizeof(double));
    s->x0 = malloc(s->total * sizeof(float));
    s->ywork = malloc(s->total * sizeof(float));
    s->dy = malloc(s->total * sizeof(double));
    s->w.r.net.train = 0;
    Rng r = rng_stream(7, "spread");
    for (int pass = 0; pass < 4; pass++) { /* a scale that follows x moves a little each time */
        s->w.q->ops->forward(s->w.q, &s->w.x, &s->w.y);
        for (int g = 0; g < s->groups; g++) {
            QuantScale q = s->w.q->ops->scale(s->w.q, g);
            for (size_t i = g * s->len; i < (g + 1) * s->len; i++) {
                double u = (s->w.x.data[i] - q.in_offset) / q.in_scale, to = u;
                if (pass == 0) /* spread over the grid and a quarter beyond each end */
                    u = to = s->lo + (s->hi - s->lo) * (1.5 * rng_uniform(&r) - 0.25);
                for (int b = 0; b < 2; b++) {
                    double bound = b ? s->hi : s->lo, out = b ? 1.0 : -1.0;
                    if (fabs(u - bound) < MARGIN)
                        to = bound + out * 1.5 * MARGIN;
                }
                s->w.x.data[i] = (float)(q.in_offset + to * q.in_scale);
            }
        }
    }
    s->w.q->ops->forward(s->w.q, &s->w.x, &s->w.y);
    memcpy(s->x0, s->w.x.data, s->total * sizeof(float));
    for (int g = 0; g < s->groups; g++) {
        QuantScale q = s->s0[g] = s->w.q->ops->scale(s->w.q, g);
        for (size_t i = g * s->len; i < (g + 1) * s->len; i++) {
            double cu = clip(s, (s->x0[i] - q.in_offset) / q.in_scale);
            s->res[2 * i] = (s->w.y.data[i] - q.out_offset) / q.out_scale - cu;
            s->res[2 * i + 1] = s->w.y.data[i] - (q.out_offset + q.out_scale * cu);
        }
    }
}

static void surrogate_close(Surrogate *s)
{
    free(s->s0);
    free(s->res);
    free(s->x0);
    free(s->ywork);
    free(s->dy);
    qwalk_close(&s->w);
}

/* The backward at x0 for dy ~ N(0, 1) drawn from `seed`: dx into dx, parameter grads into
 * the params' g. */
static void analytic(Surrogate *s, uint64_t seed, float *dx)
{
    float *dyf = malloc(s->total * sizeof(float));
    fill_normal(dyf, s->total, seed, 1.0f);
    Tensor dyt = s->w.x, dxt = s->w.x, x0 = s->w.x;
    dyt.data = dyf;
    dxt.data = dx;
    x0.data = s->x0;
    s->w.q->ops->forward(s->w.q, &x0, &s->w.y);
    qrig_backward(&s->w.r, s->w.q, &x0, &dyt, &dxt);
    s->resolution = 0.0;
    for (size_t i = 0; i < s->total; i++) {
        s->dy[i] = dyf[i];
        s->resolution += fabs(s->dy[i] * (s->w.y.data[i] - s->s0[i / s->len].out_offset));
    }
    s->resolution *= FLT_EPSILON;
    free(dyf);
}

/* Central difference of the surrogate in *p (a copy of x0's entry or a parameter), NAN
 * across a clip bound or where the one-sided slopes differ by half (a kink: a ReLU inside an
 * adapter). *noise: half their difference plus the loss resolution over the probe width,
 * what float arithmetic leaves uncertain (ASQ's β is a float, so a small change of an
 * adapter weight moves ŝ by a few ulps). The input probed is x (x0, or x0 with one entry
 * moved). */
static double probe(Surrogate *s, float *x, float *p, double h, int model, double *noise)
{
    float keep = *p;
    int kinks = 0;
    double f0 = surrogate_loss(s, x, model, &kinks);
    *p = (float)(keep + h);
    double up = *p - (double)keep, fp = surrogate_loss(s, x, model, &kinks);
    *p = (float)(keep - h);
    double down = (double)keep - *p, fm = surrogate_loss(s, x, model, &kinks);
    *p = keep;
    double sp = (fp - f0) / up, sm = (f0 - fm) / down;
    *noise = fabs(sp - sm) / 2 + s->resolution / (up + down);
    if (kinks || fabs(sp - sm) > 0.5 * (fabs(sp) + fabs(sm)) + 1e-9)
        return NAN;
    return (fp - fm) / (up + down);
}

/* Worst |a − k·n| / (atol + rtol·|a| + 2·noise) over entries, with k = 1 or the
 * least-squares factor. */
static double fit(const double *a, const double *n, const double *noise, int m, int factor,
                  double *k)
{
    double an = 0.0, nn = 0.0, worst = 0.0, amax = 0.0;
    for (int i = 0; i < m; i++) {
        an += a[i] * n[i];
        nn += n[i] * n[i];
        amax = fmax(amax, fabs(a[i]));
    }
    *k = factor && amax > 0 ? an / nn : 1.0; /* a zero gradient must meet a zero difference */
    if (!(*k > 0))
        return INFINITY;
    for (int i = 0; i < m; i++)
        worst = fmax(worst, fabs(a[i] - *k * n[i]) /
                                (1e-6 + 1e-3 * amax + 1e-2 * fabs(a[i]) + 2 * *k * noise[i]));
    return worst;
}

/* Analytic entries beside their differences under each model, with the models' noise. */
typedef struct {
    int m, cap;
    double *a, *num[NMODELS], *noise[NMODELS];
} FdSet;

static void fdset_init(FdSet *f, int cap)
{
    f->m = 0;
    f->cap = cap;
    f->a = malloc((size_t)cap * sizeof(double));
    for (int k = 0; k < NMODELS; k++) {
        f->num[k] = malloc((size_t)cap * sizeof(double));
        f->noise[k] = malloc((size_t)cap * sizeof(double));
    }
}

static void fdset_free(FdSet *f)
{
    free(f->a);
    for (int k = 0; k < NMODELS; k++) {
        free(f->num[k]);
        free(f->noise[k]);
    }
}

/* Probes *p under the models in `models` (bits 1 << model) and keeps the entry with the
 * analytic value a unless it sits on a kink under one of them. */
static void fdset_add(FdSet *f, Surrogate *s, float *x, float *p, double h, unsigned models,
                      double a)
{
    double nv[NMODELS] = {0}, nz[NMODELS] = {0};
    for (int k = 0; k < NMODELS; k++)
        if ((models >> k & 1) && isnan(nv[k] = probe(s, x, p, h, k, &nz[k])))
            return;
    if (f->m == f->cap)
        return;
    f->a[f->m] = a;
    for (int k = 0; k < NMODELS; k++) {
        f->num[k][f->m] = nv[k];
        f->noise[k][f->m] = nz[k];
    }
    f->m++;
}

/* The model among `models` that fits best, and its error. */
static int fdset_best(const FdSet *f, unsigned models, int factor, double *err, double *k)
{
    int best = -1;
    *err = INFINITY;
    for (int m = 0; m < NMODELS; m++) {
        double km = 1.0, e = (models >> m & 1) ? fit(f->a, f->num[m], f->noise[m], f->m, factor, &km)
                                         : INFINITY;
        if (e < *err) {
            *err = e;
            *k = km;
            best = m;
        }
    }
    return best;
}

static void input_case(const QCase *c)
{
    if (!c->ops->scale)
        return;
    Surrogate s;
    surrogate_open(&s, c);
    float *dx = malloc(s.total * sizeof(float)), *x = malloc(s.total * sizeof(float));
    analytic(&s, 41, dx);
    memcpy(x, s.x0, s.total * sizeof(float));
    FdSet f;
    fdset_init(&f, MAX_INPUTS + 1);
    size_t stride = s.total > MAX_INPUTS ? s.total / MAX_INPUTS : 1;
    for (size_t i = 0; i < s.total; i += stride)
        fdset_add(&f, &s, x, &x[i], PROBE * s.s0[i / s.len].in_scale, 0xff, dx[i]);
    cr_assert_gt(f.m, MAX_INPUTS / 2, "%s: only %d probed inputs away from kinks", c->who, f.m);
    double err, k;
    int best = fdset_best(&f, 0xff, 0, &err, &k);
    cr_assert_leq(err, 1.0, "%s: dL/dx disagrees with finite differences under every "
                  "convention (closest: residual %s, scale %s, clip %s; error %g)", c->who,
                  best & RESID_REL ? "relative" : "absolute", best & SCALE_LIVE ? "live" : "held",
                  best & NO_CLIP ? "passed" : "masked", err);
    fdset_free(&f);
    free(dx);
    free(x);
    surrogate_close(&s);
}

/* One OpenMP thread: the probes run thousands of tiny forwards. */
Test(registry_ops, every_input_gradient_matches_finite_differences, .init = one_thread)
{
    qwalk(input_case);
}

/* Parameter tensor pi over two dy draws; the scale follows a parameter, so only the live
 * models apply. */
#define PARAM_MODELS ((1u << SCALE_LIVE) | (1u << (SCALE_LIVE | RESID_REL)))

static void param_entries(Surrogate *s, int pi, FdSet *f)
{
    Param *P = &s->w.r.net.params[pi];
    float *dx = malloc(s->total * sizeof(float)), *g = malloc(P->numel * sizeof(float));
    double rms = 0.0;
    for (size_t j = 0; j < P->numel; j++)
        rms += (double)P->w[j] * P->w[j] / (double)P->numel;
    rms = sqrt(rms);
    for (uint64_t seed = 43; seed < 45; seed++) {
        analytic(s, seed, dx);
        memcpy(g, P->g, P->numel * sizeof(float));
        for (size_t j = 0; j < P->numel; j++)
            fdset_add(f, s, s->x0, &P->w[j], PPROBE * fmax(fabs(P->w[j]), rms ? rms : 0.1),
                      PARAM_MODELS, g[j]);
    }
    free(g);
    free(dx);
}

static void param_case(const QCase *c)
{
    if (!c->ops->scale)
        return;
    Surrogate s;
    surrogate_open(&s, c);
    for (int pi = 0; pi < s.w.r.net.nparams; pi++) {
        const Param *P = &s.w.r.net.params[pi];
        if (P->group != PGROUP_QUANT)
            continue;
        FdSet f;
        fdset_init(&f, 2 * (int)P->numel);
        param_entries(&s, pi, &f);
        cr_assert_gt(f.m, 0, "%s: every entry of %s sits on a kink", c->who, P->name);
        double err, k;
        int best = fdset_best(&f, PARAM_MODELS, 1, &err, &k);
        if (getenv("QDEBUG") && err > 1) for (int i = 0; i < f.m; i++) fprintf(stderr, "%s %s [%d] a=%g rel=%g noise=%g\n", c->who, P->name, i, f.a[i], f.num[3][i], f.noise[3][i]);
        cr_assert_leq(err, 1.0, "%s: dL/d%s disagrees with finite differences under either "
                      "convention (closest: residual %s, factor %g; error %g)", c->who, P->name,
                      best & RESID_REL ? "relative" : "absolute", k, err);
        fdset_free(&f);
    }
    surrogate_close(&s);
}

Test(registry_ops, every_parameter_gradient_matches_finite_differences, .init = one_thread)
{
    qwalk(param_case);
}
