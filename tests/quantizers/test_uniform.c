/* Uniform min-max quantizer (FORMULAS.md §8): per-tensor max scaling of weights, a running max for
 * activations frozen at evaluation, the clip mask, and APoT's first/last rule. */
#include <criterion/criterion.h>
#include <math.h>

#include "qtest.h"

static Quantizer *uniform_rig(QRig *r, QuantRole role, int bits, const QuantOption *o, int no)
{
    Quantizer *q = qrig_new("uniform", role, bits, 0, o, no);
    qrig_build(r, (Dims){4, 1, 1}, 1, 0, 2, role == QROLE_WEIGHT ? q : NULL,
               role == QROLE_ACT ? q : NULL);
    return q;
}

Test(uniform, weight_levels_are_symmetric)
{
    double got[8];
    QbErr err = {{0}};
    cr_assert_eq(quantizer_find("uniform")->levels(2, QROLE_WEIGHT, NULL, 0, got, 8, &err), 3);
    cr_assert_float_eq(got[0], -1.0, 0);
    cr_assert_float_eq(got[2], 1.0, 0);
    cr_assert_eq(quantizer_find("uniform")->levels(3, QROLE_ACT, NULL, 0, got, 8, &err), 8);
}

/* 3 bits: Qp = 3, s = max|w|/3 = 0.4. */
Test(uniform, weights_scale_by_max_abs_each_forward)
{
    QRig r;
    Quantizer *q = uniform_rig(&r, QROLE_WEIGHT, 3, NULL, 0);
    float wv[4] = {-1.2f, 0.2f, 0.61f, 0.5f}, y[4];
    Tensor x = {1, 4, 1, 1, wv}, yt = {1, 4, 1, 1, y};
    q->ops->forward(q, &x, &yt);
    /* v = [-3, 0.5, 1.525, 1.25] -> [-3, 0 (tie to even), 2, 1] */
    const float want[4] = {-1.2f, 0.0f, 0.8f, 0.4f};
    for (int i = 0; i < 4; i++)
        cr_assert_float_eq(y[i], want[i], 1e-6, "w=%g: y=%g want %g", wv[i], y[i], want[i]);
    wv[0] = -2.4f;
    q->ops->forward(q, &x, &yt);
    cr_assert_float_eq(y[2], 0.8f, 1e-6, "s = 0.8 now: 0.61 -> 1 code");
    qrig_free(&r);
}

Test(uniform, act_running_max_moves_in_training_and_freezes_in_eval)
{
    QRig r;
    Quantizer *q = uniform_rig(&r, QROLE_ACT, 2, NULL, 0);
    float xv[8] = {0, 1, 2, 3, 0.5f, 0.5f, 0.5f, 0.5f}, y[8];
    Tensor x = {2, 4, 1, 1, xv}, yt = {2, 4, 1, 1, y};
    r.net.train = 1;
    q->ops->init(q, &x);
    q->ops->forward(q, &x, &yt);
    cr_assert_float_eq(y[3], 3.0f, 1e-6, "m = 3, s = 1");
    xv[3] = 1.0f;
    q->ops->forward(q, &x, &yt); /* batch max 2: m = 0.9·3 + 0.1·2 = 2.9 */
    cr_assert_float_eq(y[2], 2.0f * 2.9f / 3, 1e-5);
    r.net.train = 0;
    xv[3] = 100.0f;
    q->ops->forward(q, &x, &yt);
    cr_assert_float_eq(y[3], 2.9f, 1e-5, "frozen: 100 clips at m");
    qrig_free(&r);
}

Test(uniform, act_mask_stops_gradient_above_the_max)
{
    QRig r;
    Quantizer *q = uniform_rig(&r, QROLE_ACT, 2, NULL, 0);
    float xv[8] = {0, 1, 2, 3, 0, 0, 0, 0}, y[8], ones[8] = {1, 1, 1, 1, 1, 1, 1, 1}, dx[8];
    Tensor x = {2, 4, 1, 1, xv}, yt = {2, 4, 1, 1, y}, dy = {2, 4, 1, 1, ones}, dxt = {2, 4, 1, 1, dx};
    r.net.train = 0;
    q->ops->init(q, &x);
    xv[1] = 7.0f;
    q->ops->forward(q, &x, &yt);
    qrig_backward(&r, q, &x, &dy, &dxt);
    cr_assert_float_eq(dx[1], 0.0f, 0);
    cr_assert_float_eq(dx[3], 1.0f, 0, "v = Qp exactly passes");
    qrig_free(&r);
}

Test(uniform, apot_ref_scales_by_signed_max_without_clipping)
{
    QuantOption o = {"uniform_weight_scale", "apot_ref"};
    QRig r;
    Quantizer *q = uniform_rig(&r, QROLE_WEIGHT, 8, &o, 1);
    float wv[4] = {-3.0f, 1.0f, 0.5f, 0.25f}, y[4], ones[4] = {1, 1, 1, 1}, dx[4];
    Tensor x = {1, 4, 1, 1, wv}, yt = {1, 4, 1, 1, y}, dy = {1, 4, 1, 1, ones}, dxt = {1, 4, 1, 1, dx};
    q->ops->forward(q, &x, &yt);
    cr_assert_float_eq(y[0], -3.0f, 1e-5, "s = max(w)/127 = 1/127: -381 codes, unclipped");
    cr_assert_float_eq(y[2], 64.0f / 127, 1e-6, "63.5 codes: tie to even");
    qrig_backward(&r, q, &x, &dy, &dxt);
    cr_assert_float_eq(dx[0], 1.0f, 0, "no clip, no mask");
    qrig_free(&r);
}
