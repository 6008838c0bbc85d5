/* Paired statistics of two methods measured on the same seeds: the per-seed differences,
 * their mean and 95% Student-t confidence interval, and the verdict rule that turns an
 * interval and a claimed side of a threshold into holds / contradicted / unresolved. A pair
 * exists only where both methods have a result for the seed; an interval needs two pairs. */
#ifndef QB_PAIRED_H
#define QB_PAIRED_H

#include <stddef.h>

typedef struct {
    int n;                 /* pairs */
    double mean;           /* NAN when n == 0 */
    double sd;             /* sample std of the differences; NAN when n < 2 */
    double lo, hi, half;   /* 95% interval and its half-width; NAN when n < 2 */
} Paired;

/* The 0.975 quantile of Student's t with df >= 1 degrees of freedom. */
double t975(int df);

/* a[i] − b[i] over i < n where both are finite (NAN marks a seed without a result). */
void paired_diff(const double *a, const double *b, int n, Paired *out);

typedef enum { VERDICT_MISSING, VERDICT_UNRESOLVED, VERDICT_HOLDS, VERDICT_CONTRADICTED } Verdict;

/* The claim "difference > threshold" (greater) or "< threshold" (!greater): holds when the
 * whole interval is on the claimed side, contradicted when it is wholly on the other side,
 * unresolved when it spans the threshold or does not exist (n < 2); missing when n == 0. */
Verdict verdict_of(const Paired *p, double threshold, int greater);
const char *verdict_name(Verdict v);

/* "+0.58 [-0.76, +1.92] n=3", "+1.09 (n=1, no interval)", or "–" without pairs. */
void paired_text(const Paired *p, char *out, size_t cap);

#endif
