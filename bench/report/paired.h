/* Paired statistics of two methods measured on the same seeds: the per-seed differences,
 * their mean and 95% Student-t confidence interval, the verdict rule that turns an interval
 * and a claimed side of a threshold into holds / contradicted / unresolved, and the one way an
 * interval is printed (Markdown, LaTeX and CSV tables, verdicts, claims). A pair exists only
 * where both methods have a result for the seed; an interval needs two pairs that differ. */
#ifndef QB_PAIRED_H
#define QB_PAIRED_H

#include <stddef.h>
#include <stdio.h>

typedef struct {
    int n;                 /* pairs */
    double mean;           /* NAN when n == 0 */
    double sd;             /* sample std of the differences; NAN when n < 2 */
    double lo, hi, half;   /* 95% interval and its half-width; NAN when n < 2 or sd == 0 */
} Paired;

/* The 0.975 quantile of Student's t with df >= 1 degrees of freedom. */
double t975(int df);

/* a[i] − b[i] over i < n where both are finite (NAN marks a seed without a result). Equal
 * differences (sd 0) give no interval: a zero-width t-interval would claim a precision that
 * a few seeds of a discrete accuracy cannot give. */
void paired_diff(const double *a, const double *b, int n, Paired *out);

typedef enum { VERDICT_MISSING, VERDICT_UNRESOLVED, VERDICT_HOLDS, VERDICT_CONTRADICTED } Verdict;

/* The claim "difference > threshold" (greater) or "< threshold" (!greater): holds when the
 * whole interval is on the claimed side, contradicted when it is wholly on the other side,
 * unresolved when it spans the threshold or does not exist (n < 2, or no spread); missing
 * when n == 0. */
Verdict verdict_of(const Paired *p, double threshold, int greater);
const char *verdict_name(Verdict v);

/* The range a difference can take and the decimals it is printed with. */
typedef struct {
    double min, max;       /* -INFINITY / INFINITY: unbounded */
    int decimals;
} DiffScale;

/* A difference of two accuracies in percent points: within ±100, two decimals. */
extern const DiffScale DIFF_POINTS;

typedef enum {
    SHOWN_NONE,        /* no pairs */
    SHOWN_ONE_PAIR,    /* n == 1: a mean and no interval */
    SHOWN_NO_SPREAD,   /* n >= 2 equal differences: no interval */
    SHOWN_INTERVAL,    /* the interval, inside the scale's range */
    SHOWN_CUT,         /* the interval reached past the range and is cut at it */
} IntervalShown;

/* What of p's interval is shown on scale s; *lo and *hi receive its bounds cut to the range
 * (NAN unless SHOWN_INTERVAL or SHOWN_CUT). */
IntervalShown interval_shown(const Paired *p, const DiffScale *s, double *lo, double *hi);

/* The interval alone, followed by kind ("95% CI"): "[-0.76, +1.92] 95% CI", "[-100‡, +8.69]
 * 95% CI" (a bound cut at the range), "none (n=2, no spread)", "none (n=1)", "–". */
void interval_text(const Paired *p, const DiffScale *s, const char *kind, char *out,
                   size_t cap);

/* An accuracy difference in points with its interval: "+0.58 [-0.76, +1.92] n=3",
 * "-50.00 [-100‡, +8.69] n=3", "+0.00 (n=2, no spread: no interval)",
 * "+1.09 (n=1, no interval)", or "–" without pairs. */
void paired_text(const Paired *p, char *out, size_t cap);

/* An accuracy difference's CSV fields "lo,hi,shown,": the bounds cut to ±100 (empty without
 * an interval) and how the interval is shown: t95, cut, no_spread, or empty (n < 2). */
void paired_csv(FILE *f, const Paired *p);

/* The notes that explain paired_text's marks, for the text under whatever prints them. */
extern const char PAIRED_CUT_NOTE[];
extern const char PAIRED_NO_SPREAD_NOTE[];

#endif
