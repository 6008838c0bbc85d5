#include "paired.h"

#include <math.h>
#include <stdio.h>

/* Below this sample std (points) the differences count as equal: far above the rounding of a
 * difference of two accuracies (~1e-13), far below the step of any test set's accuracy
 * (100 / test images: 1e-4 points at a million images). */
#define NO_SPREAD_SD 1e-9

const DiffScale DIFF_POINTS = {.min = -100, .max = 100, .decimals = 2};

const char PAIRED_CUT_NOTE[] =
    "‡ marks a bound cut at ±100 points: the 95% interval reached past the widest difference "
    "two accuracies can have, so on that side these seeds exclude nothing.";
const char PAIRED_NO_SPREAD_NOTE[] =
    "No spread: the per-seed differences are all equal, so their sample std is 0 and a "
    "t-interval would have zero width; accuracy moves in steps of one test image, so a few "
    "seeds can agree by chance, and the interval is not estimable from them (the difference "
    "counts as unresolved).";

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
    double sum = 0, ss = 0;
    out->n = 0;
    for (int i = 0; i < n; i++)
        if (isfinite(a[i]) && isfinite(b[i]))
            sum += a[i] - b[i], out->n++;
    out->mean = out->n ? sum / out->n : NAN;
    out->sd = out->lo = out->hi = out->half = NAN;
    if (out->n < 2)
        return;
    for (int i = 0; i < n; i++)
        if (isfinite(a[i]) && isfinite(b[i]))
            ss += (a[i] - b[i] - out->mean) * (a[i] - b[i] - out->mean);
    out->sd = sqrt(ss / (out->n - 1));
    if (out->sd < NO_SPREAD_SD) {
        out->sd = 0;
        return;
    }
    out->half = t975(out->n - 1) * out->sd / sqrt(out->n);
    out->lo = out->mean - out->half;
    out->hi = out->mean + out->half;
}

Verdict verdict_of(const Paired *p, double threshold, int greater)
{
    if (p->n == 0)
        return VERDICT_MISSING;
    if (p->lo > threshold)
        return greater ? VERDICT_HOLDS : VERDICT_CONTRADICTED;
    if (p->hi < threshold)
        return greater ? VERDICT_CONTRADICTED : VERDICT_HOLDS;
    return VERDICT_UNRESOLVED;   /* spans it, or no interval (NAN compares false) */
}

const char *verdict_name(Verdict v)
{
    static const char *const names[] = {"missing", "unresolved", "holds", "contradicted"};
    return names[v];
}

IntervalShown interval_shown(const Paired *p, const DiffScale *s, double *lo, double *hi)
{
    *lo = *hi = NAN;
    if (p->n == 0)
        return SHOWN_NONE;
    if (isnan(p->lo))
        return p->n == 1 ? SHOWN_ONE_PAIR : SHOWN_NO_SPREAD;
    *lo = fmax(p->lo, s->min);
    *hi = fmin(p->hi, s->max);
    return p->lo < s->min || p->hi > s->max ? SHOWN_CUT : SHOWN_INTERVAL;
}

/* One bound: "+1.92", or "-100‡" where the interval was cut at the range. */
static int bound_text(double v, int cut, int decimals, char *out, size_t cap)
{
    return cut ? snprintf(out, cap, "%+g‡", v) : snprintf(out, cap, "%+.*f", decimals, v);
}

/* "[-0.76, +1.92]"; returns its length. */
static size_t bounds_text(const Paired *p, const DiffScale *s, char *out, size_t cap)
{
    double lo, hi;
    interval_shown(p, s, &lo, &hi);
    char a[48], b[48];
    bound_text(lo, p->lo < s->min, s->decimals, a, sizeof a);
    bound_text(hi, p->hi > s->max, s->decimals, b, sizeof b);
    return (size_t)snprintf(out, cap, "[%s, %s]", a, b);
}

void interval_text(const Paired *p, const DiffScale *s, const char *kind, char *out,
                   size_t cap)
{
    double lo, hi;
    IntervalShown shown = interval_shown(p, s, &lo, &hi);
    if (shown == SHOWN_NONE)
        snprintf(out, cap, "–");
    else if (isnan(lo))
        snprintf(out, cap, "none (n=%d%s)", p->n, shown == SHOWN_NO_SPREAD ? ", no spread" : "");
    else {
        size_t n = bounds_text(p, s, out, cap);
        if (n < cap)
            snprintf(out + n, cap - n, "%s%s", kind && kind[0] ? " " : "", kind ? kind : "");
    }
}

void paired_text(const Paired *p, char *out, size_t cap)
{
    double lo, hi;
    IntervalShown shown = interval_shown(p, &DIFF_POINTS, &lo, &hi);
    if (shown == SHOWN_NONE) {
        snprintf(out, cap, "–");
        return;
    }
    size_t n = (size_t)snprintf(out, cap, "%+.2f ", p->mean);
    if (n >= cap)
        return;
    if (isnan(lo))
        snprintf(out + n, cap - n, "(n=%d, %sno interval)", p->n,
                 shown == SHOWN_NO_SPREAD ? "no spread: " : "");
    else {
        n += bounds_text(p, &DIFF_POINTS, out + n, cap - n);
        if (n < cap)
            snprintf(out + n, cap - n, " n=%d", p->n);
    }
}

void paired_csv(FILE *f, const Paired *p)
{
    static const char *const shown_name[] = {
        [SHOWN_NONE] = "", [SHOWN_ONE_PAIR] = "", [SHOWN_NO_SPREAD] = "no_spread",
        [SHOWN_INTERVAL] = "t95", [SHOWN_CUT] = "cut"};
    double lo, hi;
    IntervalShown shown = interval_shown(p, &DIFF_POINTS, &lo, &hi);
    if (isnan(lo))
        fprintf(f, ",,%s,", shown_name[shown]);
    else
        fprintf(f, "%.4f,%.4f,%s,", lo, hi, shown_name[shown]);
}
