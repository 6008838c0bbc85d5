/* The training curve: its windows split the planned steps evenly, its moments are the
 * per-batch mean and spread, and its checkpoint text restores it exactly or is refused. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "run/curve.h"
#include "tests/support/curvefix.h"

Test(curve, windows_cover_every_step_once_and_differ_by_at_most_one)
{
    static const int64_t totals[] = {1, 7, 10, 50, 156, 1563};
    for (size_t i = 0; i < sizeof totals / sizeof *totals; i++) {
        TrainCurve c;
        curve_init(&c, totals[i]);
        cr_assert_eq(c.nwindows, totals[i] < CURVE_WINDOWS ? totals[i] : CURVE_WINDOWS);
        cr_assert_eq(curve_window_first(&c, 0), 0);
        cr_assert_eq(curve_window_first(&c, c.nwindows), totals[i]);
        int64_t lo = totals[i], hi = 0;
        for (int w = 0; w < c.nwindows; w++) {
            int64_t n = curve_window_first(&c, w + 1) - curve_window_first(&c, w);
            lo = n < lo ? n : lo, hi = n > hi ? n : hi;
        }
        cr_assert(lo >= 1 && hi - lo <= 1, "%lld steps: windows of %lld to %lld",
                  (long long)totals[i], (long long)lo, (long long)hi);
        for (int64_t t = 0; t < totals[i]; t++)
            curve_add(&c, t, 1.0, 50.0);
        for (int w = 0; w < c.nwindows; w++)
            cr_assert_eq(c.w[w].steps, curve_window_first(&c, w + 1) - curve_window_first(&c, w));
    }
}

Test(curve, a_window_holds_the_mean_and_sample_spread_of_its_batches)
{
    TrainCurve c;
    curve_init(&c, 40); /* 4 steps per window */
    const double loss[4] = {1.0, 2.0, 4.0, 5.0}, top1[4] = {10, 20, 30, 40};
    for (int t = 0; t < 4; t++)
        curve_add(&c, 8 + t, loss[t], top1[t]);
    cr_assert_eq(c.w[2].steps, 4);
    cr_assert_float_eq(c.w[2].loss_mean, 3.0, 1e-15);
    cr_assert_float_eq(curve_sd(c.w[2].steps, c.w[2].loss_m2), sqrt(10.0 / 3.0), 1e-15);
    cr_assert_float_eq(c.w[2].top1_mean, 25.0, 1e-13);
    cr_assert_float_eq(curve_sd(c.w[2].steps, c.w[2].top1_m2), sqrt(500.0 / 3.0), 1e-12);
    cr_assert(isnan(curve_sd(1, 0.0)), "one value has no sample spread");
}

Test(curve, checkpoint_text_restores_the_curve_bit_for_bit)
{
    TrainCurve a, b;
    QbErr err = {{0}};
    curvefix_fill(&a, 157, 2.3, 0.31, 0.123456789);
    char *text = curve_text(&a);
    memset(&b, 0x5a, sizeof b);
    cr_assert_eq(curve_parse("x.ckpt", text, &b, &err), 0, "%s", err.msg);
    cr_assert_eq(b.total_steps, a.total_steps);
    cr_assert_eq(b.nwindows, a.nwindows);
    cr_assert_eq(memcmp(a.w, b.w, sizeof a.w), 0, "a window's moments changed in the text");
    free(text);
}

Test(curve, corrupt_checkpoint_text_is_an_error_naming_the_file)
{
    static const char *const bad[] = {
        "curve x 10\n",
        "curve 50 9\n",                                          /* 50 steps make 10 windows */
        "curve 20 10\nwindow 2 1 0 50 0\nwindow 2 1 0 50\n",    /* a field missing */
        "curve 20 10\nwindow 3 1 0 50 0\n",                      /* 3 steps in a 2-step window */
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        TrainCurve c;
        QbErr err = {{0}};
        cr_assert_eq(curve_parse("run.ckpt", bad[i], &c, &err), -1, "accepted: %s", bad[i]);
        cr_assert(strstr(err.msg, "run.ckpt: ") && strstr(err.msg, "training curve"), "%s",
                  err.msg);
    }
}
