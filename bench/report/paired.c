#include "paired.h"

#include <math.h>
#include <stdio.h>

double t975(int df)
{
    static const double table[30] = {
        12.7062, 4.3027, 3.1824, 2.7764, 2.5706, 2.4469, 2.3646, 2.3060, 2.2622, 2.2281,
        2.2010, 2.1788, 2.1604, 2.1448, 2.1314, 2.1199, 2.1098, 2.1009, 2.0930, 2.0860,
        2.0796, 2.0739, 2.0687, 2.0639, 2.0595, 2.0555, 2.0518, 2.0484, 2.0452, 2.0423};
    if (df <= 30)
        return table[df - 1];
    /* Cornish-Fisher expansion around the normal quantile: < 1e-4 off beyond 30 df */
    double z = 1.959964, v = df;
    return z + (z * z * z + z) / (4 * v) + (5 * pow(z, 5) + 16 * z * z * z + 3 * z) / (96 * v * v);
}

void paired_diff(const double *a, const double *b, int n, Paired *out)
{
    double d[64], sum = 0, ss = 0;
    out->n = 0;
    for (int i = 0; i < n && out->n < 64; i++)
        if (isfinite(a[i]) && isfinite(b[i]))
            sum += d[out->n++] = a[i] - b[i];
    out->mean = out->n ? sum / out->n : NAN;
    out->sd = out->lo = out->hi = out->half = NAN;
    if (out->n < 2)
        return;
    for (int i = 0; i < out->n; i++)
        ss += (d[i] - out->mean) * (d[i] - out->mean);
    out->sd = sqrt(ss / (out->n - 1));
    out->half = t975(out->n - 1) * out->sd / sqrt(out->n);
    out->lo = out->mean - out->half;
    out->hi = out->mean + out->half;
}

Verdict verdict_of(const Paired *p, double threshold, int greater)
{
    if (p->n == 0)
        return VERDICT_MISSING;
    if (p->n < 2)
        return VERDICT_UNRESOLVED;
    if (p->lo > threshold)
        return greater ? VERDICT_HOLDS : VERDICT_CONTRADICTED;
    if (p->hi < threshold)
        return greater ? VERDICT_CONTRADICTED : VERDICT_HOLDS;
    return VERDICT_UNRESOLVED;
}

const char *verdict_name(Verdict v)
{
    static const char *const names[] = {"missing", "unresolved", "holds", "contradicted"};
    return names[v];
}

void paired_text(const Paired *p, char *out, size_t cap)
{
    if (p->n == 0)
        snprintf(out, cap, "–");
    else if (p->n < 2)
        snprintf(out, cap, "%+.2f (n=1, no interval)", p->mean);
    else
        snprintf(out, cap, "%+.2f [%+.2f, %+.2f] n=%d", p->mean, p->lo, p->hi, p->n);
}
