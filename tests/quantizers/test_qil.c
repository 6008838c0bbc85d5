/* QIL (FORMULAS.md §14): levels, the worked tests of §14.4 (weights with γ = 1 and γ = 0.8,
 * activations), the 0.01 gradient scale, init, constraints and refusals. */
#include <criterion/criterion.h>
#include <math.h>
#include <string.h>

#include "qtest.h"

Test(qil, levels_are_symmetric_weights_and_unsigned_activations)
{
    qrig_expect_levels("qil", QROLE_WEIGHT, 2, NULL, 0, (double[]){-1, 0, 1}, 3);
    qrig_expect_levels("qil", QROLE_WEIGHT, 3, NULL, 0,
                       (double[]){-1, -2.0 / 3, -1.0 / 3, 0, 1.0 / 3, 2.0 / 3, 1}, 7);
    qrig_expect_levels("qil", QROLE_ACT, 2, NULL, 0, (double[]){0, 1.0 / 3, 2.0 / 3, 1}, 4);
}

/* §14.4: 3-bit weights (Qp = 3), c = 0.5, d = 0.3: pruned below 0.2, clipped above 0.8. */
#define NW 8
static const float ww[NW] = {-1.0f, -0.5f, -0.1f, 0.26f, 0.35f, 0.62f, 0.75f, 0.9f};

static void weight_case(float gamma, float *y, float *dx, double *gc, double *gd, double *gg)
{
    QRig r;
    Quantizer *q = qrig_new("qil", QROLE_WEIGHT, 3, 0, NULL, 0);
    qrig_build(&r, (Dims){NW, 1, 1}, 1, 0, 1, q, NULL);
    qrig_skip_init(q);
    qrig_param(&r, "wq", "center")->w[0] = 0.5f;
    qrig_param(&r, "wq", "distance")->w[0] = 0.3f;
    qrig_param(&r, "wq", "gamma")->w[0] = gamma;
    float ones[NW] = {1, 1, 1, 1, 1, 1, 1, 1};
    Tensor x = {1, NW, 1, 1, (float *)ww}, yt = {1, NW, 1, 1, y}, dy = {1, NW, 1, 1, ones},
           dxt = {1, NW, 1, 1, dx};
    q->ops->forward(q, &x, &yt);
    qrig_backward(&r, q, &x, &dy, &dxt);
    *gc = qrig_param(&r, "wq", "center")->g[0];
    *gd = qrig_param(&r, "wq", "distance")->g[0];
    *gg = qrig_param(&r, "wq", "gamma")->g[0];
    qrig_free(&r);
}

Test(qil, worked_test_weights_gamma_1)
{
    float y[NW], dx[NW];
    double gc, gd, gg;
    weight_case(1.0f, y, dx, &gc, &gd, &gg);
    const double want_y[NW] = {-1, -2.0 / 3, 0, 0, 1.0 / 3, 2.0 / 3, 1, 1};
    const double s = 1.0 / 0.6, want_dx[NW] = {0, s, 0, s, s, s, s, 0};
    for (int i = 0; i < NW; i++) {
        cr_assert_float_eq(y[i], want_y[i], 1e-6, "w=%g: y=%g want %g", ww[i], y[i], want_y[i]);
        cr_assert_float_eq(dx[i], want_dx[i], 1e-5, "w=%g: dx=%g want %g", ww[i], dx[i],
                           want_dx[i]);
    }
    /* the sums before the 0.01 scale: c −5.0, d 0.111111, γ −0.559691 */
    cr_assert_float_eq(gc, 0.01 * -5.0, 1e-7);
    cr_assert_float_eq(gd, 0.01 * 0.111111, 1e-7);
    cr_assert_float_eq(gg, 0.01 * -0.559691, 1e-7);
}

Test(qil, worked_test_weights_gamma_0_8)
{
    float y[NW], dx[NW];
    double gc, gd, gg;
    weight_case(0.8f, y, dx, &gc, &gd, &gg);
    const double want_y[NW] = {-1, -2.0 / 3, 0, 0, 1.0 / 3, 2.0 / 3, 1, 1}; /* unchanged */
    const double want_dx[5] = {1.531598, 2.113191, 1.759344, 1.431921, 1.356739};
    const int inside[5] = {1, 3, 4, 5, 6};
    for (int i = 0; i < NW; i++)
        cr_assert_float_eq(y[i], want_y[i], 1e-6, "w=%g: y=%g", ww[i], y[i]);
    for (int k = 0; k < 5; k++)
        cr_assert_float_eq(dx[inside[k]], want_dx[k], 2e-5, "w=%g: dx=%.7g want %g",
                           ww[inside[k]], dx[inside[k]], want_dx[k]);
    cr_assert_float_eq(gc, 0.01 * -5.129598, 2e-7);
    cr_assert_float_eq(gd, 0.01 * 0.866840, 2e-7);
    cr_assert_float_eq(gg, 0.01 * -0.773427, 2e-7);
}

/* §14.4: 2-bit activations (Qp = 3), c = 1, d = 0.5. */
Test(qil, worked_test_activations)
{
    QRig r;
    Quantizer *q = qrig_new("qil", QROLE_ACT, 2, 0, NULL, 0);
    qrig_build(&r, (Dims){5, 1, 1}, 1, 0, 1, NULL, q);
    qrig_skip_init(q);
    cr_assert_null(net_param(&r.net, "l.aq.gamma"), "activations have no γ");
    qrig_param(&r, "aq", "center")->w[0] = 1.0f;
    qrig_param(&r, "aq", "distance")->w[0] = 0.5f;
    float x[5] = {0.2f, 0.6f, 1.0f, 1.3f, 1.6f}, y[5], dx[5], ones[5] = {1, 1, 1, 1, 1};
    Tensor xt = {1, 5, 1, 1, x}, yt = {1, 5, 1, 1, y}, dy = {1, 5, 1, 1, ones},
           dxt = {1, 5, 1, 1, dx};
    q->ops->forward(q, &xt, &yt);
    qrig_backward(&r, q, &xt, &dy, &dxt);
    const double want_y[5] = {0, 0, 2.0 / 3, 2.0 / 3, 1}, want_dx[5] = {0, 1, 1, 1, 0};
    for (int i = 0; i < 5; i++) {
        cr_assert_float_eq(y[i], want_y[i], 1e-6, "x=%g: y=%g", x[i], y[i]);
        cr_assert_float_eq(dx[i], want_dx[i], 1e-6, "x=%g: dx=%g", x[i], dx[i]);
    }
    cr_assert_float_eq(qrig_param(&r, "aq", "center")->g[0], 0.01 * -3.0, 1e-7);
    cr_assert_float_eq(qrig_param(&r, "aq", "distance")->g[0], 0.01 * 0.2, 1e-7);
    qrig_free(&r);
}

/* The output is an integer code times the float step 1/Qp, bit for bit (the integer path). */
Test(qil, outputs_are_codes_times_one_step)
{
    QRig r;
    Quantizer *q = qrig_new("qil", QROLE_ACT, 3, 0, NULL, 0);
    qrig_build(&r, (Dims){64, 1, 1}, 1, 0, 1, NULL, q);
    float x[64], y[64];
    for (int i = 0; i < 64; i++)
        x[i] = 0.05f * i;
    Tensor xt = {1, 64, 1, 1, x}, yt = {1, 64, 1, 1, y};
    q->ops->init(q, &xt);
    q->ops->forward(q, &xt, &yt);
    const float step = 1.0f / 7.0f;
    for (int i = 0; i < 64; i++)
        cr_assert_eq(rintf(y[i] / step) * step, y[i], "x=%g: y=%.9g", x[i], y[i]);
    qrig_free(&r);
}

/* §14.3: c = d = max|x|/2, γ = 1; post_step c ← |c|, d ← max(|d|, 1e-8), γ ← max(γ, 0.1). */
Test(qil, init_and_constraints)
{
    QRig r;
    Quantizer *q = qrig_new("qil", QROLE_WEIGHT, 4, 0, NULL, 0);
    qrig_build(&r, (Dims){2, 1, 1}, 2, 0, 1, q, NULL);
    float w[4] = {0.1f, -0.8f, 0.3f, 0.2f};
    q->ops->init(q, &(Tensor){2, 2, 1, 1, w});
    Param *c = qrig_param(&r, "wq", "center"), *d = qrig_param(&r, "wq", "distance"),
          *g = qrig_param(&r, "wq", "gamma");
    cr_assert_float_eq(c->w[0], 0.4, 1e-7);
    cr_assert_float_eq(d->w[0], 0.4, 1e-7);
    cr_assert_eq(g->w[0], 1.0f);
    c->w[0] = -0.3f;
    d->w[0] = 0.0f;
    g->w[0] = -2.0f;
    q->ops->post_step(q);
    cr_assert_float_eq(c->w[0], 0.3, 1e-7);
    cr_assert_float_eq(d->w[0], 1e-8, 1e-15);
    cr_assert_float_eq(g->w[0], 0.1, 1e-7);
    qrig_free(&r);
}

/* qil_gamma: fixed has no γ; qil_grad_scale: lsq scales by 1/sqrt(numel·Qp). */
Test(qil, options_fix_gamma_and_change_the_gradient_scale)
{
    QuantOption o[2] = {{"qil_gamma", "fixed"}, {"qil_grad_scale", "lsq"}};
    QRig r;
    Quantizer *q = qrig_new("qil", QROLE_WEIGHT, 3, 0, o, 2);
    qrig_build(&r, (Dims){NW, 1, 1}, 1, 0, 1, q, NULL);
    cr_assert_null(net_param(&r.net, "l.wq.gamma"));
    qrig_skip_init(q);
    qrig_param(&r, "wq", "center")->w[0] = 0.5f;
    qrig_param(&r, "wq", "distance")->w[0] = 0.3f;
    float y[NW], dx[NW], ones[NW] = {1, 1, 1, 1, 1, 1, 1, 1};
    Tensor x = {1, NW, 1, 1, (float *)ww}, yt = {1, NW, 1, 1, y}, dy = {1, NW, 1, 1, ones},
           dxt = {1, NW, 1, 1, dx};
    q->ops->forward(q, &x, &yt);
    qrig_backward(&r, q, &x, &dy, &dxt);
    cr_assert_float_eq(qrig_param(&r, "wq", "center")->g[0], -5.0 / sqrt(8.0 * 3.0), 1e-6);
    qrig_free(&r);
}

Test(qil, bad_widths_signed_inputs_and_options_are_refused_by_name)
{
    qrig_expect_refused("qil", QROLE_WEIGHT, 1, NULL, 0, "qil needs 2..8 bits for weights, got 1");
    QuantOption bad = {"qil_gamma", "yes"};
    qrig_expect_refused("qil", QROLE_WEIGHT, 4, &bad, 1,
                        "qil option qil_gamma: expected learned|fixed, got 'yes'");
    QbErr err = {{0}};
    Quantizer *q = qrig_new("qil", QROLE_ACT, 4, 1, NULL, 0);
    Net net;
    net_init(&net, (Dims){4, 1, 1});
    int li = layer_linear(&net, "l", NET_INPUT, 2, 0, &err);
    cr_assert_geq(li, 0);
    cr_assert_eq(layer_quantize(&net, li, NULL, q, &err), -1);
    cr_assert(strstr(err.msg, "qil maps activations onto [0, 1]"), "%s", err.msg);
    net_free(&net);
}
