#include "curve.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void curve_init(TrainCurve *c, int64_t total_steps)
{
    memset(c, 0, sizeof *c);
    c->total_steps = total_steps > 0 ? total_steps : 0;
    c->nwindows = (int)(c->total_steps < CURVE_WINDOWS ? c->total_steps : CURVE_WINDOWS);
}

int64_t curve_window_first(const TrainCurve *c, int w)
{
    /* ceil(w * total / nwindows): windows differ in length by at most one step */
    return ((int64_t)w * c->total_steps + c->nwindows - 1) / c->nwindows;
}

/* Welford's update: exact to resume, since the moments round-trip through the checkpoint. */
static void moments_add(int64_t n, double *mean, double *m2, double x)
{
    double d = x - *mean;
    *mean += d / (double)n;
    *m2 += d * (x - *mean);
}

void curve_add(TrainCurve *c, int64_t step, double loss, double top1)
{
    QB_ASSERT(step >= 0 && step < c->total_steps);
    CurveWindow *w = &c->w[step * c->nwindows / c->total_steps];
    w->steps++;
    moments_add(w->steps, &w->loss_mean, &w->loss_m2, loss);
    moments_add(w->steps, &w->top1_mean, &w->top1_m2, top1);
}

double curve_sd(int64_t n, double m2)
{
    return n >= 2 ? sqrt(m2 / (double)(n - 1)) : NAN;
}

char *curve_text(const TrainCurve *c)
{
    size_t cap = 64 + (size_t)c->nwindows * 128, at = 0;
    char *s = malloc(cap);
    QB_ASSERT(s);
    at += (size_t)snprintf(s, cap, "curve %" PRId64 " %d\n", c->total_steps, c->nwindows);
    for (int i = 0; i < c->nwindows; i++) {
        const CurveWindow *w = &c->w[i];
        at += (size_t)snprintf(s + at, cap - at, "window %" PRId64 " %.17g %.17g %.17g %.17g\n",
                               w->steps, w->loss_mean, w->loss_m2, w->top1_mean, w->top1_m2);
    }
    return s;
}

static const char *next_line(const char *p)
{
    const char *nl = strchr(p, '\n');
    return nl ? nl + 1 : p + strlen(p);
}

int curve_parse(const char *path, const char *text, TrainCurve *c, QbErr *err)
{
    int64_t total;
    int n;
    if (sscanf(text, "curve %" SCNd64 " %d", &total, &n) != 2 || total < 0)
        return qb_fail(err, "%s: corrupt training curve in the checkpoint (its header line)",
                       path);
    curve_init(c, total);
    if (n != c->nwindows)
        return qb_fail(err, "%s: the checkpoint's training curve has %d windows, %" PRId64
                            " steps make %d", path, n, total, c->nwindows);
    const char *p = next_line(text);
    for (int i = 0; i < n; i++, p = next_line(p)) {
        CurveWindow *w = &c->w[i];
        int64_t span = curve_window_first(c, i + 1) - curve_window_first(c, i);
        if (sscanf(p, "window %" SCNd64 " %lf %lf %lf %lf", &w->steps, &w->loss_mean,
                   &w->loss_m2, &w->top1_mean, &w->top1_m2) != 5 ||
            w->steps < 0 || w->steps > span)
            return qb_fail(err, "%s: corrupt training curve in the checkpoint (window %d)", path,
                           i + 1);
    }
    return 0;
}
