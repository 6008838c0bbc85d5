/* The convergence rule on synthetic curves: a falling loss is unconverged, a flat one
 * converged, a noisy flat one unconverged until enough steps show that it is flat; curves it
 * cannot judge are "not recorded", never a verdict. */
#include <criterion/criterion.h>
#include <math.h>
#include <string.h>

#include "run/converge.h"
#include "tests/support/curvefix.h"

static ConvCheck judge(int64_t steps, double start, double end, double noise)
{
    TrainCurve c;
    ConvCheck k;
    curvefix_fill(&c, steps, start, end, noise);
    convergence_check(&c, &k);
    return k;
}

Test(converge, a_falling_loss_is_unconverged)
{
    ConvCheck k = judge(1000, 1.0, 0.5, 0.05);
    cr_assert_eq(k.verdict, CONV_UNCONVERGED, "%s", conv_verdict_name(k.verdict));
    /* 40-70% of the steps average 0.725, the last 30% 0.575 */
    cr_assert_float_eq(k.fall, 0.15, 0.01);
    cr_assert_eq(k.earlier_steps, 300);
    cr_assert_eq(k.last_steps, 300);
}

Test(converge, a_flat_loss_is_converged)
{
    ConvCheck k = judge(1000, 0.5, 0.5, 0.01);
    cr_assert_eq(k.verdict, CONV_CONVERGED, "fall %g se %g allowed %g", k.fall, k.fall_se,
                 k.allowed);
    cr_assert_float_eq(k.allowed, 0.05, 0.001);
}

Test(converge, a_fall_within_a_tenth_of_the_loss_counts_as_converged)
{
    ConvCheck k = judge(1000, 0.52, 0.50, 0.01);
    cr_assert(k.fall > 0.003, "the loss does fall: %g", k.fall);
    cr_assert_eq(k.verdict, CONV_CONVERGED, "fall %g se %g allowed %g", k.fall, k.fall_se,
                 k.allowed);
}

/* The burden of proof is on convergence: 50 batches this noisy cannot show a flat loss, a
 * long run of the same noise can. */
Test(converge, a_noisy_flat_loss_is_unconverged_until_enough_steps_show_it_flat)
{
    ConvCheck short_run = judge(50, 0.5, 0.5, 0.4), long_run = judge(20000, 0.5, 0.5, 0.4);
    cr_assert_eq(short_run.verdict, CONV_UNCONVERGED, "fall %g se %g", short_run.fall,
                 short_run.fall_se);
    cr_assert_gt(1.645 * short_run.fall_se, short_run.allowed, "noise alone decides it");
    cr_assert_eq(long_run.verdict, CONV_CONVERGED, "fall %g se %g allowed %g", long_run.fall,
                 long_run.fall_se, long_run.allowed);
}

/* 20 steps, 2 per window: windows 5-7 hold (1, 3) each, windows 8-10 (0, 2). */
Test(converge, fall_and_its_standard_error_come_from_the_windows_own_spread)
{
    TrainCurve c;
    ConvCheck k;
    curve_init(&c, 20);
    for (int64_t t = 0; t < 20; t++)
        curve_add(&c, t, t < 8 ? 5.0 : (t >= 14 ? 0.0 : 1.0) + 2.0 * (t % 2), 50.0);
    convergence_check(&c, &k);
    cr_assert_float_eq(k.earlier_loss, 2.0, 1e-12);
    cr_assert_float_eq(k.last_loss, 1.0, 1e-12);
    cr_assert_float_eq(k.fall, 1.0, 1e-12);
    /* within-window variance 2 in both stretches of 6 batches: the means' shift between the
     * windows is the curve's trend, not noise */
    cr_assert_float_eq(k.fall_se, sqrt(2.0 / 6 + 2.0 / 6), 1e-12);
    cr_assert_float_eq(k.allowed, 0.1, 1e-12);
    cr_assert_eq(k.verdict, CONV_UNCONVERGED);
}

static void expect_not_recorded(const TrainCurve *c, const char *why)
{
    ConvCheck k;
    convergence_check(c, &k);
    cr_assert_eq(k.verdict, CONV_NOT_RECORDED, "%s", conv_verdict_name(k.verdict));
    cr_assert(strstr(k.reason, why), "reason: %s", k.reason);
    cr_assert(isnan(k.fall) && isnan(k.fall_se), "no numbers without a verdict");
}

Test(converge, curves_it_cannot_judge_are_not_recorded)
{
    TrainCurve c;
    curve_init(&c, 0);
    expect_not_recorded(&c, "no training curve");
    curvefix_fill(&c, 7, 1.0, 0.5, 0.1);
    expect_not_recorded(&c, "fewer steps than the curve has windows");
    curvefix_fill(&c, 10, 1.0, 0.5, 0.1);
    expect_not_recorded(&c, "too few steps per window");
    curvefix_fill(&c, 100, 1.0, 0.5, 0.1);
    c.w[9].steps--; /* the run stopped a step short */
    expect_not_recorded(&c, "stopped before the end");
}

Test(converge, verdict_names_round_trip_and_unknown_names_are_refused)
{
    for (int v = CONV_NOT_RECORDED; v <= CONV_UNCONVERGED; v++)
        cr_assert_eq(conv_verdict_parse(conv_verdict_name((ConvVerdict)v)), v);
    cr_assert_eq(conv_verdict_parse("converging"), -1);
}
