/* APoT (FORMULAS.md §5): the code's level sets, the quantizer on normalised weights, the RCF alpha
 * gradient, the weight-gradient options and the normalisation's backward. */
#include <criterion/criterion.h>
#include <math.h>
#include <string.h>

#include "core/optim/optim.h"
#include "qtest.h"

static int act_levels(int bits, double *out)
{
    QbErr err = {{0}};
    return quantizer_find("apot")->levels(bits, QROLE_ACT, NULL, 0, out, 64, &err);
}

Test(apot, every_level_set_has_2_to_the_m_distinct_values)
{
    double lv[64];
    for (int m = 2; m <= 6; m++) {
        cr_assert_eq(act_levels(m, lv), 1 << m, "m=%d", m);
        for (int i = 1; i < (1 << m); i++)
            cr_assert_lt(lv[i - 1], lv[i], "m=%d sorted and unique at %d", m, i);
        cr_assert_eq(lv[(1 << m) - 1], 1.0);
    }
    cr_assert_float_eq(lv[1], 1.0 / 448.0, 1e-15, "m=6 smallest non-zero level");
}

Test(apot, level_sets_match_the_spec_table)
{
    qrig_expect_levels("apot", QROLE_ACT, 2, NULL, 0, (double[]){0, 0.25, 0.5, 1}, 4);
    qrig_expect_levels("apot", QROLE_ACT, 3, NULL, 0,
                       (double[]){0, 0.1, 0.2, 0.3, 0.4, 0.6, 0.8, 1}, 8);
    qrig_expect_levels("apot", QROLE_ACT, 4, NULL, 0,
                       (double[]){0, 1.0 / 48, 1.0 / 24, 1.0 / 16, 1.0 / 12, 1.0 / 8, 1.0 / 6,
                                  3.0 / 16, 1.0 / 4, 1.0 / 3, 3.0 / 8, 1.0 / 2, 2.0 / 3, 11.0 / 16,
                                  3.0 / 4, 1},
                       16);
    double lv[64];
    const int hundredths[32] = {0,  1,  2,  3,  4,  5,  6,  7,  8,  10, 12, 14, 16, 17, 20, 21,
                                24, 28, 32, 34, 36, 38, 48, 52, 64, 65, 68, 69, 72, 76, 96, 100};
    cr_assert_eq(act_levels(5, lv), 32);
    for (int i = 0; i < 32; i++)
        cr_assert_float_eq(lv[i], hundredths[i] / 100.0, 1e-12, "m=5 level %d", i);
    /* 4-bit weights use m = 3: 15 signed levels; 2-bit weights are ternary */
    qrig_expect_levels("apot", QROLE_WEIGHT, 2, NULL, 0, (double[]){-1, 0, 1}, 3);
    QbErr err = {{0}};
    cr_assert_eq(quantizer_find("apot")->levels(4, QROLE_WEIGHT, NULL, 0, lv, 64, &err), 15);
    cr_assert_null(quantizer_new("apot", QROLE_WEIGHT, 8, 0, NULL, 0, &err));
    cr_assert(strstr(err.msg, "2..7"), "%s", err.msg);
}

/* Independent reference: normalise in double, clip, project onto the m=3 set of FORMULAS.md §5. */
static const double m3[8] = {0, 0.1, 0.2, 0.3, 0.4, 0.6, 0.8, 1};

static double ref_q(double c)
{
    double a = fabs(c), best = m3[0];
    for (int i = 1; i < 8; i++) /* ascending: "<=" sends ties to the larger level */
        if (fabs(a - m3[i]) <= fabs(a - best))
            best = m3[i];
    return c < 0 ? -best : best;
}

static const float w[12] = {0.31f, -0.52f, 0.07f, 0.9f, -1.3f, 0.22f,
                            -0.05f, 0.44f, -0.71f, 1.8f, 0.02f, -0.2f};

static void normalise(double *wn, double *sigma)
{
    double mu = 0, ss = 0;
    for (int i = 0; i < 12; i++)
        mu += w[i] / 12.0;
    for (int i = 0; i < 12; i++)
        ss += (w[i] - mu) * (w[i] - mu);
    *sigma = sqrt(ss / 11.0);
    for (int i = 0; i < 12; i++)
        wn[i] = (w[i] - mu) / *sigma;
}

static Quantizer *weight_rig(QRig *r, const QuantOption *o, int n)
{
    Quantizer *q = qrig_new("apot", QROLE_WEIGHT, 4, 0, o, n);
    qrig_build(r, (Dims){12, 1, 1}, 1, 0, 1, q, NULL);
    qrig_skip_init(q);
    qrig_param(r, "wq", "alpha")->w[0] = 1.5f;
    return q;
}

/* The ablation's activation grid is evenly spaced; weights keep APoT's sets. */
Test(apot, uniform_activation_grid_changes_only_the_activation_levels)
{
    const QuantOption uni[] = {{"apot_act_grid", "uniform"}};
    qrig_expect_levels("apot", QROLE_ACT, 2, uni, 1, (double[]){0, 1.0 / 3, 2.0 / 3, 1}, 4);
    qrig_expect_levels("apot", QROLE_ACT, 3, uni, 1,
                       (double[]){0, 1.0 / 7, 2.0 / 7, 3.0 / 7, 4.0 / 7, 5.0 / 7, 6.0 / 7, 1}, 8);
    qrig_expect_levels("apot", QROLE_WEIGHT, 2, uni, 1, (double[]){-1, 0, 1}, 3);
    QbErr err = {{0}};
    Quantizer *q = quantizer_new("apot", QROLE_ACT, 2, 0, uni, 1, &err);
    cr_assert_not_null(q, "%s", err.msg);
    cr_assert_str_eq(quantizer_opt(q, "apot_act_grid"), "uniform");
    quantizer_delete(q);
}

Test(apot, weights_are_normalised_then_projected_with_the_rcf)
{
    QRig r;
    Quantizer *q = weight_rig(&r, NULL, 0);
    double wn[12], sigma;
    normalise(wn, &sigma);
    float y[12];
    Tensor x = {1, 12, 1, 1, (float *)w}, yt = {1, 12, 1, 1, y};
    q->ops->forward(q, &x, &yt);
    for (int i = 0; i < 12; i++) {
        double c = fmax(-1, fmin(1, wn[i] / 1.5));
        cr_assert_float_eq(y[i], 1.5 * ref_q(c), 1e-5, "w'=%g: y=%g", wn[i], y[i]);
    }
    qrig_free(&r);
}

static void grads(const QuantOption *o, int n, float *dx, float *dalpha)
{
    QRig r;
    Quantizer *q = weight_rig(&r, o, n);
    float y[12], dyv[12];
    for (int i = 0; i < 12; i++)
        dyv[i] = 0.1f * (float)(i % 5) - 0.2f;
    Tensor x = {1, 12, 1, 1, (float *)w}, yt = {1, 12, 1, 1, y}, dy = {1, 12, 1, 1, dyv},
           dxt = {1, 12, 1, 1, dx};
    q->ops->forward(q, &x, &yt);
    qrig_backward(&r, q, &x, &dy, &dxt);
    *dalpha = qrig_param(&r, "wq", "alpha")->g[0];
    qrig_free(&r);
}

Test(apot, alpha_grad_is_projection_error_inside_and_sign_outside)
{
    float dx[12], da;
    grads(NULL, 0, dx, &da);
    double wn[12], sigma, want = 0;
    normalise(wn, &sigma);
    for (int i = 0; i < 12; i++) {
        double v = wn[i] / 1.5, dyv = 0.1 * (i % 5) - 0.2;
        want += dyv * (fabs(v) <= 1 ? ref_q(v) - v : (v > 0 ? 1 : -1));
    }
    cr_assert_float_eq(da, want, 1e-5);
}

Test(apot, default_weight_grad_is_unmasked_and_divided_by_sigma)
{
    float dx[12], da, dxm[12];
    grads(NULL, 0, dx, &da);
    double wn[12], sigma;
    normalise(wn, &sigma);
    int outside = 0;
    for (int i = 0; i < 12; i++) {
        cr_assert_float_eq(dx[i], (0.1 * (i % 5) - 0.2) / sigma, 1e-5, "i=%d", i);
        outside += fabs(wn[i] / 1.5) > 1;
    }
    cr_assert_gt(outside, 0, "the case must have a clipped weight");
    QuantOption o = {"apot_weight_grad", "masked"};
    grads(&o, 1, dxm, &da);
    for (int i = 0; i < 12; i++)
        cr_assert_float_eq(dxm[i], fabs(wn[i] / 1.5) > 1 ? 0.0 : dx[i], 1e-6, "masked i=%d", i);
}

/* apot_wn_grad: full back-propagates through mu and sigma: dx = J^T dy for J = dW'/dW,
 * checked against central differences of sum(dy * W'(W)) computed in double. */
Test(apot, full_normalisation_gradient_matches_finite_differences)
{
    QuantOption o = {"apot_wn_grad", "full"};
    float dx[12], da;
    grads(&o, 1, dx, &da);
    for (int j = 0; j < 12; j++) {
        double f[2];
        for (int s = 0; s < 2; s++) {
            double ww[12], mu = 0, ss = 0, h = s ? 1e-6 : -1e-6;
            for (int i = 0; i < 12; i++)
                ww[i] = w[i] + (i == j ? h : 0);
            for (int i = 0; i < 12; i++)
                mu += ww[i] / 12;
            for (int i = 0; i < 12; i++)
                ss += (ww[i] - mu) * (ww[i] - mu);
            double sd = sqrt(ss / 11), acc = 0;
            for (int i = 0; i < 12; i++)
                acc += (0.1 * (i % 5) - 0.2) * (ww[i] - mu) / sd;
            f[s] = acc;
        }
        cr_assert_float_eq(dx[j], (f[1] - f[0]) / 2e-6, 1e-4, "j=%d", j);
    }
}

/* 8, 6, or calibrated (FORMULAS.md §1.4): mean|x| = 1.625 at 3 bits gives
 * 2·1.625·sqrt(7), the clip of LSQ's initial step. */
Test(apot, activation_alpha_initialises_to_8_6_or_calibrated)
{
    const char *vals[3] = {"8", "6", "calibrated"};
    const double want[3] = {8.0, 6.0, 2.0 * 1.625 * sqrt(7.0)};
    for (int k = 0; k < 3; k++) {
        QRig r;
        QuantOption o = {"apot_act_init", ""};
        strcpy(o.value, vals[k]);
        Quantizer *q = qrig_new("apot", QROLE_ACT, 3, 0, &o, 1);
        qrig_build(&r, (Dims){4, 1, 1}, 1, 0, 1, NULL, q);
        float xs[4] = {0.5f, 1, 2, 3};
        Tensor x = {1, 4, 1, 1, xs};
        q->ops->init(q, &x);
        cr_assert_float_eq(qrig_param(&r, "aq", "alpha")->w[0], want[k], 1e-5, "%s", vals[k]);
        qrig_free(&r);
    }
}

/* FORMULAS.md §1.7: by default (apot_clip_lr: code) one SGD step moves activation alpha at
 * 2.5 times and weight alpha at 0.5 times the quantizer group's learning rate, with the
 * group's weight decay; apot_clip_lr: shared moves both at the group's own. */
static void clip_lr_step(const char *value, double act_factor, double weight_factor)
{
    QuantOption o = {"apot_clip_lr", ""};
    strcpy(o.value, value);
    QRig r;
    Quantizer *wq = qrig_new("apot", QROLE_WEIGHT, 3, 0, &o, 1);
    Quantizer *aq = qrig_new("apot", QROLE_ACT, 3, 0, &o, 1);
    qrig_build(&r, (Dims){4, 1, 1}, 1, 0, 1, wq, aq);
    Param *aw = qrig_param(&r, "wq", "alpha"), *aa = qrig_param(&r, "aq", "alpha");
    aw->w[0] = 3.0f, aa->w[0] = 8.0f;
    aw->g[0] = 0.5f, aa->g[0] = -2.0f;
    Optimizer opt;
    optim_defaults(&opt, 0.0f);
    opt.group[PGROUP_QUANT].weight_decay = 0.01f;
    opt.group[PGROUP_QUANT].lr_mult = 2.0f;
    optim_step(&opt, &r.net, 0.1f); /* the group's lr 0.2 */
    cr_assert_float_eq(aw->w[0], 3.0 - 0.2 * weight_factor * (0.5 + 0.01 * 3.0), 1e-6,
                       "%s: weight alpha %g", value, aw->w[0]);
    cr_assert_float_eq(aa->w[0], 8.0 - 0.2 * act_factor * (-2.0 + 0.01 * 8.0), 1e-6,
                       "%s: activation alpha %g", value, aa->w[0]);
    qrig_free(&r);
}

Test(apot, clip_learning_rates_are_the_cifar_codes_or_the_groups)
{
    clip_lr_step("code", 2.5, 0.5);
    clip_lr_step("shared", 1.0, 1.0);
}

/* The ablations' options (FORMULAS.md §5.8). apot_weight_norm: off quantizes W itself, with
 * alpha_w initialised to 3 std(W): the same clip width the normalised run starts from. */
Test(apot, without_weight_normalisation_the_raw_weights_are_quantized)
{
    QRig r;
    QuantOption o = {"apot_weight_norm", "off"};
    Quantizer *q = qrig_new("apot", QROLE_WEIGHT, 4, 0, &o, 1);
    qrig_build(&r, (Dims){12, 1, 1}, 1, 0, 1, q, NULL);
    double wn[12], sigma;
    normalise(wn, &sigma);
    Tensor x = {1, 12, 1, 1, (float *)w};
    q->ops->init(q, &x);
    float alpha = qrig_param(&r, "wq", "alpha")->w[0];
    cr_assert_float_eq(alpha, 3.0 * sigma, 1e-6, "alpha_w = 3 std(W), got %g", alpha);
    float y[12];
    Tensor yt = {1, 12, 1, 1, y};
    q->ops->forward(q, &x, &yt);
    for (int i = 0; i < 12; i++) {
        double c = fmax(-1, fmin(1, w[i] / alpha));
        cr_assert_float_eq(y[i], alpha * ref_q(c), 1e-6, "w=%g: y=%g", w[i], y[i]);
    }
    float dyv[12], dx[12];
    for (int i = 0; i < 12; i++)
        dyv[i] = 0.1f * (float)(i % 5) - 0.2f;
    Tensor dy = {1, 12, 1, 1, dyv}, dxt = {1, 12, 1, 1, dx};
    qrig_backward(&r, q, &x, &dy, &dxt);
    for (int i = 0; i < 12; i++)
        cr_assert_float_eq(dx[i], dyv[i], 1e-7, "no normalisation: dW = dW', i=%d", i);
    qrig_free(&r);
}

/* apot_clip_grad: clip drops the RCF's projection error: alpha learns only from the clipped
 * values (the sign beyond the range), for weights and activations. */
Test(apot, plain_clip_gradient_is_zero_inside_the_range)
{
    QuantOption o = {"apot_clip_grad", "clip"};
    float dx[12], da;
    grads(&o, 1, dx, &da);
    double wn[12], sigma, want = 0;
    normalise(wn, &sigma);
    for (int i = 0; i < 12; i++) {
        double v = wn[i] / 1.5, dyv = 0.1 * (i % 5) - 0.2;
        want += fabs(v) <= 1 ? 0.0 : dyv * (v > 0 ? 1 : -1);
    }
    cr_assert_float_eq(da, want, 1e-6, "weights: %g, want %g", da, want);
    QRig r;
    Quantizer *q = qrig_new("apot", QROLE_ACT, 3, 0, &o, 1);
    qrig_build(&r, (Dims){4, 1, 1}, 1, 0, 1, NULL, q);
    qrig_skip_init(q);
    qrig_param(&r, "aq", "alpha")->w[0] = 2.0f;
    float xs[4] = {0.3f, 1.1f, 2.5f, 4.0f}, ys[4], gs[4] = {1, 1, 0.5f, 0.25f}, dxs[4];
    Tensor xa = {1, 4, 1, 1, xs}, ya = {1, 4, 1, 1, ys}, g = {1, 4, 1, 1, gs},
           dxa = {1, 4, 1, 1, dxs};
    q->ops->forward(q, &xa, &ya);
    qrig_backward(&r, q, &xa, &g, &dxa);
    cr_assert_float_eq(qrig_param(&r, "aq", "alpha")->g[0], 0.5 + 0.25, 1e-6,
                       "activations: 1 above alpha, 0 inside");
    qrig_free(&r);
}

Test(apot, full_normalisation_gradient_needs_the_normalisation)
{
    QuantOption o[2] = {{"apot_weight_norm", "off"}, {"apot_wn_grad", "full"}};
    QbErr err = {{0}};
    Net net;
    net_init(&net, (Dims){12, 1, 1});
    int li = layer_linear(&net, "l", NET_INPUT, 1, 0, &err);
    cr_assert_geq(li, 0, "%s", err.msg);
    Quantizer *q = qrig_new("apot", QROLE_WEIGHT, 4, 0, o, 2);
    cr_assert_eq(layer_quantize(&net, li, q, NULL, &err), -1);
    cr_assert(strstr(err.msg, "apot_weight_norm: off"), "%s", err.msg);
    net_free(&net);
}
