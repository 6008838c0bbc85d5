/* PACT activations and DoReFa weights (FORMULAS.md §3). */
#include <criterion/criterion.h>
#include <math.h>

#include "core/optim/optim.h"
#include "quantizers/qcommon.h"
#include "qtest.h"

Test(pact, levels_are_k_over_2b_minus_1)
{
    qrig_expect_levels("pact", QROLE_ACT, 2, NULL, 0, (double[]){0, 1.0 / 3, 2.0 / 3, 1}, 4);
    double want[8];
    for (int k = 0; k < 8; k++)
        want[k] = k / 7.0;
    qrig_expect_levels("pact", QROLE_ACT, 3, NULL, 0, want, 8);
}

/* 2 bits, α = 2: levels 0, 2/3, 4/3, 2. */
static const float px[7] = {-1.0f, 0.0f, 0.5f, 1.0f, 1.9f, 2.0f, 3.0f};

static Quantizer *pact_rig(QRig *r)
{
    Quantizer *q = qrig_new("pact", QROLE_ACT, 2, 0, NULL, 0);
    qrig_build(r, (Dims){7, 1, 1}, 1, 0, 1, NULL, q);
    qrig_skip_init(q);
    qrig_param(r, "aq", "alpha")->w[0] = 2.0f;
    return q;
}

Test(pact, forward_clips_to_alpha_and_rounds_ties_to_even)
{
    QRig r;
    Quantizer *q = pact_rig(&r);
    float y[7];
    Tensor x = {1, 7, 1, 1, (float *)px}, yt = {1, 7, 1, 1, y};
    q->ops->forward(q, &x, &yt);
    /* 0.5·3/2 = 0.75 -> 1; 1.0·3/2 = 1.5 -> 2 (tie to even); 1.9 -> 2.85 -> 3 */
    const float want[7] = {0, 0, 2.0f / 3, 4.0f / 3, 2, 2, 2};
    for (int i = 0; i < 7; i++)
        cr_assert_float_eq(y[i], want[i], 1e-6, "x=%g: y=%g want %g", px[i], y[i], want[i]);
    qrig_free(&r);
}

Test(pact, boundary_x_equal_alpha_sends_gradient_to_alpha_only)
{
    QRig r;
    Quantizer *q = pact_rig(&r);
    float ones[7] = {1, 1, 1, 1, 1, 1, 1}, dx[7];
    Tensor x = {1, 7, 1, 1, (float *)px}, dy = {1, 7, 1, 1, ones}, dxt = {1, 7, 1, 1, dx};
    qrig_backward(&r, q, &x, &dy, &dxt);
    const float want[7] = {0, 1, 1, 1, 1, 0, 0};
    for (int i = 0; i < 7; i++)
        cr_assert_float_eq(dx[i], want[i], 0, "x=%g: dx=%g want %g", px[i], dx[i], want[i]);
    cr_assert_float_eq(qrig_param(&r, "aq", "alpha")->g[0], 2.0f, 1e-6, "x = 2 and x = 3, unscaled");
    qrig_free(&r);
}

Test(pact, alpha_grad_sums_upstream_over_clipped_samples)
{
    QRig r;
    Quantizer *q = qrig_new("pact", QROLE_ACT, 4, 0, NULL, 0);
    qrig_build(&r, (Dims){2, 1, 1}, 1, 0, 2, NULL, q);
    qrig_skip_init(q);
    qrig_param(&r, "aq", "alpha")->w[0] = 1.0f;
    float xv[4] = {5.0f, 0.5f, 1.0f, 2.0f}, dyv[4] = {0.5f, 9.0f, -2.0f, 0.25f}, dx[4];
    Tensor x = {2, 2, 1, 1, xv}, dy = {2, 2, 1, 1, dyv}, dxt = {2, 2, 1, 1, dx};
    qrig_backward(&r, q, &x, &dy, &dxt);
    cr_assert_float_eq(qrig_param(&r, "aq", "alpha")->g[0], 0.5 - 2.0 + 0.25, 1e-6);
    cr_assert_float_eq(dx[1], 9.0f, 0);
    qrig_free(&r);
}

Test(pact, init_alpha_is_10_and_post_step_guards)
{
    QRig r;
    Quantizer *q = qrig_new("pact", QROLE_ACT, 2, 0, NULL, 0);
    qrig_build(&r, (Dims){7, 1, 1}, 1, 0, 1, NULL, q);
    Tensor x = {1, 7, 1, 1, (float *)px};
    q->ops->init(q, &x);
    Param *a = qrig_param(&r, "aq", "alpha");
    cr_assert_float_eq(a->w[0], 10.0f, 0);
    a->w[0] = -3.0f;
    q->ops->post_step(q);
    cr_assert_float_eq(a->w[0], 3.0f, 0);
    qrig_free(&r);
}

/* FORMULAS.md §1.4: pact_alpha_init: calibrated starts α where LSQ's activation range starts
 * on the same batch: s·Qp with s = 2·mean|x|/sqrt(Qp). px has mean|x| = 9.4/7. */
Test(pact, calibrated_alpha_is_where_lsqs_range_starts)
{
    QuantOption o = {"pact_alpha_init", "calibrated"};
    Tensor x = {1, 7, 1, 1, (float *)px};
    for (int bits = 2; bits <= 4; bits++) {
        QRig r, l;
        Quantizer *q = qrig_new("pact", QROLE_ACT, bits, 0, &o, 1);
        qrig_build(&r, (Dims){7, 1, 1}, 1, 0, 1, NULL, q);
        q->ops->init(q, &x);
        double qp = (1 << bits) - 1, want = 2.0 * (9.4 / 7.0) * sqrt(qp);
        float alpha = qrig_param(&r, "aq", "alpha")->w[0];
        cr_assert_float_eq(alpha, want, 1e-5, "%d bits: alpha %g, want %g", bits, alpha, want);
        Quantizer *lsq = qrig_new("lsq", QROLE_ACT, bits, 0, NULL, 0);
        qrig_build(&l, (Dims){7, 1, 1}, 1, 0, 1, NULL, lsq);
        lsq->ops->init(lsq, &x);
        cr_assert_eq(alpha, qrig_param(&l, "aq", "step")->w[0] * (float)qp,
                     "%d bits: exactly LSQ's initial step times Qp", bits);
        qrig_free(&l);
        qrig_free(&r);
    }
}

/* FORMULAS.md §3 and §1.7: α is a quantizer-group parameter with the group's learning rate
 * and weight decay λ_α, applied as decay (the gradient gains λ_α·α): one SGD step from α = 10
 * with dL/dα = 0.5, lr 0.1, λ_α = 0.01 gives 10 − 0.1·(0.5 + 0.1) = 9.94, whatever the other
 * groups' decay. */
Test(pact, alpha_decays_with_the_quantizer_groups_weight_decay)
{
    QRig r;
    Quantizer *q = qrig_new("pact", QROLE_ACT, 2, 0, NULL, 0);
    qrig_build(&r, (Dims){7, 1, 1}, 1, 0, 1, NULL, q);
    Param *a = qrig_param(&r, "aq", "alpha");
    cr_assert_eq(a->group, PGROUP_QUANT);
    a->w[0] = 10.0f;
    a->g[0] = 0.5f;
    Optimizer o;
    optim_defaults(&o, 0.3f);
    o.group[PGROUP_QUANT].weight_decay = 0.01f;
    optim_step(&o, &r.net, 0.1f);
    cr_assert_float_eq(a->w[0], 9.94f, 1e-6, "alpha %g", a->w[0]);
    qrig_free(&r);
}

Test(pact, signed_input_is_rejected)
{
    QbErr err = {{0}};
    Net net;
    net_init(&net, (Dims){3, 1, 1});
    int li = layer_linear(&net, "fc", NET_INPUT, 2, 0, &err);
    Quantizer *q = qrig_new("pact", QROLE_ACT, 4, 1, NULL, 0);
    cr_assert_lt(layer_quantize(&net, li, NULL, q, &err), 0);
    cr_assert(strstr(err.msg, "signed"), "%s", err.msg);
    net_free(&net);
}

Test(dorefa, levels_have_no_zero)
{
    qrig_expect_levels("dorefa", QROLE_WEIGHT, 2, NULL, 0, (double[]){-1, -1.0 / 3, 1.0 / 3, 1}, 4);
    double want[8];
    for (int k = 0; k < 8; k++)
        want[k] = (2.0 * k - 7) / 7;
    qrig_expect_levels("dorefa", QROLE_WEIGHT, 3, NULL, 0, want, 8);
}

static Quantizer *dorefa_rig(QRig *r, int bits, const QuantOption *o, int no)
{
    Quantizer *q = qrig_new("dorefa", QROLE_WEIGHT, bits, 0, o, no);
    qrig_build(r, (Dims){4, 1, 1}, 1, 0, 1, q, NULL);
    return q;
}

/* w = [2, -2, 0, 0.5]: ±max|tanh| map to ±1; 0 maps to u = 1/2, and u·3 = 1.5 rounds to 2
 * (ties to even) -> 1/3; tanh(0.5)/(2 tanh 2) + 1/2 = 0.7389 -> 2.2166 -> 2 -> 1/3. */
Test(dorefa, forward_hand_case_2bit)
{
    QRig r;
    Quantizer *q = dorefa_rig(&r, 2, NULL, 0);
    float wv[4] = {2.0f, -2.0f, 0.0f, 0.5f}, y[4];
    Tensor x = {1, 4, 1, 1, wv}, yt = {1, 4, 1, 1, y};
    q->ops->forward(q, &x, &yt);
    const float want[4] = {1, -1, 1.0f / 3, 1.0f / 3};
    for (int i = 0; i < 4; i++)
        cr_assert_float_eq(y[i], want[i], 1e-6, "w=%g: y=%g want %g", wv[i], y[i], want[i]);
    qrig_free(&r);
}

Test(dorefa, forward_3bit_between_levels)
{
    QRig r;
    Quantizer *q = dorefa_rig(&r, 3, NULL, 0);
    /* u(0.3) = tanh(0.3)/(2 tanh 1) + 1/2 = 0.69203 -> ·7 = 4.844 -> 5 -> 3/7 */
    float wv[4] = {1.0f, -0.2f, 0.3f, 0.0f}, y[4];
    Tensor x = {1, 4, 1, 1, wv}, yt = {1, 4, 1, 1, y};
    q->ops->forward(q, &x, &yt);
    cr_assert_float_eq(y[0], 1.0f, 1e-6);
    cr_assert_float_eq(y[2], 3.0f / 7, 1e-6);
    cr_assert_float_eq(y[3], 1.0f / 7, 1e-6, "0 -> u·7 = 3.5 -> 4 (ties to even)");
    qrig_free(&r);
}

Test(dorefa, default_grad_is_identity)
{
    QRig r;
    Quantizer *q = dorefa_rig(&r, 2, NULL, 0);
    float wv[4] = {2.0f, -3.0f, 0.0f, 0.5f}, y[4], dyv[4] = {1, 2, 3, 4}, dx[4] = {1, 1, 1, 1};
    Tensor x = {1, 4, 1, 1, wv}, yt = {1, 4, 1, 1, y}, dy = {1, 4, 1, 1, dyv}, dxt = {1, 4, 1, 1, dx};
    q->ops->forward(q, &x, &yt);
    q->ops->backward(q, &x, &dy, &dxt, 1);
    for (int i = 0; i < 4; i++)
        cr_assert_float_eq(dx[i], 1.0f + dyv[i], 0, "no mask anywhere");
    qrig_free(&r);
}

Test(dorefa, exact_grad_option_differentiates_tanh)
{
    QuantOption o = {"dorefa_grad", "exact"};
    QRig r;
    Quantizer *q = dorefa_rig(&r, 4, &o, 1);
    float wv[4] = {2.0f, -3.0f, 0.0f, 0.5f}, y[4], dyv[4] = {1, 2, 3, 4}, dx[4];
    Tensor x = {1, 4, 1, 1, wv}, yt = {1, 4, 1, 1, y}, dy = {1, 4, 1, 1, dyv}, dxt = {1, 4, 1, 1, dx};
    q->ops->forward(q, &x, &yt);
    q->ops->backward(q, &x, &dy, &dxt, 0);
    double m = tanh(3.0);
    for (int i = 0; i < 4; i++) {
        double t = tanh(wv[i]);
        cr_assert_float_eq(dx[i], dyv[i] * (1 - t * t) / m, 1e-5, "w=%g", wv[i]);
    }
    qrig_free(&r);
}

Test(dorefa, all_zero_weights_stay_finite)
{
    QRig r;
    Quantizer *q = dorefa_rig(&r, 2, NULL, 0);
    float wv[4] = {0}, y[4];
    Tensor x = {1, 4, 1, 1, wv}, yt = {1, 4, 1, 1, y};
    q->ops->forward(q, &x, &yt);
    for (int i = 0; i < 4; i++)
        cr_assert_float_eq(y[i], 1.0f / 3, 1e-6);
    qrig_free(&r);
}
