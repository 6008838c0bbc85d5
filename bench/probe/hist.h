/* Hist: counts of values in equal-width bins over [lo, hi]. The probe picks every range from
 * the data it bins, so each histogram counts every value exactly once. */
#ifndef QB_PROBE_HIST_H
#define QB_PROBE_HIST_H

#include <stddef.h>

typedef struct {
    double lo, hi;
    int nbins;
    long *count;   /* nbins entries */
    long nan;      /* NaN values, kept out of the bins */
} Hist;

/* hi <= lo (all values equal) widens the range to [lo - 0.5, lo + 0.5]. */
void hist_init(Hist *h, double lo, double hi, int nbins);
/* Bin i holds [lo + i·w, lo + (i+1)·w), the last one closed; values outside [lo, hi]
 * go to the end bins. */
void hist_add(Hist *h, double v);
double hist_edge(const Hist *h, int i);
void hist_free(Hist *h);

/* Widens [*lo, *hi] to cover x[0..n), NaN skipped (start from +INFINITY, -INFINITY). */
void hist_range(const float *x, size_t n, double *lo, double *hi);

#endif
