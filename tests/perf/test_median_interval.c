/* The paired-ratio summary against hand-computed order statistics: the ranks come from
 * Binomial(n, 1/2) tail sums worked out by hand below. */
#include <criterion/criterion.h>
#include <math.h>

#include "perf/median_interval.h"

/* v[i] = i + 1, shuffled, so the k-th smallest is k. */
static void shuffled_ranks(double *v, int n)
{
    for (int i = 0; i < n; i++)
        v[i] = (double)((i * 7 + 3) % n + 1);
}

Test(median_interval, below_six_pairs_has_no_interval)
{
    /* n = 5: P(X = 0) = 1/32 = 0.031 > 0.025, so no rank qualifies. */
    double v[5] = {1.3, 1.1, 1.2, 1.5, 1.4}, m, lo, hi;
    cr_expect_eq(median_interval(v, 5, &m, &lo, &hi), -1);
    cr_expect_float_eq(m, 1.3, 1e-12);
    cr_expect(isnan(lo) && isnan(hi));
}

/* The ranks 1..n, shuffled, must give median m and the interval [lo, hi]. */
static void expect_ranks(int n, double m, double lo, double hi)
{
    double v[64], gm, glo, ghi;
    shuffled_ranks(v, n);
    cr_assert_eq(median_interval(v, n, &gm, &glo, &ghi), 0, "n = %d", n);
    cr_expect_float_eq(gm, m, 1e-12, "n = %d", n);
    cr_expect_float_eq(glo, lo, 1e-12, "n = %d", n);
    cr_expect_float_eq(ghi, hi, 1e-12, "n = %d", n);
}

Test(median_interval, ranks_from_binomial_tails)
{
    /* n = 6: P(X = 0) = 1/64 = 0.016 <= 0.025 and P(X <= 1) = 7/64 > 0.025: k = 1.
     * n = 10: P(X <= 1) = 11/1024 = 0.011, P(X <= 2) = 56/1024 = 0.055: k = 2.
     * n = 20: P(X <= 5) = 21700/2^20 = 0.0207, P(X <= 6) = 60460/2^20 = 0.0577: k = 6. */
    expect_ranks(6, 3.5, 1.0, 6.0);
    expect_ranks(10, 5.5, 2.0, 9.0);
    expect_ranks(20, 10.5, 6.0, 15.0);
}

Test(median_interval, equal_values_give_a_point_interval)
{
    double v[8] = {1.2, 1.2, 1.2, 1.2, 1.2, 1.2, 1.2, 1.2}, m, lo, hi;
    cr_assert_eq(median_interval(v, 8, &m, &lo, &hi), 0);
    cr_expect_float_eq(m, 1.2, 1e-12);
    cr_expect_float_eq(lo, 1.2, 1e-12);
    cr_expect_float_eq(hi, 1.2, 1e-12);
}

Test(median_interval, no_pairs)
{
    double m, lo, hi;
    cr_expect_eq(median_interval(NULL, 0, &m, &lo, &hi), -1);
    cr_expect(isnan(m) && isnan(lo) && isnan(hi));
}
