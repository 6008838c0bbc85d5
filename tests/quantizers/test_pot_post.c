/* POT and POST (FORMULAS.md §4, §6): level sets, projection with ties to the larger magnitude,
 * clip boundaries, the alpha gradient with g = 1/sqrt(N_c), percentile init, bit ranges. */
#include <criterion/criterion.h>
#include <math.h>
#include <string.h>

#include "qtest.h"

Test(pot, weight_levels_3bit_are_powers_of_two_to_one_eighth)
{
    qrig_expect_levels("pot", QROLE_WEIGHT, 3, NULL, 0,
                       (double[]){-1, -0.5, -0.25, -0.125, 0, 0.125, 0.25, 0.5, 1}, 9);
}

Test(pot, codable_option_drops_the_smallest_magnitude)
{
    QuantOption o = {"levels", "codable"};
    qrig_expect_levels("pot", QROLE_WEIGHT, 3, &o, 1, (double[]){-1, -0.5, -0.25, 0, 0.25, 0.5, 1}, 7);
}

Test(pot, activation_levels_2bit_follow_the_apot_code_set)
{
    qrig_expect_levels("pot", QROLE_ACT, 2, NULL, 0, (double[]){0, 0.25, 0.5, 1}, 4);
}

Test(pot, eight_bit_weights_keep_the_subnormal_level)
{
    double lv[300];
    QbErr err = {{0}};
    int n = quantizer_find("pot")->levels(8, QROLE_WEIGHT, NULL, 0, lv, 300, &err);
    cr_assert_eq(n, 257);
    cr_assert_eq(lv[129], ldexp(1.0, -127), "smallest positive level %g", lv[129]);
    cr_assert_gt((float)lv[129], 0.0f, "2^-127 must survive as a float32 subnormal");
}

Test(post, weight_levels_4bit_are_powers_of_sqrt2)
{
    double want[17];
    for (int n = 0; n < 8; n++) {
        want[16 - n] = exp2(-n / 2.0); /* 1, 0.7071, 0.5, ..., 2^-3.5 */
        want[n] = -exp2(-n / 2.0);     /* ascending: -1 first */
    }
    want[8] = 0.0;
    qrig_expect_levels("post", QROLE_WEIGHT, 4, NULL, 0, want, 17);
}

/* FORMULAS.md §6.1 (the paper's Fig. 3): with alpha = 1, 4-bit POT has levels 0.0078, 0.0156 and
 * 0.03125 in (0, 0.04]; POST has none there. */
Test(post, coarser_than_pot_near_zero)
{
    double lv[32];
    QbErr err = {{0}};
    int in_pot = 0, in_post = 0;
    int n = quantizer_find("pot")->levels(4, QROLE_WEIGHT, NULL, 0, lv, 32, &err);
    for (int i = 0; i < n; i++)
        in_pot += lv[i] > 0 && lv[i] <= 0.04;
    n = quantizer_find("post")->levels(4, QROLE_WEIGHT, NULL, 0, lv, 32, &err);
    for (int i = 0; i < n; i++)
        in_post += lv[i] > 0 && lv[i] <= 0.04;
    cr_assert_eq(in_pot, 3);
    cr_assert_eq(in_post, 0);
}

Test(power, two_bit_weights_need_allow_degenerate)
{
    QbErr err = {{0}};
    cr_assert_null(quantizer_new("post", QROLE_WEIGHT, 2, 0, NULL, 0, &err));
    cr_assert(strstr(err.msg, "3..8") && strstr(err.msg, "allow_degenerate"), "%s", err.msg);
    QuantOption o = {"allow_degenerate", "true"};
    qrig_expect_levels("post", QROLE_WEIGHT, 2, &o, 1,
                       (double[]){-1, -0.70710678118654757, 0, 0.70710678118654757, 1}, 5);
    cr_assert_null(quantizer_new("pot", QROLE_ACT, 8, 0, NULL, 0, &err));
    cr_assert(strstr(err.msg, "2..7"), "%s", err.msg);
}

/* One output channel of 8 weights, 3-bit POT, alpha = 2: v = w/2. */
static Quantizer *weight_rig(QRig *r, const char *method)
{
    Quantizer *q = qrig_new(method, QROLE_WEIGHT, 3, 0, NULL, 0);
    qrig_build(r, (Dims){8, 1, 1}, 1, 0, 1, q, NULL);
    qrig_skip_init(q);
    qrig_param(r, "wq", "alpha")->w[0] = 2.0f;
    return q;
}

Test(pot, forward_projects_to_nearest_ties_to_larger_and_clips)
{
    QRig r;
    Quantizer *q = weight_rig(&r, "pot");
    /* v: -1.5 (clip), -0.3 (nearer 0.25), 0.375 (tie 0.25/0.5 -> 0.5), 0.1 (nearer 0.125),
     * 0.05 (nearer 0.0 than 0.125? |0.05-0|=0.05 < 0.075: 0), 1.0 (boundary), 0.74, 0.76 */
    const float w[8] = {-3.0f, -0.6f, 0.75f, 0.2f, 0.1f, 2.0f, 1.48f, 1.52f};
    const float want[8] = {-2.0f, -0.5f, 1.0f, 0.25f, 0.0f, 2.0f, 1.0f, 2.0f};
    float y[8];
    Tensor x = {1, 8, 1, 1, (float *)w}, yt = {1, 8, 1, 1, y};
    q->ops->forward(q, &x, &yt);
    for (int i = 0; i < 8; i++)
        cr_assert_float_eq(y[i], want[i], 1e-6, "w=%g: y=%g want %g", w[i], y[i], want[i]);
    qrig_free(&r);
}

Test(pot, backward_masks_outside_and_alpha_grad_has_the_channel_scale)
{
    QRig r;
    Quantizer *q = weight_rig(&r, "pot");
    const float w[8] = {-3.0f, -0.6f, 0.75f, 0.2f, 0.1f, 2.0f, 1.48f, 2.5f};
    float ones[8] = {1, 1, 1, 1, 1, 1, 1, 1}, dx[8];
    Tensor x = {1, 8, 1, 1, (float *)w}, dy = {1, 8, 1, 1, ones}, dxt = {1, 8, 1, 1, dx};
    qrig_backward(&r, q, &x, &dy, &dxt);
    const float want_dx[8] = {0, 1, 1, 1, 1, 1, 1, 0};
    for (int i = 0; i < 8; i++)
        cr_assert_float_eq(dx[i], want_dx[i], 0.0f, "w=%g", w[i]);
    /* dy/dalpha: sign(v) outside, q - v inside: -1, (-0.25+0.3), (0.5-0.375), (0.125-0.1),
     * (0-0.05), (1-1), (0.5-0.74), +1; times g = 1/sqrt(8) */
    double s = -1 + 0.05 + 0.125 + 0.025 - 0.05 + 0.0 - 0.24 + 1;
    cr_assert_float_eq(qrig_param(&r, "wq", "alpha")->g[0], s / sqrt(8.0), 1e-6);
    qrig_free(&r);
}

Test(post, init_is_the_99th_percentile_of_abs_weights_per_channel)
{
    QRig r;
    Quantizer *q = qrig_new("post", QROLE_WEIGHT, 4, 0, NULL, 0);
    qrig_build(&r, (Dims){101, 1, 1}, 2, 0, 1, q, NULL);
    static float w[202];
    for (int i = 0; i <= 100; i++) {
        w[i] = (i % 2 ? -1.0f : 1.0f) * (float)i;  /* |w| = 0..100 */
        w[101 + i] = 0.5f * (float)i;             /* 0..50 */
    }
    Tensor wt = {2, 101, 1, 1, w};
    q->ops->init(q, &wt);
    cr_assert_float_eq(qrig_param(&r, "wq", "alpha")->w[0], 99.0f, 1e-4);
    cr_assert_float_eq(qrig_param(&r, "wq", "alpha")->w[1], 49.5f, 1e-4);
    qrig_free(&r);
}

Test(pot, activations_alpha_grad_is_one_above_and_zero_below)
{
    QRig r;
    Quantizer *q = qrig_new("pot", QROLE_ACT, 2, 0, NULL, 0);
    qrig_build(&r, (Dims){4, 1, 1}, 1, 0, 1, NULL, q);
    qrig_skip_init(q);
    qrig_param(&r, "aq", "alpha")->w[0] = 4.0f;
    const float xs[4] = {-1.0f, 1.2f, 4.0f, 9.0f}; /* v = -0.25, 0.3, 1, 2.25 */
    float ones[4] = {1, 1, 1, 1}, dx[4], y[4];
    Tensor x = {1, 4, 1, 1, (float *)xs}, dy = {1, 4, 1, 1, ones}, dxt = {1, 4, 1, 1, dx};
    Tensor yt = {1, 4, 1, 1, y};
    q->ops->forward(q, &x, &yt);
    cr_assert_float_eq(y[1], 1.0f, 1e-6, "0.3 -> 0.25 * 4");
    qrig_backward(&r, q, &x, &dy, &dxt);
    const float want_dx[4] = {0, 1, 1, 0};
    for (int i = 0; i < 4; i++)
        cr_assert_float_eq(dx[i], want_dx[i], 0.0f);
    /* 0 + (0.25 - 0.3) + (1 - 1) + 1, no gradient scale for activations */
    cr_assert_float_eq(qrig_param(&r, "aq", "alpha")->g[0], 0.95f, 1e-6);
    qrig_free(&r);
}
