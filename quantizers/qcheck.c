/* The walk over a method's cases, the one-layer rig a case runs on, and the checks on
 * values: levels, forward, finite gradients, declared operations (qcheck.h). */
#include "qcheck.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/layers/layers.h"
#include "core/rng.h"
#include "registry.h"

void qcheck_fill_normal(float *x, size_t n, uint64_t seed, float scale)
{
    Rng r = rng_stream(seed, "test");
    for (size_t i = 0; i < n; i++)
        x[i] = scale * rng_normal(&r);
}

int qcheck_rig(Net *net, Dims in, int cout, int k, int batch, Quantizer *wq, Quantizer *aq,
               QbErr *err)
{
    net_init(net, in);
    int li = k ? layer_conv2d(net, "l", NET_INPUT, (Conv2dSpec){cout, k, 1, k / 2, 1, 0}, err)
               : layer_linear(net, "l", NET_INPUT, cout, 0, err);
    if (li < 0) {
        quantizer_delete(wq);
        quantizer_delete(aq);
        return -1;
    }
    if (layer_quantize(net, li, wq, aq, err) < 0)
        return -1;
    net->want_input_grad = 1;
    return net_alloc(net, batch, 2, err);
}

int qcheck_open(QCheckRig *r, const QCheckCase *c, QbErr *err)
{
    memset(r, 0, sizeof *r);
    r->q = quantizer_new_ops(c->ops, c->role, c->bits, c->is_signed, c->opts, c->nopts, err);
    if (!r->q)
        return qb_wrap(err, "%s: ", c->who);
    r->q->seed = 3;
    int wt = c->role == QROLE_WEIGHT;
    if (qcheck_rig(&r->net, (Dims){wt ? 4 : 8, 3, 3}, 5, 3, 3, wt ? r->q : NULL,
                   wt ? NULL : r->q, err) < 0)
        return qb_wrap(err, "%s: ", c->who);
    r->x = wt ? r->q->shape : r->net.input;
    if (wt)
        r->x.data = net_param(&r->net, "l.weight")->w;
    size_t n = tensor_numel(&r->x);
    qcheck_fill_normal(r->x.data, n, 17 + (uint64_t)c->bits, wt ? 0.1f : 1.0f);
    for (size_t i = 0; i < n && !wt && !c->is_signed; i++)
        r->x.data[i] = fabsf(r->x.data[i]);
    r->y = r->x;
    r->y.data = malloc(n * sizeof(float));
    QB_ASSERT(r->y.data);
    r->net.train = 1;
    if (r->q->ops->init)
        r->q->ops->init(r->q, &r->x);
    *r->q->initialised = 1.0f;
    r->q->ops->forward(r->q, &r->x, &r->y);
    return 0;
}

void qcheck_close(QCheckRig *r)
{
    free(r->y.data);
    net_free(&r->net);
    memset(r, 0, sizeof *r);
}

void qcheck_backward(QCheckRig *r, const Tensor *x, const Tensor *dy, Tensor *dx)
{
    net_zero_grad(&r->net);
    r->q->ops->backward(r->q, x, dy, dx, 0);
}

static int check_levels(const QCheckCase *c, QbErr *err)
{
    const double *lv = c->lv;
    int n = c->n;
    if (n < 3 || n > (1 << c->bits) + 1)
        return qb_fail(err, "%s: %d levels; expected 3 to 2^bits + 1", c->who, n);
    for (int i = 1; i < n; i++)
        if (!(lv[i - 1] < lv[i]))
            return qb_fail(err, "%s: levels %d and %d (%g, %g) are not ascending and unique",
                           c->who, i - 1, i, lv[i - 1], lv[i]);
    if (fabs(lv[n - 1] - 1.0) > 1e-12)
        return qb_fail(err, "%s: the largest level is %g; levels are normalised to 1", c->who,
                       lv[n - 1]);
    if (c->role == QROLE_ACT && lv[0] != 0.0)
        return qb_fail(err, "%s: the smallest level is %g; activation levels start at 0",
                       c->who, lv[0]);
    if (c->role == QROLE_WEIGHT && !(lv[0] >= -2.0 && lv[0] <= -1.0 + 1e-12))
        return qb_fail(err, "%s: the smallest level is %g; weight levels start in [-2, -1]",
                       c->who, lv[0]);
    return 0;
}

/* Quantizers that normalise their input by design, so Q(Q(x)) != Q(x): DoReFa (tanh and
 * max|tanh|, FORMULAS.md §3), APoT weights (weight normalisation, §5.2), ASQ (β follows the
 * input's pooled mean, §7), QIL (outputs normalised to [−1, 1] and [0, 1], inputs in their
 * own units, §14.1), DAQ (weight normalisation and normalised outputs, §16.1). Every other
 * (method, role) must be a projection. */
static const struct {
    const char *method;
    QuantRole role;
} not_projections[] = {
    {"dorefa", QROLE_WEIGHT},
    {"apot", QROLE_WEIGHT},
    {"asq", QROLE_ACT},
    {"qil", QROLE_WEIGHT},
    {"qil", QROLE_ACT},
    {"daq", QROLE_WEIGHT},
    {"daq", QROLE_ACT},
};

static int is_projection(const char *method, QuantRole role)
{
    for (size_t i = 0; i < sizeof not_projections / sizeof not_projections[0]; i++)
        if (strcmp(not_projections[i].method, method) == 0 && not_projections[i].role == role)
            return 0;
    return 1;
}

/* Nearest level to u, by bisection: written apart from qcommon's projection, which many
 * methods use and this checks. */
static double nearest(const double *lv, int n, double u)
{
    int lo = 0, hi = n - 1;
    while (hi - lo > 1) {
        int mid = (lo + hi) / 2;
        if (lv[mid] <= u)
            lo = mid;
        else
            hi = mid;
    }
    return fabs(u - lv[lo]) <= fabs(u - lv[hi]) ? lv[lo] : lv[hi];
}

/* True when y[0..len) = c·ℓ_i for one scale c > 0 and levels ℓ_i. The largest |y| must sit on
 * some non-zero level, which leaves only n candidate scales. */
static int on_grid(const float *y, size_t len, const double *lv, int n)
{
    size_t big = 0;
    for (size_t i = 1; i < len; i++)
        if (fabsf(y[i]) > fabsf(y[big]))
            big = i;
    if (y[big] == 0.0f)
        return nearest(lv, n, 0.0) == 0.0;
    for (int k = 0; k < n; k++) {
        double c = y[big] / lv[k];
        if (lv[k] == 0.0 || c <= 0.0)
            continue;
        size_t i = 0;
        while (i < len && fabs(y[i] - c * nearest(lv, n, y[i] / c)) <= 1e-5 * c)
            i++;
        if (i == len)
            return 1;
    }
    return 0;
}

/* The method's own account: group by group, (y − out_offset)/out_scale is a level of its
 * grid, an input inside the grid's range went to its nearest level, one beyond it to the end
 * level. The scales must be positive and finite. */
static int scaled_on_grid(const QCheckCase *c, const QCheckRig *r, const double *lv, int n,
                          QbErr *err)
{
    size_t len = (size_t)r->y.c * r->y.h * r->y.w;
    for (int g = 0; g < r->y.n; g++) {
        QuantScale s = r->q->ops->scale(r->q, g);
        if (!(s.in_scale > 0 && s.out_scale > 0 && isfinite(s.in_scale) &&
              isfinite(s.out_scale) && isfinite(s.in_offset) && isfinite(s.out_offset)))
            return qb_fail(err, "%s: group %d's scale (in %g, offset %g; out %g, offset %g) is "
                                "not positive and finite", c->who, g, s.in_scale, s.in_offset,
                           s.out_scale, s.out_offset);
        for (size_t i = g * len; i < (g + 1) * len; i++) {
            double yn = (r->y.data[i] - s.out_offset) / s.out_scale, l = nearest(lv, n, yn);
            double u = (r->x.data[i] - s.in_offset) / s.in_scale;
            double want = u <= lv[0] ? lv[0] : (u >= lv[n - 1] ? lv[n - 1] : nearest(lv, n, u));
            double tol = 1e-4 * fmax(1.0, fabs(l));
            if (fabs(yn - l) > tol)
                return qb_fail(err, "%s: output %zu is %g grid units, off the grid its scale op "
                                    "describes", c->who, i, yn);
            if (fabs(l - want) > tol && fabs(fabs(u - l) - fabs(u - want)) > tol)
                return qb_fail(err, "%s: input %zu at %g grid units went to level %g, not to "
                                    "its nearest, %g", c->who, i, u, l, want);
        }
    }
    return 0;
}

/* Q(Q(x)) = Q(x) in evaluation mode (no running statistic moves). */
static int check_idempotent(const QCheckCase *c, QCheckRig *r, QbErr *err)
{
    size_t total = tensor_numel(&r->y);
    float *y2 = malloc(total * sizeof(float));
    QB_ASSERT(y2);
    Tensor t2 = r->y;
    t2.data = y2;
    r->net.train = 0;
    r->q->ops->forward(r->q, &r->y, &t2);
    int rc = 0;
    for (size_t i = 0; i < total && rc == 0; i++)
        if (!(fabsf(y2[i] - r->y.data[i]) <= 1e-5f * (fabsf(r->y.data[i]) + 1e-3f)))
            rc = qb_fail(err, "%s: Q(Q(x)) != Q(x) at %zu: %g vs %g (a quantizer that "
                              "normalises its input by design is listed in quantizers/qcheck.c)",
                         c->who, i, y2[i], r->y.data[i]);
    free(y2);
    return rc;
}

static int forward_on_grid(const QCheckCase *c, QCheckRig *r, QbErr *err)
{
    const QuantizerOps *ops = c->ops;
    int n = quantizer_grid(r->q, NULL, 0);
    if (n <= 0)
        return qb_fail(err, "%s: the planned quantizer's grid has %d levels", c->who, n);
    double *lv = malloc((size_t)n * sizeof(double));
    QB_ASSERT(lv);
    quantizer_grid(r->q, lv, n);
    size_t len = (size_t)r->y.c * r->y.h * r->y.w;
    int rc = ops->scale ? scaled_on_grid(c, r, lv, n, err) : 0;
    /* Without an offset, each block is also one positive multiple of levels. */
    int affine = 0;
    for (int b = 0; b < r->y.n && ops->scale; b++)
        affine |= ops->scale(r->q, b).out_offset != 0.0;
    for (int b = 0; b < r->y.n && !affine && rc == 0; b++)
        if (!on_grid(r->y.data + b * len, len, lv, n))
            rc = qb_fail(err, "%s: block %d of the output is no positive multiple of the "
                              "levels", c->who, b);
    free(lv);
    return rc;
}

/* Option settings whose forward does not land on the grid by design, so only its other
 * checks apply: the uniform quantizer's apot_ref weight scale reproduces the APoT code's
 * first/last-layer rule, s = max(w)/Qp without clipping, so a weight below −max(w) leaves
 * the grid (FORMULAS.md §1.3); DSQ's soft forward outputs its tanh soft quantizer in
 * training (§13.3), which is no projection either (apot_ref is: its maximum stays a code). */
static const struct {
    const char *method;
    QuantRole role;
    const char *option, *value;
    int projection;
} unclipped[] = {
    {"uniform", QROLE_WEIGHT, "uniform_weight_scale", "apot_ref", 1},
    {"dsq", QROLE_WEIGHT, "dsq_forward", "soft", 0},
    {"dsq", QROLE_ACT, "dsq_forward", "soft", 0},
};

/* The case's entry in unclipped[], or -1. */
static int unclipped_entry(const QCheckCase *c)
{
    for (size_t i = 0; i < sizeof unclipped / sizeof unclipped[0]; i++)
        for (int k = 0; k < c->nopts; k++)
            if (!strcmp(unclipped[i].method, c->ops->name) && unclipped[i].role == c->role &&
                !strcmp(unclipped[i].option, c->opts[k].name) &&
                !strcmp(unclipped[i].value, c->opts[k].value))
                return (int)i;
    return -1;
}

static int check_forward(const QCheckCase *c, QbErr *err)
{
    QCheckRig r;
    int rc = qcheck_open(&r, c, err);
    int u = unclipped_entry(c);
    if (rc == 0 && u < 0)
        rc = forward_on_grid(c, &r, err);
    if (rc == 0 && is_projection(c->ops->name, c->role) && (u < 0 || unclipped[u].projection))
        rc = check_idempotent(c, &r, err);
    qcheck_close(&r);
    return rc;
}

static int check_finite(const QCheckCase *c, QbErr *err)
{
    QCheckRig r;
    if (qcheck_open(&r, c, err) < 0) {
        qcheck_close(&r);
        return -1;
    }
    size_t total = tensor_numel(&r.x);
    float *dy = malloc(total * sizeof(float)), *dx = malloc(total * sizeof(float));
    QB_ASSERT(dy && dx);
    qcheck_fill_normal(dy, total, 29, 1.0f);
    for (size_t i = 0; i < total; i++)
        dx[i] = NAN; /* add == 0 must assign every entry */
    Tensor dyt = r.x, dxt = r.x;
    dyt.data = dy;
    dxt.data = dx;
    qcheck_backward(&r, &r.x, &dyt, &dxt);
    int rc = 0;
    for (size_t i = 0; i < total && rc == 0; i++)
        if (!isfinite(dx[i]))
            rc = qb_fail(err, "%s: dx[%zu] = %g (backward with add = 0 must assign every entry "
                              "a finite value)", c->who, i, dx[i]);
    for (int p = 0; p < r.net.nparams && rc == 0; p++) {
        const Param *P = &r.net.params[p];
        for (size_t i = 0; P->group == PGROUP_QUANT && i < P->numel && rc == 0; i++)
            if (!isfinite(P->g[i]))
                rc = qb_fail(err, "%s: %s's gradient [%zu] = %g", c->who, P->name, i, P->g[i]);
    }
    free(dy);
    free(dx);
    qcheck_close(&r);
    return rc;
}

/* grid (ascending; unsigned: the levels() set), int_path (only for a role the method has)
 * and inference_cost (finite, no more parameters than the quantizer registered). A signed
 * input's grid may stay unsigned when an offset follows the input (the template). */
static int grid_answers(const QCheckCase *c, const QCheckRig *r, QbErr *err)
{
    int n = quantizer_grid(r->q, NULL, 0);
    if (n < 2)
        return qb_fail(err, "%s: a grid of %d levels", c->who, n);
    double *g = malloc((size_t)n * sizeof(double));
    QB_ASSERT(g);
    int rc = quantizer_grid(r->q, g, n) == n ? 0
             : qb_fail(err, "%s: the grid's count depends on cap", c->who);
    for (int i = 1; i < n && rc == 0; i++)
        if (!(g[i - 1] < g[i]))
            rc = qb_fail(err, "%s: the grid is not ascending at %d", c->who, i);
    if (rc == 0 && !c->is_signed && n != c->n)
        rc = qb_fail(err, "%s: the grid has %d levels, levels() %d", c->who, n, c->n);
    for (int i = 0; rc == 0 && !c->is_signed && i < n; i++)
        if (g[i] != c->lv[i])
            rc = qb_fail(err, "%s: grid[%d] = %g but levels()[%d] = %g", c->who, i, g[i], i,
                         c->lv[i]);
    free(g);
    return rc;
}

static int check_ops(const QCheckCase *c, QbErr *err)
{
    const QuantizerOps *ops = c->ops;
    for (int role = 0; role < 2; role++)
        if (ops->int_path[role] != QINT_NONE && !(ops->roles & (1u << role)))
            return qb_fail(err, "%s declares an integer path for %s, which it does not quantize",
                           ops->name, role == QROLE_WEIGHT ? "weights" : "activations");
    QCheckRig r;
    int rc = qcheck_open(&r, c, err);
    if (rc == 0)
        rc = grid_answers(c, &r, err);
    if (rc == 0 && ops->inference_cost) {
        double p = -1, m = -1, own = 0;
        ops->inference_cost(r.q, &p, &m);
        for (int i = 0; i < r.net.nparams; i++)
            own += r.net.params[i].group == PGROUP_QUANT ? (double)r.net.params[i].numel : 0;
        if (!(isfinite(p) && isfinite(m) && p >= 0 && m >= 0 && p <= own))
            rc = qb_fail(err, "%s: inference cost of %g parameters and %g MACs (it registered "
                              "%g parameters)", c->who, p, m, own);
    }
    qcheck_close(&r);
    return rc;
}

/* The checks in the order they run: a method that fails an earlier one is told that first. */
static const struct {
    unsigned bit;
    int (*run)(const QCheckCase *c, QbErr *err);
} check_table[] = {
    {QCHECK_LEVELS, check_levels},
    {QCHECK_FORWARD, check_forward},
    {QCHECK_FINITE, check_finite},
    {QCHECK_OPS, check_ops},
    {QCHECK_INPUT_GRAD, qcheck_input_grad},
    {QCHECK_PARAM_GRAD, qcheck_param_grad},
};

static int check_case(const QCheckCase *c, unsigned checks, QbErr *err)
{
    for (size_t i = 0; i < sizeof check_table / sizeof check_table[0]; i++)
        if ((checks & check_table[i].bit) && check_table[i].run(c, err) < 0)
            return -1;
    return 0;
}

/* Every width of one role under one option setting; a width levels() refuses (POST at 2
 * bits needs an option) is skipped, but it must say why. */
static int role_cases(const QuantizerOps *ops, QuantRole role, const QuantOption *o, int no,
                      unsigned checks, int *cases, QbErr *err)
{
    const char *rname = role == QROLE_WEIGHT ? "weights" : "activations";
    if (ops->min_bits[role] > ops->max_bits[role])
        return qb_fail(err, "%s %s: min_bits %d is above max_bits %d", ops->name, rname,
                       ops->min_bits[role], ops->max_bits[role]);
    char with[QOPT_NAME_MAX * 2 + 16] = "";
    if (no)
        snprintf(with, sizeof with, " with %s: %s", o->name, o->value);
    for (int b = ops->min_bits[role]; b <= ops->max_bits[role]; b++) {
        QbErr why = {{0}};
        int n = ops->levels(b, role, o, no, NULL, 0, &why);
        if (n < 0 && !why.msg[0])
            return qb_fail(err, "%s %s %d bits%s: levels() failed without a message", ops->name,
                           rname, b, with);
        if (n < 0)
            continue;
        double *lv = malloc(((size_t)n + 1) * sizeof(double));
        QB_ASSERT(lv);
        int got = ops->levels(b, role, o, no, lv, n, &why);
        int rc = got == n ? 0
                 : qb_fail(err, "%s %s %d bits%s: levels() counts %d with room for none but %d "
                                "with room for all", ops->name, rname, b, with, n, got);
        int signs = role == QROLE_ACT && ops->signed_act ? 2 : 1;
        for (int s = 0; s < signs && rc == 0; s++) {
            QCheckCase c = {ops, role, b, s, o, no, lv, n, ""};
            snprintf(c.who, sizeof c.who, "%s %s %d bits%s%s", ops->name, rname, b,
                     s ? " (signed)" : "", with);
            rc = check_case(&c, checks, err);
        }
        free(lv);
        if (rc < 0)
            return -1;
        (*cases)++;
    }
    return 0;
}

/* Every role the method has, under one option setting. */
static int setting_cases(const QuantizerOps *ops, const QuantOption *o, int no, unsigned checks,
                         int *cases, QbErr *err)
{
    for (int role = 0; role < 2; role++)
        if ((ops->roles & (1u << role)) &&
            role_cases(ops, (QuantRole)role, o, no, checks, cases, err) < 0)
            return -1;
    return 0;
}

/* Each value but the default of each option declared as a choice ("a|b|c"), alone. */
static int option_cases(const QuantizerOps *ops, unsigned checks, QbErr *err)
{
    for (const QuantOptionSpec *s = ops->options; s && s->name; s++) {
        const char *v = s->values;
        if (!strchr(v, '|'))
            continue; /* "int" or "float": no values to walk */
        while (*v) {
            size_t len = strcspn(v, "|");
            QuantOption o = {{0}, {0}};
            snprintf(o.name, sizeof o.name, "%s", s->name);
            snprintf(o.value, sizeof o.value, "%.*s", (int)len, v);
            int ignored = 0;
            if (strcmp(o.value, s->dflt) && setting_cases(ops, &o, 1, checks, &ignored, err) < 0)
                return -1;
            v += len + (v[len] == '|');
        }
    }
    return 0;
}

int qcheck_method(const QuantizerOps *ops, unsigned checks, int *cases, QbErr *err)
{
    int n = 0;
    if (setting_cases(ops, NULL, 0, checks, &n, err) < 0)
        return -1;
    if (n == 0)
        return qb_fail(err, "%s: no role and width it accepts with default options", ops->name);
    if (option_cases(ops, checks, err) < 0)
        return -1;
    if (cases)
        *cases = n;
    return 0;
}
