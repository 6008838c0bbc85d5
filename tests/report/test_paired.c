/* Interval arithmetic against hand-computed cases, the verdict rule, and how an interval is
 * printed: cut at the possible range and marked, "no spread" instead of a zero width. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/paired.h"

Test(paired, student_t_quantiles)
{
    cr_assert_float_eq(t975(1), 12.7062, 1e-4);
    cr_assert_float_eq(t975(2), 4.3027, 1e-4);
    cr_assert_float_eq(t975(30), 2.0423, 1e-4);
    cr_assert_float_eq(t975(60), 2.0003, 2e-4);    /* beyond the table: expansion */
    cr_assert_float_eq(t975(100000), 1.95997, 1e-4);
}

Test(paired, one_pair_has_a_mean_and_no_interval)
{
    double a[] = {91.0}, b[] = {90.0};
    Paired p;
    paired_diff(a, b, 1, &p);
    cr_assert_eq(p.n, 1);
    cr_assert_float_eq(p.mean, 1.0, 1e-12);
    cr_assert(isnan(p.lo) && isnan(p.hi) && isnan(p.half) && isnan(p.sd));
    cr_assert_eq(verdict_of(&p, 0, 1), VERDICT_UNRESOLVED);
    char text[96];
    paired_text(&p, text, sizeof text);
    cr_assert_str_eq(text, "+1.00 (n=1, no interval)");
}

/* d = 1.0, 1.5: mean 1.25, sd = 0.5/sqrt(2), se = 0.25, half = 12.7062 * 0.25. */
Test(paired, two_pairs)
{
    double a[] = {91.0, 92.0}, b[] = {90.0, 90.5};
    Paired p;
    paired_diff(a, b, 2, &p);
    cr_assert_eq(p.n, 2);
    cr_assert_float_eq(p.mean, 1.25, 1e-12);
    cr_assert_float_eq(p.sd, sqrt(0.125), 1e-12);
    cr_assert_float_eq(p.half, 3.17655, 1e-5);
    cr_assert_float_eq(p.lo, -1.92655, 1e-5);
    cr_assert_float_eq(p.hi, 4.42655, 1e-5);
    cr_assert_eq(verdict_of(&p, 0, 1), VERDICT_UNRESOLVED);
}

/* Equal differences: sd 0, and no interval rather than a zero-width one, whatever n. */
Test(paired, equal_differences_have_no_spread_and_no_interval)
{
    double a[] = {91.0, 92.0, 93.0}, b[] = {90.0, 91.0, 92.0};
    Paired p;
    char text[96];
    paired_diff(a, b, 3, &p);
    cr_assert_eq(p.n, 3);
    cr_assert_float_eq(p.mean, 1.0, 1e-12);
    cr_assert_eq(p.sd, 0.0);
    cr_assert(isnan(p.lo) && isnan(p.hi) && isnan(p.half));
    cr_assert_eq(verdict_of(&p, 0, 1), VERDICT_UNRESOLVED);
    cr_assert_eq(verdict_of(&p, 1.5, 1), VERDICT_UNRESOLVED);
    paired_text(&p, text, sizeof text);
    cr_assert_str_eq(text, "+1.00 (n=3, no spread: no interval)");
    paired_diff(a, b, 2, &p);
    paired_text(&p, text, sizeof text);
    cr_assert_str_eq(text, "+1.00 (n=2, no spread: no interval)");
    interval_text(&p, &DIFF_POINTS, "95% CI", text, sizeof text);
    cr_assert_str_eq(text, "none (n=2, no spread)");
}

/* 90.10 − 90.09 and 91.18 − 91.17 are both 0.01 points, but not in binary: their sample std
 * is ~1e-14, a rounding residue, still no spread (the old code printed [+0.01, +0.01]). */
Test(paired, rounding_residue_is_no_spread)
{
    double a[] = {90.10, 91.18}, b[] = {90.09, 91.17};
    Paired p;
    char text[96];
    paired_diff(a, b, 2, &p);
    cr_assert(a[0] - b[0] != a[1] - b[1], "the fixture needs differences unequal in binary");
    cr_assert_eq(p.sd, 0.0);
    paired_text(&p, text, sizeof text);
    cr_assert_str_eq(text, "+0.01 (n=2, no spread: no interval)");
}

/* d = -20, -50, -80: mean -50, sd 30, half 4.3027 * 30 / sqrt(3) = 74.52: [-124.52, +24.52]
 * reaches below -100, where no difference of two accuracies lies: cut there and marked. */
Test(paired, an_interval_past_the_possible_range_is_cut_and_marked)
{
    double a[] = {75.0, 45.0, 15.0}, b[] = {95.0, 95.0, 95.0};
    Paired p;
    double lo, hi;
    char text[96];
    paired_diff(a, b, 3, &p);
    cr_assert_float_eq(p.lo, -124.5250, 1e-3);
    cr_assert_eq(interval_shown(&p, &DIFF_POINTS, &lo, &hi), SHOWN_CUT);
    cr_assert_eq(lo, -100.0);
    cr_assert_float_eq(hi, 24.5250, 1e-3);
    paired_text(&p, text, sizeof text);
    cr_assert_str_eq(text, "-50.00 [-100‡, +24.52] n=3");
    interval_text(&p, &DIFF_POINTS, "95% CI", text, sizeof text);
    cr_assert_str_eq(text, "[-100‡, +24.52] 95% CI");
    const DiffScale unbounded = {-INFINITY, INFINITY, 4};
    cr_assert_eq(interval_shown(&p, &unbounded, &lo, &hi), SHOWN_INTERVAL);
    interval_text(&p, &unbounded, "", text, sizeof text);
    cr_assert_str_eq(text, "[-124.5250, +24.5250]");
    cr_assert_eq(verdict_of(&p, 0, 0), VERDICT_UNRESOLVED);   /* the cut changes no verdict */
    /* both sides: d = -90, +90 at n = 2 (half 1143.6) */
    double c[] = {5.0, 95.0}, d[] = {95.0, 5.0};
    paired_diff(c, d, 2, &p);
    paired_text(&p, text, sizeof text);
    cr_assert_str_eq(text, "+0.00 [-100‡, +100‡] n=2");
}

/* The CSV fields: cut bounds and how the interval is shown. */
Test(paired, csv_fields_say_how_the_interval_is_shown)
{
    double cut_a[] = {75.0, 45.0, 15.0}, cut_b[] = {95.0, 95.0, 95.0};
    double t_a[] = {91.18, 91.80, 91.25}, t_b[] = {90.09, 91.17, 91.23};
    double eq_a[] = {91.0, 92.0}, eq_b[] = {90.0, 91.0};
    char *text;
    size_t len;
    FILE *f = open_memstream(&text, &len);
    Paired p;
    paired_diff(cut_a, cut_b, 3, &p);
    paired_csv(f, &p);
    paired_diff(t_a, t_b, 3, &p);
    paired_csv(f, &p);
    paired_diff(eq_a, eq_b, 2, &p);
    paired_csv(f, &p);
    paired_diff(eq_a, eq_b, 1, &p);
    paired_csv(f, &p);
    fclose(f);
    cr_assert_str_eq(text, "-100.0000,24.5250,cut,-0.7534,1.9134,t95,,,no_spread,,,,");
    free(text);
}

/* Seed 3 has no result for a, seed 4 none for b: the pairs are seeds 1, 2 and 5
 * (d = 1, 1.5, 2: mean 1.5, sd 0.5, half = 4.3027 * 0.5 / sqrt(3)). */
Test(paired, a_missing_pair_is_left_out)
{
    double a[] = {91.0, 92.0, NAN, 95.0, 93.0}, b[] = {90.0, 90.5, 90.0, NAN, 91.0};
    Paired p;
    paired_diff(a, b, 5, &p);
    cr_assert_eq(p.n, 3);
    cr_assert_float_eq(p.mean, 1.5, 1e-12);
    cr_assert_float_eq(p.half, 4.3027 * 0.5 / sqrt(3), 1e-4);
    double none[] = {NAN, NAN};
    paired_diff(none, b, 2, &p);
    cr_assert_eq(p.n, 0);
    cr_assert(isnan(p.mean));
    cr_assert_eq(verdict_of(&p, 0, 1), VERDICT_MISSING);
}

/* The verdicts issue's measured example: ASQ − LSQ at 2 bits, seeds 1-3. */
Test(paired, verdict_rule_holds_contradicted_unresolved)
{
    double asq[] = {91.18, 91.80, 91.25}, lsq[] = {90.09, 91.17, 91.23};
    Paired p;
    paired_diff(asq, lsq, 3, &p);
    cr_assert_float_eq(p.mean, 0.58, 1e-9);
    cr_assert_float_eq(p.lo, -0.75337, 1e-4);
    cr_assert_float_eq(p.hi, 1.91337, 1e-4);
    cr_assert_eq(verdict_of(&p, 0, 1), VERDICT_UNRESOLVED);
    cr_assert_eq(verdict_of(&p, -1.0, 1), VERDICT_HOLDS);      /* "within 1 point" holds */
    cr_assert_eq(verdict_of(&p, 2.0, 1), VERDICT_CONTRADICTED);
    cr_assert_eq(verdict_of(&p, 2.0, 0), VERDICT_HOLDS);
    cr_assert_str_eq(verdict_name(VERDICT_CONTRADICTED), "contradicted");
}
