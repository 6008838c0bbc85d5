/* Median and order-statistic interval of paired ratios (median_interval.h). */
#include "perf/median_interval.h"

#include <math.h>
#include <stdlib.h>

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* P(Binomial(n, 1/2) <= k), summed in logs so that large n does not underflow 2^-n. */
static double binomial_half_cdf(int n, int k)
{
    double s = 0.0;
    for (int i = 0; i <= k; i++)
        s += exp(lgamma(n + 1.0) - lgamma(i + 1.0) - lgamma(n - i + 1.0) - n * log(2.0));
    return s;
}

int median_interval(double *v, int n, double *median, double *lo, double *hi)
{
    *lo = *hi = NAN;
    *median = NAN;
    if (n <= 0)
        return -1;
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    *median = n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
    int k = 0; /* the interval is [v[k-1], v[n-k]] in 0-based terms */
    while (k + 1 <= n / 2 && binomial_half_cdf(n, k) <= 0.025)
        k++;
    if (k == 0)
        return -1;
    *lo = v[k - 1];
    *hi = v[n - k];
    return 0;
}
