#include "hist.h"

#include <math.h>
#include <stdlib.h>

#include "core/err.h"

void hist_init(Hist *h, double lo, double hi, int nbins)
{
    QB_ASSERT(nbins > 0);
    if (!(hi > lo)) {
        hi = lo + 0.5;
        lo -= 0.5;
    }
    *h = (Hist){lo, hi, nbins, calloc((size_t)nbins, sizeof(long)), 0};
    QB_ASSERT(h->count);
}

void hist_add(Hist *h, double v)
{
    if (isnan(v)) {
        h->nan++;
        return;
    }
    double t = (v - h->lo) / (h->hi - h->lo) * h->nbins;
    int i = t <= 0.0 ? 0 : (t >= h->nbins ? h->nbins - 1 : (int)t);
    h->count[i]++;
}

double hist_edge(const Hist *h, int i) { return h->lo + (h->hi - h->lo) * i / h->nbins; }

void hist_free(Hist *h)
{
    free(h->count);
    h->count = NULL;
}

void hist_range(const float *x, size_t n, double *lo, double *hi)
{
    for (size_t i = 0; i < n; i++) {
        if (isnan(x[i]))
            continue;
        if (x[i] < *lo)
            *lo = x[i];
        if (x[i] > *hi)
            *hi = x[i];
    }
}
