/* LSQ (FORMULAS.md §2): level sets, the worked test, step gradients with LSQ's scale g, the
 * granularity and range options, init and the positivity guard. */
#include <criterion/criterion.h>
#include <math.h>

#include "quantizers/qcommon.h"
#include "qtest.h"

static const float worked_x[8] = {-0.3f, 0.0f, 0.24f, 0.25f, 0.26f, 0.75f, 1.5f, 1.6f};

/* The worked rig of FORMULAS.md §2: 2-bit activations, s = 0.5, one sample of 8 features per row. */
static Quantizer *worked_rig(QRig *r, const QuantOption *opts, int nopts, int batch)
{
    Quantizer *q = qrig_new("lsq", QROLE_ACT, 2, 0, opts, nopts);
    qrig_build(r, (Dims){8, 1, 1}, 2, 0, batch, NULL, q);
    qrig_skip_init(q);
    qrig_param(r, "aq", "step")->w[0] = 0.5f;
    return q;
}

Test(lsq, levels_2bit_weights_are_asymmetric_minus2_to_1)
{
    qrig_expect_levels("lsq", QROLE_WEIGHT, 2, NULL, 0, (double[]){-2, -1, 0, 1}, 4);
}

Test(lsq, levels_2bit_activations_are_thirds)
{
    qrig_expect_levels("lsq", QROLE_ACT, 2, NULL, 0, (double[]){0, 1.0 / 3, 2.0 / 3, 1}, 4);
}

Test(lsq, levels_3bit_weights_span_minus4_over_3_to_1)
{
    double want[8];
    for (int k = -4; k <= 3; k++)
        want[k + 4] = k / 3.0;
    qrig_expect_levels("lsq", QROLE_WEIGHT, 3, NULL, 0, want, 8);
}

Test(lsq, levels_symmetric_option_drops_the_lowest_code)
{
    QuantOption o = {"lsq_weight_range", "symmetric"};
    qrig_expect_levels("lsq", QROLE_WEIGHT, 2, &o, 1, (double[]){-1, 0, 1}, 3);
}

Test(lsq, levels_8bit_counts)
{
    double got[300];
    QbErr err = {{0}};
    const QuantizerOps *ops = quantizer_find("lsq");
    cr_assert_eq(ops->levels(8, QROLE_WEIGHT, NULL, 0, got, 300, &err), 256);
    cr_assert_float_eq(got[0], -128.0 / 127, 1e-12);
    cr_assert_eq(ops->levels(8, QROLE_ACT, NULL, 0, got, 300, &err), 256);
    cr_assert_float_eq(got[255], 1.0, 1e-12);
}

Test(lsq, worked_test_forward_rounds_ties_to_even)
{
    QRig r;
    Quantizer *q = worked_rig(&r, NULL, 0, 1);
    float y[8];
    Tensor x = {1, 8, 1, 1, (float *)worked_x}, yt = {1, 8, 1, 1, y};
    q->ops->forward(q, &x, &yt);
    const float want[8] = {0, 0, 0, 0, 0.5f, 1.0f, 1.5f, 1.5f};
    for (int i = 0; i < 8; i++)
        cr_assert_float_eq(y[i], want[i], 1e-6, "x=%g: y=%g want %g", worked_x[i], y[i], want[i]);
    qrig_free(&r);
}

Test(lsq, worked_test_input_grad_passes_at_qp_exactly)
{
    QRig r;
    Quantizer *q = worked_rig(&r, NULL, 0, 1);
    float ones[8] = {1, 1, 1, 1, 1, 1, 1, 1}, dx[8];
    Tensor x = {1, 8, 1, 1, (float *)worked_x}, dy = {1, 8, 1, 1, ones}, dxt = {1, 8, 1, 1, dx};
    qrig_backward(&r, q, &x, &dy, &dxt);
    const float want[8] = {0, 1, 1, 1, 1, 1, 1, 0};
    for (int i = 0; i < 8; i++)
        cr_assert_float_eq(dx[i], want[i], 1e-6, "x=%g: dx=%g want %g", worked_x[i], dx[i], want[i]);
    cr_assert_float_eq(qrig_param(&r, "aq", "step")->g[0], 0.612372f, 1e-6);
    qrig_free(&r);
}

Test(lsq, worked_test_step_grad_per_element)
{
    QRig r;
    Quantizer *q = worked_rig(&r, NULL, 0, 1);
    const float want[8] = {0, 0, -0.48f, -0.5f, 0.48f, 0.5f, 0, 3};
    const double g = 1.0 / sqrt(8.0 * 3.0);
    for (int i = 0; i < 8; i++) {
        float e[8] = {0}, dx[8];
        e[i] = 1.0f;
        Tensor x = {1, 8, 1, 1, (float *)worked_x}, dy = {1, 8, 1, 1, e}, dxt = {1, 8, 1, 1, dx};
        qrig_backward(&r, q, &x, &dy, &dxt);
        cr_assert_float_eq(qrig_param(&r, "aq", "step")->g[0], g * want[i], 1e-6,
                           "x=%g: dL/ds=%g want g*%g", worked_x[i], qrig_param(&r, "aq", "step")->g[0], want[i]);
    }
    qrig_free(&r);
}

/* Two identical samples: g counts the whole batch (16 elements) by default, one sample (8)
 * with per_sample; the sum over samples doubles either way. */
static float two_sample_step_grad(const QuantOption *o, int no)
{
    QRig r;
    Quantizer *q = worked_rig(&r, o, no, 2);
    float x2[16], ones[16], dx[16];
    for (int i = 0; i < 16; i++) {
        x2[i] = worked_x[i % 8];
        ones[i] = 1.0f;
    }
    Tensor x = {2, 8, 1, 1, x2}, dy = {2, 8, 1, 1, ones}, dxt = {2, 8, 1, 1, dx};
    qrig_backward(&r, q, &x, &dy, &dxt);
    float g = qrig_param(&r, "aq", "step")->g[0];
    qrig_free(&r);
    return g;
}

Test(lsq, act_grad_scale_counts_whole_batch)
{
    cr_assert_float_eq(two_sample_step_grad(NULL, 0), 6.0 / sqrt(16.0 * 3.0), 1e-6);
}

Test(lsq, act_grad_scale_per_sample_option)
{
    QuantOption o = {"lsq_grad_scale", "per_sample"};
    cr_assert_float_eq(two_sample_step_grad(&o, 1), 6.0 / sqrt(8.0 * 3.0), 1e-6);
}

Test(lsq, backward_adds_when_asked)
{
    QRig r;
    Quantizer *q = worked_rig(&r, NULL, 0, 1);
    float ones[8] = {1, 1, 1, 1, 1, 1, 1, 1}, dx[8] = {5, 5, 5, 5, 5, 5, 5, 5};
    Tensor x = {1, 8, 1, 1, (float *)worked_x}, dy = {1, 8, 1, 1, ones}, dxt = {1, 8, 1, 1, dx};
    q->ops->backward(q, &x, &dy, &dxt, 1);
    cr_assert_float_eq(dx[0], 5.0f, 1e-6);
    cr_assert_float_eq(dx[1], 6.0f, 1e-6);
    qrig_free(&r);
}

/* Weights (K=2, C=3, 1x1): per-channel steps with N = 3, each channel on its own step. */
static const float wts[6] = {0.9f, -0.35f, 0.1f, -2.0f, 0.55f, 0.2f};

static Quantizer *weight_rig(QRig *r, const QuantOption *o, int no)
{
    Quantizer *q = qrig_new("lsq", QROLE_WEIGHT, 2, 0, o, no);
    qrig_build(r, (Dims){3, 2, 2}, 2, 1, 1, q, NULL);
    qrig_skip_init(q);
    return q;
}

Test(lsq, weight_steps_are_per_output_channel)
{
    QRig r;
    Quantizer *q = weight_rig(&r, NULL, 0);
    Param *s = qrig_param(&r, "wq", "step");
    cr_assert_eq(s->numel, 2);
    s->w[0] = 0.5f;
    s->w[1] = 1.0f;
    float y[6], ones[6] = {1, 1, 1, 1, 1, 1}, dx[6];
    Tensor x = {2, 3, 1, 1, (float *)wts}, yt = {2, 3, 1, 1, y};
    q->ops->forward(q, &x, &yt);
    /* v = [1.8, -0.7, 0.2 | -2, 0.55, 0.2] in codes -2..1 */
    const float want[6] = {0.5f, -0.5f, 0.0f, -2.0f, 1.0f, 0.0f};
    for (int i = 0; i < 6; i++)
        cr_assert_float_eq(y[i], want[i], 1e-6, "w[%d]: %g want %g", i, y[i], want[i]);
    Tensor dy = {2, 3, 1, 1, ones}, dxt = {2, 3, 1, 1, dx};
    qrig_backward(&r, q, &x, &dy, &dxt);
    /* ds0 = Qp(1) + (-1+0.7) + (0-0.2) = 0.5; ds1 = (-2+2) + (1-0.55) + (0-0.2) = 0.25 */
    const double g = 1.0 / sqrt(3.0 * 1.0);
    cr_assert_float_eq(s->g[0], g * 0.5, 1e-6);
    cr_assert_float_eq(s->g[1], g * 0.25, 1e-6);
    cr_assert_float_eq(dx[0], 0.0f, 1e-6, "v = 1.8 > Qp clips");
    cr_assert_float_eq(dx[3], 1.0f, 1e-6, "v = -2 = Qn passes");
    qrig_free(&r);
}

Test(lsq, weight_per_tensor_option_shares_one_step_with_n_numel)
{
    QuantOption o = {"lsq_weight_granularity", "per_tensor"};
    QRig r;
    Quantizer *q = weight_rig(&r, &o, 1);
    Param *s = qrig_param(&r, "wq", "step");
    cr_assert_eq(s->numel, 1);
    s->w[0] = 0.5f;
    float ones[6] = {1, 1, 1, 1, 1, 1}, dx[6];
    Tensor x = {2, 3, 1, 1, (float *)wts}, dy = {2, 3, 1, 1, ones}, dxt = {2, 3, 1, 1, dx};
    qrig_backward(&r, q, &x, &dy, &dxt);
    /* channel 1 at s = 0.5: v = [-4, 1.1, 0.4] -> Qn(-2) + Qp(1) + (0 - 0.4) = -1.4 */
    cr_assert_float_eq(s->g[0], (0.5 - 1.4) / sqrt(6.0), 1e-6);
    qrig_free(&r);
}

Test(lsq, symmetric_range_clips_at_minus_qp)
{
    QuantOption o = {"lsq_weight_range", "symmetric"};
    QRig r;
    Quantizer *q = weight_rig(&r, &o, 1);
    Param *s = qrig_param(&r, "wq", "step");
    s->w[0] = s->w[1] = 1.0f;
    float y[6];
    Tensor x = {2, 3, 1, 1, (float *)wts}, yt = {2, 3, 1, 1, y};
    q->ops->forward(q, &x, &yt);
    cr_assert_float_eq(y[3], -1.0f, 1e-6, "w = -2 clips at -Qp = -1");
    qrig_free(&r);
}

Test(lsq, init_is_two_mean_abs_over_sqrt_qp_per_channel)
{
    QRig r;
    Quantizer *q = weight_rig(&r, NULL, 0);
    Tensor x = {2, 3, 1, 1, (float *)wts};
    q->ops->init(q, &x);
    Param *s = qrig_param(&r, "wq", "step");
    cr_assert_float_eq(s->w[0], 2.0 * (0.9 + 0.35 + 0.1) / 3.0, 1e-6);
    cr_assert_float_eq(s->w[1], 2.0 * (2.0 + 0.55 + 0.2) / 3.0, 1e-6);
    qrig_free(&r);
}

Test(lsq, act_init_over_the_whole_batch)
{
    QRig r;
    Quantizer *q = worked_rig(&r, NULL, 0, 1);
    Tensor x = {1, 8, 1, 1, (float *)worked_x};
    q->ops->init(q, &x);
    double mean = (0.3 + 0 + 0.24 + 0.25 + 0.26 + 0.75 + 1.5 + 1.6) / 8;
    cr_assert_float_eq(qrig_param(&r, "aq", "step")->w[0], 2.0 * mean / sqrt(3.0), 1e-6);
    qrig_free(&r);
}

Test(lsq, post_step_keeps_steps_positive)
{
    QRig r;
    Quantizer *q = weight_rig(&r, NULL, 0);
    Param *s = qrig_param(&r, "wq", "step");
    s->w[0] = -0.25f;
    s->w[1] = 0.0f;
    q->ops->post_step(q);
    cr_assert_float_eq(s->w[0], 0.25f, 0);
    cr_assert_float_eq(s->w[1], QC_EPS, 0);
    qrig_free(&r);
}

Test(lsq, signed_input_uses_minus_128_at_8_bits)
{
    QRig r;
    Quantizer *q = qrig_new("lsq", QROLE_ACT, 8, 1, NULL, 0);
    qrig_build(&r, (Dims){2, 1, 1}, 1, 0, 1, NULL, q);
    qrig_skip_init(q);
    qrig_param(&r, "aq", "step")->w[0] = 1.0f;
    float xv[2] = {-200.0f, 200.0f}, y[2];
    Tensor x = {1, 2, 1, 1, xv}, yt = {1, 2, 1, 1, y};
    q->ops->forward(q, &x, &yt);
    cr_assert_float_eq(y[0], -128.0f, 0);
    cr_assert_float_eq(y[1], 127.0f, 0);
    qrig_free(&r);
}

Test(lsq, nan_input_stays_nan)
{
    QRig r;
    Quantizer *q = worked_rig(&r, NULL, 0, 1);
    float xv[8] = {NAN, 0, 0, 0, 0, 0, 0, 0}, y[8];
    Tensor x = {1, 8, 1, 1, xv}, yt = {1, 8, 1, 1, y};
    q->ops->forward(q, &x, &yt);
    cr_assert(isnan(y[0]), "divergence must stay visible");
    qrig_free(&r);
}
