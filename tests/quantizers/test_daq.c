/* DAQ (FORMULAS.md §16): levels, the worked tests of §16.6 (activations and weights), the
 * closed-form slope against the soft rounding's own derivative, the soft function at its
 * edges and temperature limits, init, the Adam group, and refusals. */
#include <criterion/criterion.h>
#include <math.h>
#include <string.h>

#include "qtest.h"

Test(daq, levels_are_odd_weight_codes_and_unsigned_activations)
{
    qrig_expect_levels("daq", QROLE_WEIGHT, 2, NULL, 0, (double[]){-1, -1.0 / 3, 1.0 / 3, 1}, 4);
    qrig_expect_levels("daq", QROLE_ACT, 2, NULL, 0, (double[]){0, 1.0 / 3, 2.0 / 3, 1}, 4);
}

/* The soft rounding in the code's softmax form, in double, at v with the temperature
 * β* = T/|S_0 − S_1| taken at v0 (detached): o = f + q̃_0·p_0 + q̃_1·p_1. */
static double soft_o(double v, double v0, double sigma, double t)
{
    double f = floor(v0), r = v - f, r0 = v0 - f, kap = exp(-1.0 / (sigma * sigma));
    int far = r0 > 0.5;
    double s0 = (far ? kap : 1.0) * exp(-fabs(r)), s1 = (far ? 1.0 : kap) * exp(-fabs(r - 1.0));
    double s00 = (far ? kap : 1.0) * exp(-r0), s10 = (far ? 1.0 : kap) * exp(-(1.0 - r0));
    double beta = t / fabs(s00 - s10), c = 1.0 / (exp(t) - 1.0);
    double p1 = 1.0 / (1.0 + exp(-beta * (s1 - s0)));
    return f + -c * (1.0 - p1) + (1.0 + c) * p1;
}

/* The softmax form's slope at v0 (β* held at v0) by a second-order forward difference: the
 * code's |·| has its derivative +1 at 0, so an interval's end is differentiated from above. */
static double soft_slope(double v0, double sigma, double t)
{
    const double h = 1e-5;
    return (-3.0 * soft_o(v0, v0, sigma, t) + 4.0 * soft_o(v0 + h, v0, sigma, t) -
            soft_o(v0 + 2 * h, v0, sigma, t)) / (2 * h);
}

/* Runs 2-bit activations with u_A = 3 (σ = 2, T = 2) on x, dL/dy = 1. */
static void act_case(const QuantOption *o, int no, const float *x, int n, float *y, float *dx,
                     double *du)
{
    QRig r;
    Quantizer *q = qrig_new("daq", QROLE_ACT, 2, 0, o, no);
    qrig_build(&r, (Dims){n, 1, 1}, 1, 0, 1, NULL, q);
    qrig_skip_init(q);
    qrig_param(&r, "aq", "upper")->w[0] = 3.0f;
    float ones[16];
    for (int i = 0; i < n; i++)
        ones[i] = 1.0f;
    Tensor xt = {1, n, 1, 1, (float *)x}, yt = {1, n, 1, 1, y}, dy = {1, n, 1, 1, ones},
           dxt = {1, n, 1, 1, dx};
    q->ops->forward(q, &xt, &yt);
    qrig_backward(&r, q, &xt, &dy, &dxt);
    *du = qrig_param(&r, "aq", "upper")->g[0];
    qrig_free(&r);
}

/* §16.6: x = 0.2, 0.7, 1.5 (a tie: the floor), 2.4, 3.0 (the top, inclusive), 3.5 (clipped). */
Test(daq, worked_test_activations)
{
    const float x[6] = {0.2f, 0.7f, 1.5f, 2.4f, 3.0f, 3.5f};
    const double want_y[6] = {0, 1.0 / 3, 1.0 / 3, 2.0 / 3, 1, 1};
    const double want_dx[6] = {0.229117, 0.292677, 0.739080, 0.415345, 0.165717, 0};
    const double want_du[6] = {-0.015274, -0.068291, -0.369540, -0.332276, -0.165717, 0};
    float y[6], dx[6];
    double du_sum = 0.0;
    for (int i = 0; i < 6; i++) { /* one element at a time: each one's ∂y/∂u_A */
        float yi, dxi;
        double du;
        act_case(NULL, 0, &x[i], 1, &yi, &dxi, &du);
        y[i] = yi, dx[i] = dxi;
        cr_assert_float_eq(du, want_du[i], 2e-6, "x=%g: du=%.7g want %g", x[i], du, want_du[i]);
        du_sum += du;
    }
    for (int i = 0; i < 6; i++) {
        cr_assert_float_eq(y[i], want_y[i], 1e-7, "x=%g: y=%.9g", x[i], y[i]);
        cr_assert_float_eq(dx[i], want_dx[i], 2e-6, "x=%g: dx=%.7g want %g", x[i], dx[i],
                           want_dx[i]);
    }
    float yall[6], dxall[6];
    double du;
    act_case(NULL, 0, x, 6, yall, dxall, &du);
    cr_assert_float_eq(du, du_sum, 1e-6, "the batch sums the elements' gradients");
}

/* §16.6: o'(v) in closed form equals the softmax form's slope to 1e-6, here and over a sweep
 * of v and both kernels (σ = 1 weights, σ = 2 activations). */
Test(daq, closed_form_slope_equals_the_softmax_form)
{
    const double v[5] = {0.2, 0.7, 1.5, 2.4, 3.0}, want[5] = {0.687352, 0.878032, 2.217241,
                                                              1.246034, 0.497152};
    for (int i = 0; i < 5; i++)
        cr_assert_float_eq(soft_slope(v[i], 2.0, 2.0), want[i], 1e-6, "v=%g", v[i]);
    /* the implementation's slope is the closed form: read it through dy/dx = o'/(n·Δ) */
    for (int s = 1; s <= 2; s++)
        for (int k = 1; k < 60; k++) {
            QuantOption o = {"daq_a_sigma", ""};
            snprintf(o.value, sizeof o.value, "%d", s);
            float x = 0.05f * (float)k, y, dx;
            double du;
            act_case(&o, 1, &x, 1, &y, &dx, &du);
            cr_assert_float_eq(dx * 3.0, soft_slope((double)x, s, 2.0), 1e-5, "σ=%d v=%g", s,
                               (double)x);
        }
}

/* Temperature limits: as T → 0 the slope tends to ½·(S_0 + S_1)/|S_1 − S_0| (finite, no
 * 0/0); a huge T makes it vanish without overflow; the forward stays the hard level. */
Test(daq, soft_function_at_its_edges_and_temperature_limits)
{
    const float x[4] = {0.0f, 0.49f, 0.51f, 0.999f};
    QuantOption cold = {"daq_a_temp", "1e-6"}, hot = {"daq_a_temp", "1000"};
    for (int i = 0; i < 4; i++) {
        float y, dx, yh, dxh;
        double du;
        act_case(&cold, 1, &x[i], 1, &y, &dx, &du);
        double r = x[i], kap = exp(-0.25), s0, s1;
        s0 = (r > 0.5 ? kap : 1.0) * exp(-r);
        s1 = (r > 0.5 ? 1.0 : kap) * exp(r - 1.0);
        cr_assert_float_eq(dx * 3.0, 0.5 * (s0 + s1) / fabs(s1 - s0), 1e-5, "T→0, v=%g", r);
        act_case(&hot, 1, &x[i], 1, &yh, &dxh, &du);
        cr_assert(isfinite(dxh) && dxh == 0.0f && du == 0.0, "T = 1000: dx %g du %g", dxh, du);
        cr_assert_eq(y, yh, "the forward does not depend on T");
        cr_assert_float_eq(y, x[i] > 0.5f ? 1.0f / 3 : 0.0f, 1e-7);
    }
    /* the slope's edges: continuous across the middle and across an interval's end */
    float at[4] = {0.4999f, 0.5001f, 0.9999f, 1.0001f}, d[4];
    for (int i = 0; i < 4; i++) {
        float y;
        double du;
        act_case(NULL, 0, &at[i], 1, &y, &d[i], &du);
    }
    cr_assert_float_eq(d[0], d[1], 1e-3, "at r = ½: %g vs %g", d[0], d[1]);
    cr_assert_float_eq(d[2], d[3], 1e-3, "at r = 1: %g vs %g", d[2], d[3]);
}

/* §16.6 weights, given as normalised W': a one-element weight has W' = (W − μ)/σ = 0 (σ guarded
 * to 1e-8), so the case's W' is placed at 0 by shifting the range to [−3 − W', 3 − W'], which
 * leaves v, the output and the range's gradients as in the case; dŵ/dW' is dŵ/dW times σ. */
Test(daq, worked_test_weights)
{
    const double wn[5] = {-3.5, -1.2, 0.3, 1.9, 2.9};
    const double want_y[5] = {-1, -1.0 / 3, 1.0 / 3, 1.0 / 3, 1};
    const double want_dw[5] = {0, 0.128308, 0.160769, 0.183623, 0.124235};
    const double want_du[5] = {0, -0.038492, -0.088423, -0.149959, -0.122164};
    const double want_dl[5] = {0, -0.089816, -0.072346, -0.033664, -0.002071};
    QRig r;
    Quantizer *q = qrig_new("daq", QROLE_WEIGHT, 2, 0, NULL, 0);
    qrig_build(&r, (Dims){1, 1, 1}, 1, 0, 1, q, NULL);
    qrig_skip_init(q);
    for (int i = 0; i < 5; i++) {
        /* a 1-element weight has σ = 0 (guarded to 1e-8) and μ = w: W' = 0. Put the case's W'
         * at 0 by shifting the range: l = −3 − W'_i, u = 3 − W'_i. */
        Param *W = net_param(&r.net, "l.weight");
        W->w[0] = 0.25f;
        qrig_param(&r, "wq", "lower")->w[0] = (float)(-3.0 - wn[i]);
        qrig_param(&r, "wq", "upper")->w[0] = (float)(3.0 - wn[i]);
        qrig_param(&r, "wq", "beta")->w[0] = 1.0f;
        float y, dw, one = 1.0f;
        Tensor wt = {1, 1, 1, 1, W->w}, yt = {1, 1, 1, 1, &y}, dy = {1, 1, 1, 1, &one},
               dwt = {1, 1, 1, 1, &dw};
        q->ops->forward(q, &wt, &yt);
        qrig_backward(&r, q, &wt, &dy, &dwt);
        cr_assert_float_eq(y, want_y[i], 1e-7, "W'=%g: y=%.9g", wn[i], y);
        cr_assert_float_eq(dw * 1e-8, want_dw[i], 2e-6, "W'=%g: dŵ/dW'=%.7g", wn[i], dw * 1e-8);
        cr_assert_float_eq(qrig_param(&r, "wq", "upper")->g[0], want_du[i], 2e-6, "W'=%g", wn[i]);
        cr_assert_float_eq(qrig_param(&r, "wq", "lower")->g[0], want_dl[i], 2e-6, "W'=%g", wn[i]);
        cr_assert_float_eq(qrig_param(&r, "wq", "beta")->g[0], want_y[i], 1e-7, "dŵ/dβ = ŵ/β");
    }
    qrig_free(&r);
}

/* The outputs are integer codes times one float step, bit for bit (the integer path):
 * activations o·(1/n), weights the odd codes 2o − n times |β|/n. */
Test(daq, outputs_are_codes_times_one_step)
{
    QRig r;
    qrig_pair(&r, "daq", 3, (Dims){64, 1, 1}, 2);
    Quantizer *wq = r.wq, *aq = r.aq;
    float x[64], y[64], w[128], wy[128];
    for (int i = 0; i < 64; i++)
        x[i] = 0.05f * i;
    for (int i = 0; i < 128; i++)
        w[i] = 0.01f * (float)((i * 37) % 101 - 50);
    Tensor xt = {1, 64, 1, 1, x}, yt = {1, 64, 1, 1, y}, wt = {2, 64, 1, 1, w},
           wyt = {2, 64, 1, 1, wy};
    aq->ops->init(aq, &xt);
    aq->ops->forward(aq, &xt, &yt);
    wq->ops->init(wq, &wt);
    qrig_param(&r, "wq", "beta")->w[0] = -0.7f;
    wq->ops->forward(wq, &wt, &wyt);
    const float sa = 1.0f / 7.0f, sw = 0.7f / 7.0f;
    for (int i = 0; i < 64; i++)
        cr_assert_eq(rintf(y[i] / sa) * sa, y[i], "x=%g: y=%.9g", x[i], y[i]);
    for (int i = 0; i < 128; i++) {
        float c = rintf(wy[i] / sw);
        cr_assert_eq(c * sw, wy[i], "w=%g: ŵ=%.9g", w[i], wy[i]);
        cr_assert_eq(fmodf(fabsf(c), 2.0f), 1.0f, "code %g is odd", c);
    }
    qrig_free(&r);
}

/* §16.4: weights l = −3, u = 3, β = 1; activations u = 3·std(x) (unbiased); the guard keeps
 * the range non-empty and u_A positive. */
Test(daq, init_and_constraints)
{
    QRig r;
    qrig_pair(&r, "daq", 4, (Dims){4, 1, 1}, 2);
    Quantizer *wq = r.wq, *aq = r.aq;
    float w[8] = {0.1f, -0.8f, 0.3f, 0.2f, 0, 0, 0, 0}, x[4] = {0.0f, 1.0f, 2.0f, 3.0f};
    wq->ops->init(wq, &(Tensor){2, 4, 1, 1, w});
    aq->ops->init(aq, &(Tensor){1, 4, 1, 1, x});
    cr_assert_eq(qrig_param(&r, "wq", "lower")->w[0], -3.0f);
    cr_assert_eq(qrig_param(&r, "wq", "upper")->w[0], 3.0f);
    cr_assert_eq(qrig_param(&r, "wq", "beta")->w[0], 1.0f);
    cr_assert_float_eq(qrig_param(&r, "aq", "upper")->w[0], 3.0 * sqrt(5.0 / 3.0), 1e-6);
    qrig_param(&r, "wq", "upper")->w[0] = -5.0f;
    qrig_param(&r, "aq", "upper")->w[0] = -2.0f;
    wq->ops->post_step(wq);
    aq->ops->post_step(aq);
    cr_assert_float_eq(qrig_param(&r, "wq", "upper")->w[0], -3.0f + 5e-6f, 1e-7);
    cr_assert_float_eq(qrig_param(&r, "aq", "upper")->w[0], 2.0f, 0);
    qrig_free(&r);
}

/* §16.5: l, u and β are stepped by Adam at daq_adam_lr times the quantizer group's rate,
 * without decay; daq_optimizer: group leaves them to the group's optimizer. */
Test(daq, parameters_form_their_own_adam_group)
{
    QRig r;
    Quantizer *wq = qrig_new("daq", QROLE_WEIGHT, 4, 0, NULL, 0);
    QuantOption g = {"daq_optimizer", "group"};
    Quantizer *aq = qrig_new("daq", QROLE_ACT, 4, 0, &g, 1);
    qrig_build(&r, (Dims){4, 1, 1}, 2, 0, 1, wq, aq);
    const char *names[3] = {"lower", "upper", "beta"};
    for (int i = 0; i < 3; i++) {
        Param *p = qrig_param(&r, "wq", names[i]);
        cr_assert_eq(p->optim, OPTIM_ADAM, "%s", names[i]);
        cr_assert_float_eq(p->lr_factor, 1e-3f, 0, "%s", names[i]);
        cr_assert_eq(p->wd_factor, 0.0f, "%s", names[i]);
    }
    Param *ua = qrig_param(&r, "aq", "upper");
    cr_assert(ua->optim == OPTIM_OF_GROUP && ua->lr_factor == 1.0f && ua->wd_factor == 0.0f);
    cr_assert_null(net_param(&r.net, "l.aq.lower"), "activations have l = 0 fixed");
    cr_assert(r.net.groups[PGROUP_QUANT].factored);
    qrig_free(&r);
}

Test(daq, bad_widths_options_and_signed_inputs_are_refused_by_name)
{
    static const struct {
        QuantRole role;
        int bits;
        QuantOption opt; /* none when its name is empty */
        const char *want;
    } refused[] = {
        {QROLE_WEIGHT, 1, {"", ""}, "daq needs 2..8 bits for weights, got 1"},
        {QROLE_ACT, 9, {"", ""}, "daq needs 2..8 bits for activations, got 9"},
        {QROLE_WEIGHT, 4, {"daq_w_sigma", "0"},
         "daq option daq_w_sigma: expected a number in (0, 1000], got '0'"},
        {QROLE_ACT, 4, {"daq_a_temp", "-1"},
         "daq option daq_a_temp: expected a number in (0, 1000], got '-1'"},
        {QROLE_ACT, 4, {"daq_optimizer", "sgd"},
         "daq option daq_optimizer: expected adam|group, got 'sgd'"},
    };
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++)
        qrig_expect_refused("daq", refused[i].role, refused[i].bits, &refused[i].opt,
                            refused[i].opt.name[0] != '\0', refused[i].want);
    QbErr err = {{0}};
    Quantizer *q = qrig_new("daq", QROLE_ACT, 4, 1, NULL, 0);
    Net net;
    net_init(&net, (Dims){4, 1, 1});
    int li = layer_linear(&net, "l", NET_INPUT, 2, 0, &err);
    cr_assert_geq(li, 0);
    cr_assert_eq(layer_quantize(&net, li, NULL, q, &err), -1);
    cr_assert(strstr(err.msg, "daq maps activations onto [0, u]"), "%s", err.msg);
    net_free(&net);
}
