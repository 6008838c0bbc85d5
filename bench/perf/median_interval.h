/* Owns the summary of an interleaved A/B timing: the median of the per-pair ratios and a
 * distribution-free 95% interval for it. On a shared machine the neighbours' load drifts over
 * seconds; timing the two steps alternately and taking their ratio pair by pair cancels the
 * drift that separate runs of A and then B would fold into the comparison. */
#ifndef QB_PERF_MEDIAN_INTERVAL_H
#define QB_PERF_MEDIAN_INTERVAL_H

/* Sorts v[0..n) and gives its median and the interval [k-th smallest, k-th largest], k the
 * largest rank with P(Binomial(n, 1/2) < k) <= 0.025, which covers the true median with
 * probability >= 95% whatever the distribution. Returns 0; -1 when n < 6 (no rank qualifies),
 * with *lo and *hi NaN and *median still set (NaN when n == 0). */
int median_interval(double *v, int n, double *median, double *lo, double *hi);

#endif
