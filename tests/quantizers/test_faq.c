/* FAQ (FORMULAS.md §17): levels, the percentile and the worked tests of §17.4, the fixed step
 * (no parameter, no gradient), calibration pooled over batches, and refusals. */
#include <criterion/criterion.h>
#include <math.h>
#include <string.h>

#include "qtest.h"

Test(faq, levels_are_symmetric_weights_and_unsigned_activations)
{
    qrig_expect_levels("faq", QROLE_WEIGHT, 2, NULL, 0, (double[]){-1, 0, 1}, 3);
    qrig_expect_levels("faq", QROLE_ACT, 2, NULL, 0, (double[]){0, 1.0 / 3, 2.0 / 3, 1}, 4);
}

/* The step buffer "l.<tag>.step". */
static float *faq_step(QRig *r, const char *tag)
{
    char name[64];
    snprintf(name, sizeof name, "l.%s.step", tag);
    Buffer *b = net_buffer(&r->net, name);
    cr_assert(b, "no buffer %s", name);
    return b->data;
}

static const float x11[11] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10};

/* The activation step init sets from x = 0..10 at percentile p, over Qp = 3. */
static float act_step_at(const char *p)
{
    QuantOption o = {"faq_act_percentile", ""};
    snprintf(o.value, sizeof o.value, "%s", p);
    QRig r;
    Quantizer *q = qrig_new("faq", QROLE_ACT, 2, 0, &o, 1);
    qrig_build(&r, (Dims){11, 1, 1}, 1, 0, 1, NULL, q);
    q->ops->init(q, &(Tensor){1, 11, 1, 1, (float *)x11});
    float s = faq_step(&r, "aq")[0];
    qrig_free(&r);
    return s;
}

/* §17.4: P_90 = 9, P_95 = 9.5, P_99.99 = 9.999 (linear interpolation between order
 * statistics, zeros included). */
Test(faq, percentile_steps_on_a_known_input)
{
    cr_assert_float_eq(act_step_at("90"), 9.0 / 3, 1e-6);
    cr_assert_float_eq(act_step_at("95"), 9.5 / 3, 1e-6);
    cr_assert_float_eq(act_step_at("99.99"), 9.999 / 3, 1e-6);
}

/* §17.4: 2-bit activations calibrated at P_90 (s = 3); 4-bit weights, s = 0.8/7. */
Test(faq, worked_tests)
{
    QuantOption o = {"faq_act_percentile", "90"};
    QRig r;
    Quantizer *aq = qrig_new("faq", QROLE_ACT, 2, 0, &o, 1);
    Quantizer *wq = qrig_new("faq", QROLE_WEIGHT, 4, 0, NULL, 0);
    qrig_build(&r, (Dims){11, 1, 1}, 1, 0, 1, NULL, aq);
    float y[11], dx[11], ones[11];
    for (int i = 0; i < 11; i++)
        ones[i] = 1.0f;
    Tensor xt = {1, 11, 1, 1, (float *)x11}, yt = {1, 11, 1, 1, y}, dy = {1, 11, 1, 1, ones},
           dxt = {1, 11, 1, 1, dx};
    aq->ops->init(aq, &xt);
    aq->ops->forward(aq, &xt, &yt);
    qrig_backward(&r, aq, &xt, &dy, &dxt);
    const double want_y[11] = {0, 0, 3, 3, 3, 6, 6, 6, 9, 9, 9};
    for (int i = 0; i < 11; i++) {
        cr_assert_float_eq(y[i], want_y[i], 1e-6, "x=%g: y=%g", x11[i], y[i]);
        cr_assert_eq(dx[i], i < 10 ? 1.0f : 0.0f, "x=%g: dx=%g (x = 9 is v = 3, inclusive)",
                     x11[i], dx[i]);
    }
    cr_assert_eq(r.net.nparams, 1, "the step is no parameter: only the layer's weight");
    qrig_free(&r);
    const float w[7] = {-0.8f, -0.3f, -0.05f, 0.0f, 0.12f, 0.4f, 0.6f};
    const double want_w[7] = {-0.8, -0.342857, 0, 0, 0.114286, 0.457143, 0.571429};
    float wy[7];
    qrig_build(&r, (Dims){7, 1, 1}, 1, 0, 1, wq, NULL);
    Tensor wt = {1, 7, 1, 1, (float *)w}, wyt = {1, 7, 1, 1, wy};
    wq->ops->init(wq, &wt);
    wq->ops->forward(wq, &wt, &wyt);
    cr_assert_float_eq(faq_step(&r, "wq")[0], 0.8 / 7, 1e-7);
    for (int i = 0; i < 7; i++)
        cr_assert_float_eq(wy[i], want_w[i], 1e-6, "w=%g: y=%.7g (0.4/s = 3.5 goes to 4)", w[i],
                           wy[i]);
    qrig_free(&r);
}

/* faq_w_step: fixed keeps the starting step; dynamic follows max|W| every forward. */
Test(faq, weight_step_fixed_or_dynamic)
{
    for (int dyn = 0; dyn < 2; dyn++) {
        QuantOption o = {"faq_w_step", ""};
        snprintf(o.value, sizeof o.value, "%s", dyn ? "dynamic" : "fixed");
        QRig r;
        Quantizer *q = qrig_new("faq", QROLE_WEIGHT, 3, 0, &o, 1);
        qrig_build(&r, (Dims){2, 1, 1}, 1, 0, 1, q, NULL);
        float w[2] = {0.3f, -0.6f}, y[2];
        Tensor wt = {1, 2, 1, 1, w}, yt = {1, 2, 1, 1, y};
        q->ops->init(q, &wt);
        w[1] = -1.2f;
        q->ops->forward(q, &wt, &yt);
        cr_assert_float_eq(faq_step(&r, "wq")[0], (dyn ? 1.2 : 0.6) / 3, 1e-7);
        qrig_free(&r);
    }
}

/* quantizer.h's calibrate: weights done at once; activations pooled over faq_calib_batches
 * passes (percentile of the union), asking for more until then. */
Test(faq, calibration_pools_the_batches)
{
    QuantOption o[2] = {{"faq_calib_batches", "2"}, {"faq_act_percentile", "50"}};
    QRig r;
    Quantizer *aq = qrig_new("faq", QROLE_ACT, 2, 0, o, 2);
    Quantizer *wq = qrig_new("faq", QROLE_WEIGHT, 2, 0, o, 2);
    qrig_build(&r, (Dims){3, 1, 1}, 1, 0, 1, wq, aq);
    float a[3] = {0, 1, 2}, b[3] = {10, 11, 12}, w[3] = {0.5f, -0.9f, 0.1f};
    cr_assert_eq(wq->ops->calibrate(wq, &(Tensor){1, 3, 1, 1, w}, 0), 0);
    cr_assert_float_eq(faq_step(&r, "wq")[0], 0.9f, 1e-7);
    cr_assert_eq(aq->ops->calibrate(aq, &(Tensor){1, 3, 1, 1, a}, 0), 1, "wants a second batch");
    cr_assert_eq(aq->ops->calibrate(aq, &(Tensor){1, 3, 1, 1, b}, 1), 0);
    /* median of {0, 1, 2, 10, 11, 12} = 6, over Qp = 3 */
    cr_assert_float_eq(faq_step(&r, "aq")[0], 2.0f, 1e-6);
    qrig_free(&r);
}

Test(faq, bad_widths_and_options_are_refused_by_name)
{
    qrig_expect_refused("faq", QROLE_WEIGHT, 1, NULL, 0, "faq needs 2..8 bits for weights, got 1");
    QuantOption bad[3] = {{"faq_act_percentile", "0"}, {"faq_calib_batches", "0"},
                          {"faq_w_step", "live"}};
    qrig_expect_refused("faq", QROLE_ACT, 4, &bad[0], 1,
                        "faq option faq_act_percentile: expected a number in (0, 100], got '0'");
    qrig_expect_refused("faq", QROLE_ACT, 4, &bad[1], 1,
                        "faq option faq_calib_batches: expected a number in [1, 1e+06], got '0'");
    qrig_expect_refused("faq", QROLE_WEIGHT, 4, &bad[2], 1,
                        "faq option faq_w_step: expected fixed|dynamic, got 'live'");
}
