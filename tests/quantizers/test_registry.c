/* Walks every registry entry (and the unregistered template) x role x bit-width (qwalk.h):
 * level sets sorted, unique and in the normalised range; forward output on the method's grid
 * through its declared scale op (affine grids included: y = offset + scale·level), or, for a
 * method without one, times one inferred scale per channel or sample; idempotent; gradients
 * finite. test_registry_ops.c checks every declared operation and the gradients against
 * finite differences. A method added to the table is tested here unchanged. Also the
 * registry's own errors. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/rng.h"
#include "tests/support/gradcheck.h"
#include "qwalk.h"

/* Quantizers that normalise their input by design, so Q(Q(x)) != Q(x): DoReFa (tanh and
 * max|tanh|, FORMULAS.md §3), APoT weights (weight normalisation, §5.2), ASQ (β follows the input's
 * pooled mean, §7). Every other (method, role) must be a projection. */
static const struct {
    const char *method;
    QuantRole role;
} not_projections[] = {
    {"dorefa", QROLE_WEIGHT},
    {"apot", QROLE_WEIGHT},
    {"asq", QROLE_ACT},
};

static int is_projection(const char *method, QuantRole role)
{
    for (size_t i = 0; i < sizeof not_projections / sizeof not_projections[0]; i++)
        if (strcmp(not_projections[i].method, method) == 0 && not_projections[i].role == role)
            return 0;
    return 1;
}

static void levels_case(const QCase *c)
{
    const QuantizerOps *ops = c->ops;
    QuantRole role = c->role;
    int bits = c->bits, n = c->n;
    const double *lv = c->lv;
    const char *who = ops->name, *r = role == QROLE_WEIGHT ? "weights" : "activations";
    cr_assert_geq(n, 3, "%s %s %d bits: %d levels", who, r, bits, n);
    cr_assert_leq(n, (1 << bits) + 1, "%s %s %d bits: %d levels", who, r, bits, n);
    for (int i = 1; i < n; i++)
        cr_assert_lt(lv[i - 1], lv[i], "%s %s %d bits: levels %d, %d not ascending and unique",
                     who, r, bits, i - 1, i);
    cr_assert_float_eq(lv[n - 1], 1.0, 1e-12, "%s %s %d bits: largest level", who, r, bits);
    if (role == QROLE_ACT)
        cr_assert_float_eq(lv[0], 0.0, 0, "%s activations %d bits: smallest level", who, bits);
    else
        cr_assert(lv[0] >= -2.0 && lv[0] <= -1.0 + 1e-12, "%s weights %d bits: smallest %g",
                  who, bits, lv[0]);
    double none[1];
    QbErr err = {{0}};
    cr_assert_eq(ops->levels(bits, role, NULL, 0, none, 0, &err), n,
                 "%s %s %d bits: the count does not depend on cap", who, r, bits);
}

Test(registry, every_level_set_is_sorted_unique_and_normalised) { qwalk(levels_case); }

/* Nearest level to u, by bisection. */
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
static int scaled_on_grid(const QCase *c, const QWalkRig *w, const double *lv, int n)
{
    size_t len = (size_t)w->y.c * w->y.h * w->y.w;
    for (int g = 0; g < w->y.n; g++) {
        QuantScale s = w->q->ops->scale(w->q, g);
        cr_assert(s.in_scale > 0 && s.out_scale > 0 && isfinite(s.in_scale) &&
                  isfinite(s.out_scale) && isfinite(s.in_offset) && isfinite(s.out_offset),
                  "%s: group %d scale (%g, %g, %g, %g)", c->who, g, s.in_scale, s.in_offset,
                  s.out_scale, s.out_offset);
        for (size_t i = g * len; i < (g + 1) * len; i++) {
            double yn = (w->y.data[i] - s.out_offset) / s.out_scale, l = nearest(lv, n, yn);
            double u = (w->x.data[i] - s.in_offset) / s.in_scale;
            double want = u <= lv[0] ? lv[0] : (u >= lv[n - 1] ? lv[n - 1] : nearest(lv, n, u));
            double tol = 1e-4 * fmax(1.0, fabs(l));
            if (fabs(yn - l) > tol || (fabs(l - want) > tol && fabs(fabs(u - l) - fabs(u - want)) > tol))
                return 0;
        }
    }
    return 1;
}

static void forward_case(const QCase *qc)
{
    const QuantizerOps *ops = qc->ops;
    QuantRole role = qc->role;
    int bits = qc->bits;
    QWalkRig c;
    qwalk_open(&c, qc);
    double *lv = malloc(QWALK_LEVELS_CAP * sizeof(double));
    int n = quantizer_grid(c.q, lv, QWALK_LEVELS_CAP);
    cr_assert(n > 0 && n <= QWALK_LEVELS_CAP, "%s: grid of %d levels", qc->who, n);
    const char *r = role == QROLE_WEIGHT ? "weights" : "activations";
    size_t len = (size_t)c.y.c * c.y.h * c.y.w, total = tensor_numel(&c.y);
    if (ops->scale)
        cr_assert(scaled_on_grid(qc, &c, lv, n), "%s: an output is off the grid its scale op "
                  "describes, or an input missed its nearest level", qc->who);
    /* Without an offset, each block is also one positive multiple of levels. */
    int affine = 0;
    for (int b = 0; b < c.y.n && ops->scale; b++)
        affine |= ops->scale(c.q, b).out_offset != 0.0;
    for (int b = 0; b < c.y.n && !affine; b++)
        cr_assert(on_grid(c.y.data + b * len, len, lv, n), "%s %s %d bits: block %d is off the grid",
                  ops->name, r, bits, b);
    free(lv);
    if (is_projection(ops->name, role)) {
        c.r.net.train = 0;
        float *y2 = malloc(total * sizeof(float));
        Tensor t2 = c.y;
        t2.data = y2;
        c.q->ops->forward(c.q, &c.y, &t2);
        for (size_t i = 0; i < total; i++)
            cr_assert_leq(fabsf(y2[i] - c.y.data[i]), 1e-5f * (fabsf(c.y.data[i]) + 1e-3f),
                          "%s %s %d bits: Q(Q(x)) != Q(x) at %zu: %g vs %g", ops->name, r, bits,
                          i, y2[i], c.y.data[i]);
        free(y2);
    }
    qwalk_close(&c);
}

Test(registry, every_forward_lands_on_levels_and_is_idempotent) { qwalk(forward_case); }

static void grads_case(const QCase *qc)
{
    QWalkRig c;
    qwalk_open(&c, qc);
    size_t total = tensor_numel(&c.x);
    float *dy = malloc(total * sizeof(float)), *dx = malloc(total * sizeof(float));
    fill_normal(dy, total, 29, 1.0f);
    for (size_t i = 0; i < total; i++)
        dx[i] = NAN; /* add == 0 must assign every entry */
    Tensor dyt = c.x, dxt = c.x;
    dyt.data = dy;
    dxt.data = dx;
    qrig_backward(&c.r, c.q, &c.x, &dyt, &dxt);
    for (size_t i = 0; i < total; i++)
        cr_assert(isfinite(dx[i]), "%s: dx[%zu] = %g", qc->who, i, dx[i]);
    for (int p = 0; p < c.r.net.nparams; p++) {
        const Param *P = &c.r.net.params[p];
        for (size_t i = 0; P->group == PGROUP_QUANT && i < P->numel; i++)
            cr_assert(isfinite(P->g[i]), "%s: %s grad[%zu] = %g", qc->who, P->name, i, P->g[i]);
    }
    free(dy);
    free(dx);
    qwalk_close(&c);
}

Test(registry, every_gradient_is_finite_and_assigned) { qwalk(grads_case); }

Test(registry, unknown_method_lists_the_known_ones)
{
    QbErr err = {{0}};
    cr_assert_null(quantizer_new("lsqq", QROLE_ACT, 4, 0, NULL, 0, &err));
    cr_assert(strstr(err.msg, "unknown quantizer method 'lsqq'"), "%s", err.msg);
    for (int i = 0; i < quantizer_count(); i++)
        cr_assert(strstr(err.msg, quantizer_at(i)->name), "%s misses %s", err.msg, quantizer_at(i)->name);
}

Test(registry, bit_range_error_names_the_supported_range)
{
    QbErr err = {{0}};
    cr_assert_null(quantizer_new("lsq", QROLE_WEIGHT, 9, 0, NULL, 0, &err));
    cr_assert_str_eq(err.msg, "lsq needs 2..8 bits for weights, got 9");
    cr_assert_null(quantizer_new("pact", QROLE_ACT, 1, 0, NULL, 0, &err));
    cr_assert_str_eq(err.msg, "pact needs 2..8 bits for activations, got 1");
}

Test(registry, role_a_method_lacks_is_an_error)
{
    QbErr err = {{0}};
    cr_assert_null(quantizer_new("pact", QROLE_WEIGHT, 4, 0, NULL, 0, &err));
    cr_assert_str_eq(err.msg, "pact does not quantize weights");
}

Test(registry, unknown_option_lists_the_methods_options)
{
    QbErr err = {{0}};
    QuantOption o = {"lsq_grad", "batch"};
    cr_assert_null(quantizer_new("lsq", QROLE_ACT, 4, 0, &o, 1, &err));
    cr_assert(strstr(err.msg, "lsq has no option 'lsq_grad'") && strstr(err.msg, "lsq_grad_scale"),
              "%s", err.msg);
    cr_assert_null(quantizer_new("pact", QROLE_ACT, 4, 0, &o, 1, &err));
    cr_assert(strstr(err.msg, "it takes none"), "%s", err.msg);
}

Test(registry, bad_option_value_names_the_choices)
{
    QbErr err = {{0}};
    QuantOption o = {"lsq_grad_scale", "sample"};
    cr_assert_null(quantizer_new("lsq", QROLE_ACT, 4, 0, &o, 1, &err));
    cr_assert_str_eq(err.msg, "lsq option lsq_grad_scale: expected batch|per_sample, got 'sample'");
    QuantOption r = {"adapter_ratio", "4x"};
    cr_assert_null(quantizer_new("asq", QROLE_ACT, 4, 0, &r, 1, &err));
    cr_assert(strstr(err.msg, "expected int"), "%s", err.msg);
}

Test(registry, option_defaults_come_from_the_method)
{
    QbErr err = {{0}};
    Quantizer *q = quantizer_new("lsq", QROLE_WEIGHT, 4, 0, NULL, 0, &err);
    cr_assert(q, "%s", err.msg);
    cr_assert_str_eq(quantizer_opt(q, "lsq_weight_granularity"), "per_channel");
    cr_assert_null(quantizer_opt(q, "no_such_option"));
    quantizer_delete(q);
}
