/* DSQ (FORMULAS.md §13): levels, the worked test of §13.7 (hard forward, the tanh gradient and
 * the three parameter gradients), the soft option, the soft function's edges and limits, init,
 * constraints and refusals. */
#include <criterion/criterion.h>
#include <math.h>
#include <string.h>

#include "qtest.h"

Test(dsq, levels_span_the_range_in_2b_minus_1_steps)
{
    qrig_expect_levels("dsq", QROLE_ACT, 2, NULL, 0, (double[]){0, 1.0 / 3, 2.0 / 3, 1}, 4);
    qrig_expect_levels("dsq", QROLE_WEIGHT, 2, NULL, 0, (double[]){-1, -1.0 / 3, 1.0 / 3, 1}, 4);
}

/* §13.7: 2 bits, l = 0, u = 3 (Δ = 1), α = 0.2. */
#define NX 8
static const float wx[NX] = {-0.5f, 0.2f, 0.5f, 1.3f, 1.5f, 2.9f, 3.0f, 3.4f};

/* 2-bit activations over n inputs, l = 0, u = 3, the given α. */
static Quantizer *range_rig(QRig *r, int n, float alpha, const QuantOption *o, int no)
{
    Quantizer *q = qrig_new("dsq", QROLE_ACT, 2, 0, o, no);
    qrig_build(r, (Dims){n, 1, 1}, 1, 0, 1, NULL, q);
    qrig_skip_init(q);
    qrig_param(r, "aq", "lower")->w[0] = 0.0f;
    qrig_param(r, "aq", "upper")->w[0] = 3.0f;
    qrig_param(r, "aq", "alpha")->w[0] = alpha;
    return q;
}

static Quantizer *worked_rig(QRig *r, const QuantOption *o, int no)
{
    return range_rig(r, NX, 0.2f, o, no);
}

static void run(QRig *r, Quantizer *q, float *y, float *dx)
{
    float ones[NX] = {1, 1, 1, 1, 1, 1, 1, 1};
    Tensor x = {1, NX, 1, 1, (float *)wx}, yt = {1, NX, 1, 1, y}, dy = {1, NX, 1, 1, ones},
           dxt = {1, NX, 1, 1, dx};
    q->ops->forward(q, &x, &yt);
    qrig_backward(r, q, &x, &dy, &dxt);
}

Test(dsq, worked_test_hard_forward_and_tanh_gradients)
{
    QRig r;
    Quantizer *q = worked_rig(&r, NULL, 0);
    float y[NX], dx[NX];
    run(&r, q, y, dx);
    const float want_y[NX] = {0, 0, 0, 1, 2, 3, 3, 3}; /* 0.5 and 1.5: ties to even */
    const double want_dx[NX] = {0, 0.914782, 1.373265, 1.138820, 1.373265, 0.689047, 0.494376, 0};
    for (int i = 0; i < NX; i++) {
        cr_assert_eq(y[i], want_y[i], "x=%g: y=%g want %g", wx[i], y[i], want_y[i]);
        cr_assert_float_eq(dx[i], want_dx[i], 2e-6, "x=%g: dx=%.7g want %g", wx[i], dx[i],
                           want_dx[i]);
    }
    cr_assert_float_eq(qrig_param(&r, "aq", "lower")->g[0], 0.646883, 2e-6);
    cr_assert_float_eq(qrig_param(&r, "aq", "upper")->g[0], 1.369562, 2e-6);
    cr_assert_float_eq(qrig_param(&r, "aq", "alpha")->g[0], 0.350136, 2e-6);
    qrig_free(&r);
}

/* Under dsq_forward: soft the training forward is Q_S, the bound gradients use φ instead of
 * the hard code, ∂/∂α is unchanged; evaluation stays hard. */
Test(dsq, soft_forward_is_the_soft_quantizer_in_training_only)
{
    QuantOption o = {"dsq_forward", "soft"};
    QRig r;
    Quantizer *q = worked_rig(&r, &o, 1);
    r.net.train = 1;
    float y[NX], dx[NX];
    run(&r, q, y, dx);
    const double want[NX] = {0, 0.138869, 0.5, 1.241760, 1.5, 2.941164, 3, 3};
    for (int i = 0; i < NX; i++)
        cr_assert_float_eq(y[i], want[i], 2e-6, "x=%g: y=%.7g want %g", wx[i], y[i], want[i]);
    cr_assert_float_eq(qrig_param(&r, "aq", "lower")->g[0], 0.539619, 2e-6);
    cr_assert_float_eq(qrig_param(&r, "aq", "upper")->g[0], 1.476826, 2e-6);
    cr_assert_float_eq(qrig_param(&r, "aq", "alpha")->g[0], 0.350136, 2e-6);
    r.net.train = 0;
    Tensor x = {1, NX, 1, 1, (float *)wx}, yt = {1, NX, 1, 1, y};
    q->ops->forward(q, &x, &yt);
    cr_assert_eq(y[1], 0.0f, "evaluation is hard: %g", y[1]);
    cr_assert_eq(y[3], 1.0f, "evaluation is hard: %g", y[3]);
    qrig_free(&r);
}

/* The slope at an interval's edges is (sK/2)(1 − (1 − α)²), the same from both sides (φ is
 * continuously differentiable across intervals); ∂y/∂α is 0 at the edges and midpoints. */
Test(dsq, soft_function_edges_are_smooth_and_alpha_neutral)
{
    float x[4] = {0.9999f, 1.0f, 1.0001f, 1.5f}, ones[4] = {1, 1, 1, 1}, dx[4];
    Tensor xt = {1, 4, 1, 1, x}, dy = {1, 4, 1, 1, ones}, dxt = {1, 4, 1, 1, dx};
    QRig r4;
    Quantizer *q4 = range_rig(&r4, 4, 0.2f, NULL, 0);
    float y[4];
    q4->ops->forward(q4, &xt, &(Tensor){1, 4, 1, 1, y});
    qrig_backward(&r4, q4, &xt, &dy, &dxt);
    const double edge = 1.3732654 * (1.0 - 0.8 * 0.8);
    for (int i = 0; i < 3; i++)
        cr_assert_float_eq(dx[i], edge, 1e-3, "x=%g: slope %g, edge %g", x[i], dx[i], edge);
    cr_assert_float_eq(dx[3], 1.3732654, 1e-6);
    /* x = 1 (an edge) and 1.5 (a midpoint) give no α gradient; 0.9999 and 1.0001 cancel */
    cr_assert_float_eq(qrig_param(&r4, "aq", "alpha")->g[0], 0.0, 1e-6);
    qrig_free(&r4);
}

/* α → 1: the slope tends to 1 everywhere (the plain STE); α → 0: a spike at the midpoints
 * and almost nothing at the edges: sK/2 = 3.80 against (sK/2)(1 − (1 − α)²) = 0.0076 at
 * α = 1e-3 (hard rounding). Outside [l, u] the input gradient is 0 at any α. */
Test(dsq, alpha_limits_are_the_ste_and_hard_rounding)
{
    float x[4] = {0.0f, 1.5f, -0.5f, 3.4f}, ones[4] = {1, 1, 1, 1}, dx[4], y[4];
    Tensor xt = {1, 4, 1, 1, x}, dy = {1, 4, 1, 1, ones}, dxt = {1, 4, 1, 1, dx};
    const float alphas[2] = {0.999f, 1e-3f};
    for (int k = 0; k < 2; k++) {
        QRig r;
        Quantizer *q = range_rig(&r, 4, alphas[k], NULL, 0);
        q->ops->forward(q, &xt, &(Tensor){1, 4, 1, 1, y});
        qrig_backward(&r, q, &xt, &dy, &dxt);
        if (k == 0) {
            cr_assert_float_eq(dx[0], 1.0, 1e-3, "alpha 0.999: slope %g", dx[0]);
            cr_assert_float_eq(dx[1], 1.0, 1e-3, "alpha 0.999: slope %g", dx[1]);
        } else {
            cr_assert_lt(dx[0], 1e-2, "alpha 1e-3: slope %g at an edge", dx[0]);
            cr_assert_gt(dx[1], 300.0 * dx[0], "alpha 1e-3: midpoint %g against edge %g", dx[1],
                         dx[0]);
        }
        cr_assert_eq(dx[2], 0.0f);
        cr_assert_eq(dx[3], 0.0f);
        cr_assert_eq(y[2], 0.0f, "clamped to l");
        cr_assert_eq(y[3], 3.0f, "clamped to u");
        qrig_free(&r);
    }
}

/* §13.5: weights μ ± 2.6σ (σ unbiased), activations the mean per-sample min and max, α 0.2;
 * post_step keeps α in [1e-3, 0.999] and u above l. */
Test(dsq, init_and_constraints)
{
    QRig r;
    Quantizer *wq = qrig_new("dsq", QROLE_WEIGHT, 2, 0, NULL, 0);
    Quantizer *aq = qrig_new("dsq", QROLE_ACT, 2, 0, NULL, 0);
    qrig_build(&r, (Dims){2, 1, 1}, 2, 0, 2, wq, aq);
    float w[4] = {1, 2, 3, 4}, a[4] = {0, 2, 1, 5};
    wq->ops->init(wq, &(Tensor){2, 2, 1, 1, w});
    aq->ops->init(aq, &(Tensor){2, 2, 1, 1, a});
    double sd = sqrt(5.0 / 3.0);
    cr_assert_float_eq(qrig_param(&r, "wq", "lower")->w[0], 2.5 - 2.6 * sd, 1e-6);
    cr_assert_float_eq(qrig_param(&r, "wq", "upper")->w[0], 2.5 + 2.6 * sd, 1e-6);
    cr_assert_float_eq(qrig_param(&r, "aq", "lower")->w[0], 0.5, 0);
    cr_assert_float_eq(qrig_param(&r, "aq", "upper")->w[0], 3.5, 0);
    cr_assert_float_eq(qrig_param(&r, "aq", "alpha")->w[0], 0.2, 1e-7);
    qrig_param(&r, "aq", "alpha")->w[0] = 1.5f;
    qrig_param(&r, "aq", "upper")->w[0] = 0.0f;
    aq->ops->post_step(aq);
    cr_assert_float_eq(qrig_param(&r, "aq", "alpha")->w[0], 0.999, 1e-7);
    cr_assert_gt(qrig_param(&r, "aq", "upper")->w[0], 0.5f);
    qrig_param(&r, "aq", "alpha")->w[0] = -1.0f;
    aq->ops->post_step(aq);
    cr_assert_float_eq(qrig_param(&r, "aq", "alpha")->w[0], 1e-3, 1e-9);
    qrig_free(&r);
}

/* dsq_act_lower: fixed0 keeps l = 0 on a post-ReLU input: no lower parameter at all. */
Test(dsq, fixed0_has_no_lower_bound_parameter)
{
    QuantOption o = {"dsq_act_lower", "fixed0"};
    QRig r;
    Quantizer *q = qrig_new("dsq", QROLE_ACT, 2, 0, &o, 1);
    qrig_build(&r, (Dims){2, 1, 1}, 1, 0, 2, NULL, q);
    cr_assert_null(net_param(&r.net, "l.aq.lower"));
    float a[4] = {0.5f, 2, 1, 5};
    q->ops->init(q, &(Tensor){2, 2, 1, 1, a});
    QuantScale s = q->ops->scale(q, 0);
    cr_assert_eq(s.in_offset, 0.0);
    cr_assert_float_eq(s.in_scale, 3.5, 1e-6);
    qrig_free(&r);
}

Test(dsq, bad_widths_and_options_are_refused_by_name)
{
    qrig_expect_refused("dsq", QROLE_WEIGHT, 1, NULL, 0, "dsq needs 2..8 bits for weights, got 1");
    qrig_expect_refused("dsq", QROLE_ACT, 9, NULL, 0, "dsq needs 2..8 bits for activations, got 9");
    QuantOption bad = {"dsq_forward", "tanh"};
    qrig_expect_refused("dsq", QROLE_ACT, 4, &bad, 1,
                        "dsq option dsq_forward: expected hard|soft, got 'tanh'");
    QuantOption other = {"qil_gamma", "fixed"};
    qrig_expect_refused("dsq", QROLE_ACT, 4, &other, 1, "dsq has no option 'qil_gamma'");
}
