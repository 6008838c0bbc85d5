/* LQ-Net (FORMULAS.md §15): levels, the worked tests of §15.6 (encoding with ties down, the
 * identity and masked gradients, the least-squares basis update and both moving averages),
 * the reference init, an unordered basis, the step update through the optimizer only after a
 * training forward, and refusals. */
#include <criterion/criterion.h>
#include <math.h>
#include <string.h>

#include "core/cost.h"
#include "core/optim/optim.h"
#include "quantizers/qcheck.h"
#include "qtest.h"

Test(lqnet, levels_are_the_initial_uniform_grid)
{
    qrig_expect_levels("lqnet", QROLE_ACT, 2, NULL, 0, (double[]){0, 1.0 / 3, 2.0 / 3, 1}, 4);
    qrig_expect_levels("lqnet", QROLE_WEIGHT, 2, NULL, 0, (double[]){-1, -1.0 / 3, 1.0 / 3, 1}, 4);
    qrig_expect_levels("lqnet", QROLE_WEIGHT, 3, NULL, 0,
                       (double[]){-1, -5.0 / 7, -3.0 / 7, -1.0 / 7, 1.0 / 7, 3.0 / 7, 5.0 / 7, 1},
                       8);
}

static float *buffer(QRig *r, const char *tag, const char *name)
{
    char full[PARAM_NAME_MAX];
    snprintf(full, sizeof full, "l.%s.%s", tag, name);
    Buffer *b = net_buffer(&r->net, full);
    cr_assert_not_null(b, "no buffer %s", full);
    return b->data;
}

/* §15.6 activations: K = 2 over 6 inputs (one sample), basis v. */
#define NA 6
static const float ax[NA] = {0.1f, 0.3f, 0.25f, 0.8f, 1.2f, 2.0f};

static Quantizer *act_rig(QRig *r, const QuantOption *o, int no, float v0, float v1)
{
    Quantizer *q = qrig_new("lqnet", QROLE_ACT, 2, 0, o, no);
    qrig_build(r, (Dims){NA, 1, 1}, 1, 0, 1, NULL, q);
    qrig_skip_init(q);
    float *v = buffer(r, "aq", "basis");
    v[0] = v0;
    v[1] = v1;
    r->net.train = 1;
    return q;
}

static void act_forward(Quantizer *q, const float *x, float *y)
{
    q->ops->forward(q, &(Tensor){1, NA, 1, 1, (float *)x}, &(Tensor){1, NA, 1, 1, y});
}

Test(lqnet, worked_activations_encode_with_ties_down_and_mask_above_the_top_level)
{
    QRig r;
    Quantizer *q = act_rig(&r, NULL, 0, 0.5f, 1.0f);
    float y[NA], dx[NA], ones[NA] = {1, 1, 1, 1, 1, 1};
    act_forward(q, ax, y);
    const float want_y[NA] = {0, 0.5f, 0, 1.0f, 1.0f, 1.5f}, want_dx[NA] = {1, 1, 1, 1, 1, 0};
    Tensor x = {1, NA, 1, 1, (float *)ax}, dy = {1, NA, 1, 1, ones}, dxt = {1, NA, 1, 1, dx};
    qrig_backward(&r, q, &x, &dy, &dxt);
    for (int i = 0; i < NA; i++) {
        cr_assert_eq(y[i], want_y[i], "x=%g: y=%g want %g", ax[i], y[i], want_y[i]);
        cr_assert_eq(dx[i], want_dx[i], "x=%g: dx=%g", ax[i], dx[i]);
    }
    float at_top[NA] = {1.5f, 1.5f, 1.5f, 1.5f, 1.5f, 1.5f};
    qrig_backward(&r, q, &(Tensor){1, NA, 1, 1, at_top}, &dy, &dxt);
    cr_assert_eq(dx[0], 1.0f, "the mask's bound is inclusive");
    qrig_free(&r);
}

/* Squared error of the inputs against the levels of the codes the forward gave. */
static double sq_err(const float *y_codes_basis_x, const float *x)
{
    double e = 0.0;
    for (int i = 0; i < NA; i++)
        e += (x[i] - y_codes_basis_x[i]) * (x[i] - y_codes_basis_x[i]);
    return e;
}

Test(lqnet, worked_least_squares_update_and_debiased_average)
{
    QRig r;
    Quantizer *q = act_rig(&r, NULL, 0, 0.5f, 1.0f);
    float y[NA];
    act_forward(q, ax, y);
    cr_assert_float_eq(sq_err(y, ax), 0.4425, 1e-6);
    q->ops->step_update(q);
    float *v = buffer(&r, "aq", "basis"), *m = buffer(&r, "aq", "basis_avg");
    cr_assert_float_eq(v[0], 0.579998, 1e-6, "v*_1 itself after step 1: %.8g", v[0]);
    cr_assert_float_eq(v[1], 1.139996, 1e-6, "%.8g", v[1]);
    cr_assert_eq(*buffer(&r, "aq", "basis_steps"), 1.0f);
    /* The same codes with the new basis fit better: 0.3485 (levels 0, .58, 1.14, 1.72). */
    const float refit[NA] = {0, 0.58f, 0, 1.14f, 1.14f, 1.72f};
    cr_assert_float_eq(sq_err(refit, ax), 0.3485, 1e-6);
    /* Step 2 on inputs lying on the levels of [0.6, 1.2] (codes by the thresholds of
     * [0.58, 1.14]): v* = [0.6, 1.2] up to the ridge. */
    const float x2[NA] = {0.6f, 1.2f, 1.8f, 0, 0.6f, 1.2f};
    act_forward(q, x2, y);
    q->ops->step_update(q);
    cr_assert_float_eq(m[0], 0.1122, 2e-6, "m = 0.9·0.058 + 0.06: %.8g", m[0]);
    cr_assert_float_eq(m[1], 0.2226, 2e-6, "%.8g", m[1]);
    cr_assert_float_eq(v[0], 0.590526, 5e-6, "m/0.19: %.8g", v[0]);
    cr_assert_float_eq(v[1], 1.171579, 5e-6, "%.8g", v[1]);
    qrig_free(&r);
}

Test(lqnet, plain_average_starts_from_the_initial_basis)
{
    QuantOption o = {"lqnet_ema", "plain"};
    QRig r;
    Quantizer *q = act_rig(&r, &o, 1, 0.5f, 1.0f);
    float y[NA];
    act_forward(q, ax, y);
    q->ops->step_update(q);
    float *v = buffer(&r, "aq", "basis");
    cr_assert_float_eq(v[0], 0.508, 1e-6, "%.8g", v[0]);
    cr_assert_float_eq(v[1], 1.014, 1e-6, "%.8g", v[1]);
    qrig_free(&r);
}

/* An evaluation forward saves nothing: the update after it leaves the basis as it was, and
 * a second update after one training forward does nothing either. */
Test(lqnet, only_a_training_forward_feeds_one_update)
{
    QRig r;
    Quantizer *q = act_rig(&r, NULL, 0, 0.5f, 1.0f);
    float y[NA], *v = buffer(&r, "aq", "basis");
    r.net.train = 0;
    act_forward(q, ax, y);
    q->ops->step_update(q);
    cr_assert(v[0] == 0.5f && v[1] == 1.0f && *buffer(&r, "aq", "basis_steps") == 0.0f);
    r.net.train = 1;
    act_forward(q, ax, y);
    q->ops->step_update(q);
    float after[2] = {v[0], v[1]};
    q->ops->step_update(q);
    cr_assert(v[0] == after[0] && v[1] == after[1] && *buffer(&r, "aq", "basis_steps") == 1.0f);
    qrig_free(&r);
}

/* §15.6 weights: one channel of 6, K = 2, v = [0.25, 0.5]. */
Test(lqnet, worked_weights_identity_gradient_and_ridge_solution)
{
    QRig r;
    Quantizer *q = qrig_new("lqnet", QROLE_WEIGHT, 2, 0, NULL, 0);
    qrig_build(&r, (Dims){6, 1, 1}, 1, 0, 1, q, NULL);
    qrig_skip_init(q);
    float *v = buffer(&r, "wq", "basis");
    v[0] = 0.25f;
    v[1] = 0.5f;
    r.net.train = 1;
    float w[6] = {-0.9f, -0.3f, 0.0f, 0.1f, 0.6f, 0.4f}, y[6], dx[6];
    float dy[6] = {1, -2, 3, -4, 5, -6};
    Tensor wt = {1, 6, 1, 1, w}, yt = {1, 6, 1, 1, y};
    q->ops->forward(q, &wt, &yt);
    const float want[6] = {-0.75f, -0.25f, -0.25f, 0.25f, 0.75f, 0.25f};
    for (int i = 0; i < 6; i++)
        cr_assert_eq(y[i], want[i], "w=%g: y=%g want %g", w[i], y[i], want[i]);
    qrig_backward(&r, q, &wt, &(Tensor){1, 6, 1, 1, dy}, &(Tensor){1, 6, 1, 1, dx});
    cr_assert_arr_eq(dx, dy, sizeof dx, "identity, no clip (|w| = 0.9 beyond the top level)");
    QuantScale s = q->ops->scale(q, 0);
    cr_assert_eq(s.out_scale, 0.75);
    q->ops->step_update(q);
    cr_assert_float_eq(v[0], 0.27499969, 2e-8, "%.9g", v[0]);
    cr_assert_float_eq(v[1], 0.47500031, 2e-8, "%.9g", v[1]);
    qrig_free(&r);
}

/* §15.4: a 3x3 conv with 64 outputs at K = 2: base 0.6745·sqrt(2/576)/2; activations
 * 2^k·2·0.6745/(2^K − 1). */
Test(lqnet, reference_init)
{
    QRig r;
    Quantizer *wq = qrig_new("lqnet", QROLE_WEIGHT, 2, 0, NULL, 0);
    Quantizer *aq = qrig_new("lqnet", QROLE_ACT, 3, 0, NULL, 0);
    qrig_build(&r, (Dims){2, 4, 4}, 64, 3, 1, wq, aq);
    Param *W = net_param(&r.net, "l.weight");
    Tensor wt = wq->shape;
    wt.data = W->w;
    wq->ops->init(wq, &wt);
    float *v = buffer(&r, "wq", "basis");
    for (int c = 0; c < 64; c += 21) {
        cr_assert_float_eq(v[2 * c], 0.0198726, 1e-7, "%.8g", v[2 * c]);
        cr_assert_float_eq(v[2 * c + 1], 0.0397453, 1e-7, "%.8g", v[2 * c + 1]);
    }
    aq->ops->init(aq, &r.net.input);
    float *a = buffer(&r, "aq", "basis");
    const double want[3] = {0.192714, 0.385429, 0.770857};
    for (int k = 0; k < 3; k++)
        cr_assert_float_eq(a[k], want[k], 1e-6, "%.8g", a[k]);
    qrig_free(&r);
}

/* lqnet_w_init: data takes the channel's RMS for sqrt(2/n). */
Test(lqnet, data_init_uses_each_channels_rms)
{
    QuantOption o = {"lqnet_w_init", "data"};
    QRig r;
    Quantizer *q = qrig_new("lqnet", QROLE_WEIGHT, 2, 0, &o, 1);
    qrig_build(&r, (Dims){2, 1, 1}, 2, 0, 1, q, NULL);
    float w[4] = {3, 4, 0.6f, 0.8f}; /* RMS sqrt(12.5) and sqrt(0.5) */
    q->ops->init(q, &(Tensor){2, 2, 1, 1, w});
    float *v = buffer(&r, "wq", "basis");
    cr_assert_float_eq(v[0], 0.6745 * sqrt(12.5) / 2, 1e-6);
    cr_assert_float_eq(v[3], 2 * 0.6745 * sqrt(0.5) / 2, 1e-6);
    qrig_free(&r);
}

/* A trained basis may be unordered or negative: the levels are sorted, each keeps its code. */
Test(lqnet, unordered_basis_levels_are_sorted)
{
    QRig r;
    Quantizer *q = act_rig(&r, NULL, 0, 1.0f, -0.4f);
    /* levels 0 (00), 1 (10), -0.4 (01), 0.6 (11) -> sorted -0.4, 0, 0.6, 1 */
    const float x[NA] = {-1, -0.19f, 0.29f, 0.31f, 0.79f, 0.81f};
    const float want[NA] = {-0.4f, 0, 0, 0.6f, 0.6f, 1};
    float y[NA];
    act_forward(q, x, y);
    for (int i = 0; i < NA; i++)
        cr_assert_float_eq(y[i], want[i], 1e-7, "x=%g: y=%g want %g", x[i], y[i], want[i]);
    qrig_free(&r);
}

/* Through the core: the optimizer's step runs the update once, after the backward; an
 * evaluation forward and a step after it change nothing. */
Test(lqnet, the_optimizer_step_updates_the_basis_after_a_training_forward_only)
{
    QRig r;
    Quantizer *wq = qrig_new("lqnet", QROLE_WEIGHT, 2, 0, NULL, 0);
    Quantizer *aq = qrig_new("lqnet", QROLE_ACT, 2, 0, NULL, 0);
    qrig_build(&r, (Dims){8, 1, 1}, 3, 0, 4, wq, aq);
    qcheck_fill_normal(net_param(&r.net, "l.weight")->w, 24, 5, 0.5f);
    for (size_t i = 0; i < tensor_numel(&r.net.input); i++)
        r.net.input.data[i] = (float)(i % 7) * 0.3f;
    Optimizer opt;
    optim_defaults(&opt, 0.0f);
    float *v = buffer(&r, "aq", "basis"), *w = buffer(&r, "wq", "basis");
    r.net.train = 1;
    net_forward(&r.net);
    float v0 = v[0], w0 = w[0];
    net_zero_grad(&r.net);
    net_backward(&r.net);
    cr_assert(v[0] == v0 && w[0] == w0, "the backward reads the forward's basis");
    optim_step(&opt, &r.net, 0.0f);
    cr_assert(v[0] != v0 && w[0] != w0, "updated at the step");
    cr_assert_eq(*buffer(&r, "aq", "basis_steps"), 1.0f);
    float v1 = v[0];
    r.net.train = 0;
    net_forward(&r.net);
    optim_step(&opt, &r.net, 0.0f);
    cr_assert(v[0] == v1 && *buffer(&r, "aq", "basis_steps") == 1.0f);
    qrig_free(&r);
}

Test(lqnet, bad_widths_options_and_signed_inputs_are_refused_by_name)
{
    qrig_expect_refused("lqnet", QROLE_WEIGHT, 1, NULL, 0,
                        "lqnet needs 2..8 bits for weights, got 1");
    qrig_expect_refused("lqnet", QROLE_ACT, 9, NULL, 0,
                        "lqnet needs 2..8 bits for activations, got 9");
    QuantOption bad = {"lqnet_ema", "plian"};
    qrig_expect_refused("lqnet", QROLE_ACT, 2, &bad, 1,
                        "lqnet option lqnet_ema: expected debiased|plain, got 'plian'; did you "
                        "mean 'plain'?");
    Net net;
    QbErr err = {{0}};
    net_init(&net, (Dims){4, 1, 1});
    int li = layer_linear(&net, "l", NET_INPUT, 2, 0, &err);
    Quantizer *q = qrig_new("lqnet", QROLE_ACT, 2, 1, NULL, 0);
    cr_assert_lt(layer_quantize(&net, li, NULL, q, &err), 0);
    cr_assert(strstr(err.msg, "layer l input quantizer lqnet: lqnet's activation codes are "
                              "{0, 1}"), "%s", err.msg);
    net_free(&net);
}

/* FORMULAS.md §15.6: the binary-basis dot product is K_w·K_a one-bit products per MAC, which is
 * the cost model's BitOPs for an LQ-Net layer at W2A3; nothing method-specific is added. */
Test(lqnet, cost_model_counts_the_binary_basis_bitops)
{
    QRig r;
    Quantizer *wq = qrig_new("lqnet", QROLE_WEIGHT, 2, 0, NULL, 0);
    Quantizer *aq = qrig_new("lqnet", QROLE_ACT, 3, 0, NULL, 0);
    qrig_build(&r, (Dims){4, 6, 6}, 8, 3, 1, wq, aq);
    CostTable t;
    cost_table(&r.net, &t);
    double macs = 8.0 * 4 * 3 * 3 * 6 * 6;
    cr_assert_eq(t.rows[0].macs, macs);
    cr_assert_eq(t.rows[0].bitops, macs * 2 * 3);
    cr_assert_eq(t.rows[0].quant_params, 0, "the basis is state, left out (FORMULAS.md §15.6)");
    cost_free(&t);
    qrig_free(&r);
}
