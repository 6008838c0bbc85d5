/* A method's input and parameter gradients against finite differences (qcheck.h).
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
 * carry one positive factor per tensor (LSQ's g = 1/sqrt(N·Qp)); a negative one is a
 * gradient of the wrong sign, which training would follow uphill. Inputs are spread over the
 * grid and beyond both ends, kept away from the clip bounds, and entries whose probes
 * straddle a kink are skipped. A method whose estimator differentiates more than that clip
 * (DSQ's tanh soft quantizer, QIL's weight transform) gives its own position before rounding
 * (qsurrogate.h), which replaces clip(u_i) above. A method without a scale op (DoReFa's tanh)
 * has no surrogate: its gradients are checked finite only (QCHECK_FINITE). */
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/rng.h"
#include "qcheck.h"
#include "qsurrogate.h"
#include "registry.h"

#define MARGIN 0.12    /* normalised units: inputs this close to a clip bound move 1.5x away */
#define PROBE 1e-3     /* input probe step, normalised units */
#define PPROBE 3e-2    /* parameter probe step, relative to max(|p|, the tensor's rms) */
#define MAX_INPUTS 64  /* input entries probed per case, evenly spaced */

/* The surrogate around x0 (see the top comment). */
typedef struct {
    QCheckRig w;
    double lo, hi;      /* the grid's ends: the clip bounds in normalised units */
    QuantScale *s0;     /* per group at x0 */
    double *res;        /* per element: frozen residual, normalised (rel) or output units */
    float *x0, *ywork;
    double *dy;
    double resolution;  /* one float ulp of every term of the loss at x0 */
    size_t len, total;
    int groups;
    QSurrogateFn own;   /* the method's own position before rounding, or NULL */
    int steps;          /* grid steps from end to end (levels − 1) */
} Surrogate;

/* The methods with their own surrogate (qsurrogate.h). */
static const struct {
    const char *method;
    QSurrogateFn position;
} own_surrogates[] = {
    {"dsq", dsq_position},
    {"qil", qil_position},
    {"lqnet", lqnet_position},
    {"daq", daq_position},
};

static QSurrogateFn own_surrogate(const QuantizerOps *ops)
{
    for (size_t i = 0; i < sizeof own_surrogates / sizeof own_surrogates[0]; i++)
        if (!strcmp(own_surrogates[i].method, ops->name))
            return own_surrogates[i].position;
    return NULL;
}

/* The conventions, as bits of a model 0..7; NO_CLIP: the estimate passes the gradient through
 * the clip too (APoT's CIFAR weight gradient), for inputs only. */
enum { RESID_REL = 1, SCALE_LIVE = 2, NO_CLIP = 4, NMODELS = 8 };

static double clip(const Surrogate *s, double u) { return u < s->lo ? s->lo : (u > s->hi ? s->hi : u); }

/* Element i of group g before rounding, normalised: the method's own position, else the clip
 * of the scale's input map; *region tells the smooth pieces apart (inside the clip or not). */
static double position(const Surrogate *s, int g, QuantScale q, float x, int *region)
{
    if (s->own)
        return s->own(s->w.q, g, x, region);
    double u = (x - q.in_offset) / q.in_scale, cu = clip(s, u);
    *region = cu == u;
    return cu;
}

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
            int region, region0;
            double cu = position(s, g, q, x[i], &region);
            double u = (x[i] - q.in_offset) / q.in_scale;
            double u0 = (s->x0[i] - q0.in_offset) / q0.in_scale;
            position(s, g, q0, s->x0[i], &region0);
            if ((model & NO_CLIP) && !s->own) /* the clipped part of u stays fixed: (cu − u) at x0 */
                cu = u + (clip(s, u0) - u0);
            else
                *kinks += region != region0;
            double y = model & RESID_REL ? q.out_offset + q.out_scale * (cu + s->res[2 * i])
                                         : q.out_offset + q.out_scale * cu + s->res[2 * i + 1];
            loss += s->dy[i] * y;
        }
    }
    return loss;
}

/* Spreads x over the grid and a quarter beyond each end (pass 0), then moves the inputs
 * within MARGIN of a clip bound beyond it, in the quantizer's current units. */
static void spread(Surrogate *s, Rng *r, int pass)
{
    for (int g = 0; g < s->groups; g++) {
        QuantScale q = s->w.q->ops->scale(s->w.q, g);
        for (size_t i = g * s->len; i < (g + 1) * s->len; i++) {
            double u = (s->w.x.data[i] - q.in_offset) / q.in_scale, to = u;
            if (pass == 0)
                u = to = s->lo + (s->hi - s->lo) * (1.5 * rng_uniform(r) - 0.25);
            for (int b = 0; b < 2; b++) {
                double bound = b ? s->hi : s->lo, out = b ? 1.0 : -1.0;
                if (fabs(u - bound) < MARGIN)
                    to = bound + out * 1.5 * MARGIN;
            }
            s->w.x.data[i] = (float)(q.in_offset + to * q.in_scale);
        }
    }
}

/* x0: inputs spread over the grid and beyond both ends (in the initialised quantizer's
 * units), those within MARGIN of a clip bound moved beyond it, the forward run in evaluation
 * mode (no running statistics move), the residuals frozen. */
static int surrogate_open(Surrogate *s, const QCheckCase *c, QbErr *err)
{
    memset(s, 0, sizeof *s);
    if (qcheck_open(&s->w, c, err) < 0)
        return -1;
    int n = quantizer_grid(s->w.q, NULL, 0);
    double *lv = malloc((size_t)n * sizeof(double));
    QB_ASSERT(lv);
    quantizer_grid(s->w.q, lv, n);
    s->lo = lv[0];
    s->hi = lv[n - 1];
    s->steps = n - 1;
    free(lv);
    s->groups = s->w.x.n;
    s->own = own_surrogate(c->ops);
    s->len = (size_t)s->w.x.c * s->w.x.h * s->w.x.w;
    s->total = tensor_numel(&s->w.x);
    s->s0 = malloc(sizeof *s->s0 * (size_t)s->groups);
    s->res = malloc(2 * s->total * sizeof(double));
    s->x0 = malloc(s->total * sizeof(float));
    s->ywork = malloc(s->total * sizeof(float));
    s->dy = malloc(s->total * sizeof(double));
    QB_ASSERT(s->s0 && s->res && s->x0 && s->ywork && s->dy);
    s->w.net.train = 0;
    Rng r = rng_stream(7, "spread");
    for (int pass = 0; pass < 4; pass++) { /* a scale that follows x moves a little each time */
        s->w.q->ops->forward(s->w.q, &s->w.x, &s->w.y);
        spread(s, &r, pass);
    }
    s->w.q->ops->forward(s->w.q, &s->w.x, &s->w.y);
    memcpy(s->x0, s->w.x.data, s->total * sizeof(float));
    for (int g = 0; g < s->groups; g++) {
        QuantScale q = s->s0[g] = s->w.q->ops->scale(s->w.q, g);
        for (size_t i = g * s->len; i < (g + 1) * s->len; i++) {
            int region;
            double cu = position(s, g, q, s->x0[i], &region);
            s->res[2 * i] = (s->w.y.data[i] - q.out_offset) / q.out_scale - cu;
            s->res[2 * i + 1] = s->w.y.data[i] - (q.out_offset + q.out_scale * cu);
        }
    }
    return 0;
}

static void surrogate_close(Surrogate *s)
{
    free(s->s0);
    free(s->res);
    free(s->x0);
    free(s->ywork);
    free(s->dy);
    qcheck_close(&s->w);
}

/* An own surrogate curves within one grid step (DSQ's tanh; DAQ's slope peaks at each step's
 * middle), so probes that move an input or the grid by a sizeable part of a step would
 * measure that curvature: they shrink with the grid's steps. */
static double probe_scale(const Surrogate *s) { return s->own ? fmin(1.0, 1.0 / s->steps) : 1.0; }

/* The backward at x0 for dy ~ N(0, 1) drawn from `seed`: dx into dx, parameter grads into
 * the params' g. */
static void analytic(Surrogate *s, uint64_t seed, float *dx)
{
    float *dyf = malloc(s->total * sizeof(float));
    QB_ASSERT(dyf);
    qcheck_fill_normal(dyf, s->total, seed, 1.0f);
    Tensor dyt = s->w.x, dxt = s->w.x, x0 = s->w.x;
    dyt.data = dyf;
    dxt.data = dx;
    x0.data = s->x0;
    s->w.q->ops->forward(s->w.q, &x0, &s->w.y);
    qcheck_backward(&s->w, &x0, &dyt, &dxt);
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
 * least-squares factor (*k; INFINITY when it is not positive). */
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
    QB_ASSERT(f->a);
    for (int k = 0; k < NMODELS; k++) {
        f->num[k] = malloc((size_t)cap * sizeof(double));
        f->noise[k] = malloc((size_t)cap * sizeof(double));
        QB_ASSERT(f->num[k] && f->noise[k]);
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

/* The model among `models` that fits best, its error and factor; with none fitting, the
 * least-squares factor of the last model (its sign says whether the gradient points the
 * wrong way). */
static int fdset_best(const FdSet *f, unsigned models, int factor, double *err, double *k)
{
    int best = -1;
    *err = INFINITY;
    for (int m = 0; m < NMODELS; m++) {
        double km = 1.0, e = (models >> m & 1) ? fit(f->a, f->num[m], f->noise[m], f->m, factor, &km)
                                         : INFINITY;
        if (best < 0 && (models >> m & 1))
            *k = km;
        if (e < *err) {
            *err = e;
            *k = km;
            best = m;
        }
    }
    return best;
}

int qcheck_input_grad(const QCheckCase *c, QbErr *err)
{
    if (!c->ops->scale)
        return 0;
    Surrogate s;
    if (surrogate_open(&s, c, err) < 0) {
        surrogate_close(&s);
        return -1;
    }
    float *dx = malloc(s.total * sizeof(float)), *x = malloc(s.total * sizeof(float));
    QB_ASSERT(dx && x);
    analytic(&s, 41, dx);
    memcpy(x, s.x0, s.total * sizeof(float));
    FdSet f;
    fdset_init(&f, MAX_INPUTS + 1);
    size_t stride = s.total > MAX_INPUTS ? s.total / MAX_INPUTS : 1;
    for (size_t i = 0; i < s.total; i += stride)
        fdset_add(&f, &s, x, &x[i], PROBE * probe_scale(&s) * s.s0[i / s.len].in_scale, 0xff,
                  dx[i]);
    double e = INFINITY, k = 1.0;
    int best = f.m > MAX_INPUTS / 2 ? fdset_best(&f, 0xff, 0, &e, &k) : 0, rc = 0;
    if (f.m <= MAX_INPUTS / 2)
        rc = qb_fail(err, "%s: only %d of the probed inputs are away from kinks", c->who, f.m);
    else if (!(e <= 1.0))
        rc = qb_fail(err, "%s: dL/dx disagrees with finite differences under every convention "
                          "(closest: residual %s, scale %s, clip %s; error %g)", c->who,
                     best & RESID_REL ? "relative" : "absolute",
                     best & SCALE_LIVE ? "live" : "held", best & NO_CLIP ? "passed" : "masked", e);
    fdset_free(&f);
    free(dx);
    free(x);
    surrogate_close(&s);
    return rc;
}

/* Parameter tensor pi over two dy draws; the scale follows a parameter, so only the live
 * models apply. */
#define PARAM_MODELS ((1u << SCALE_LIVE) | (1u << (SCALE_LIVE | RESID_REL)))

static void param_entries(Surrogate *s, int pi, FdSet *f)
{
    Param *P = &s->w.net.params[pi];
    float *dx = malloc(s->total * sizeof(float)), *g = malloc(P->numel * sizeof(float));
    QB_ASSERT(dx && g);
    double rms = 0.0;
    for (size_t j = 0; j < P->numel; j++)
        rms += (double)P->w[j] * P->w[j] / (double)P->numel;
    rms = sqrt(rms);
    double h = PPROBE * probe_scale(s);
    for (uint64_t seed = 43; seed < 45; seed++) {
        analytic(s, seed, dx);
        memcpy(g, P->g, P->numel * sizeof(float));
        for (size_t j = 0; j < P->numel; j++)
            fdset_add(f, s, s->x0, &P->w[j], h * fmax(fabs(P->w[j]), rms ? rms : 0.1),
                      PARAM_MODELS, g[j]);
    }
    free(g);
    free(dx);
}

static int param_fits(const QCheckCase *c, Surrogate *s, int pi, QbErr *err)
{
    const Param *P = &s->w.net.params[pi];
    FdSet f;
    fdset_init(&f, 2 * (int)P->numel);
    param_entries(s, pi, &f);
    double e = INFINITY, k = 1.0;
    int best = f.m ? fdset_best(&f, PARAM_MODELS, 1, &e, &k) : 0, rc = 0;
    if (!f.m)
        rc = qb_fail(err, "%s: every probed entry of %s sits on a kink", c->who, P->name);
    else if (!(k > 0))
        rc = qb_fail(err, "%s: dL/d%s has the wrong sign: it is %g times the finite "
                          "differences, so training would move %s uphill", c->who, P->name, k,
                     P->name);
    else if (!(e <= 1.0))
        rc = qb_fail(err, "%s: dL/d%s disagrees with finite differences under either "
                          "convention (closest: residual %s, factor %g; error %g)", c->who,
                     P->name, best & RESID_REL ? "relative" : "absolute", k, e);
    fdset_free(&f);
    return rc;
}

int qcheck_param_grad(const QCheckCase *c, QbErr *err)
{
    if (!c->ops->scale)
        return 0;
    Surrogate s;
    int rc = surrogate_open(&s, c, err);
    for (int pi = 0; rc == 0 && pi < s.w.net.nparams; pi++)
        if (s.w.net.params[pi].group == PGROUP_QUANT)
            rc = param_fits(c, &s, pi, err);
    surrogate_close(&s);
    return rc;
}
