/* The within-run training curve: the run's planned steps split into equal windows, each
 * holding the mean and spread of its per-batch training loss and top-1 (Welford running
 * moments, so the spread gives each window's noise). It travels in the checkpoint as text, so
 * a resumed run ends with the curve of an uninterrupted one; results carry it, and the
 * convergence rule (converge.h) reads it. */
#ifndef QB_CURVE_H
#define QB_CURVE_H

#include <stdint.h>

#include "core/err.h"

/* Windows of a run of at least this many steps; a shorter run has one window per step. */
#define CURVE_WINDOWS 10

/* Running moments of one window's per-batch values. */
typedef struct {
    int64_t steps;
    double loss_mean, loss_m2;   /* m2: sum of squared deviations from the mean */
    double top1_mean, top1_m2;   /* percent */
} CurveWindow;

typedef struct {
    int64_t total_steps;  /* the run's planned steps; 0: no curve recorded */
    int nwindows;
    CurveWindow w[CURVE_WINDOWS];
} TrainCurve;

/* An empty curve for a run of total_steps steps (0: none recorded). */
void curve_init(TrainCurve *c, int64_t total_steps);
/* Window w covers steps [curve_window_first(c, w), curve_window_first(c, w + 1)). */
int64_t curve_window_first(const TrainCurve *c, int w);
/* Adds step `step`'s batch: its mean loss and top-1 (percent). Steps past the planned total
 * are a caller's bug. */
void curve_add(TrainCurve *c, int64_t step, double loss, double top1);
/* Sample standard deviation of a window's values from its moments; NAN below 2 values. */
double curve_sd(int64_t n, double m2);

/* The curve as checkpoint text: "curve TOTAL NWINDOWS\n" and one "window ..." line per
 * window, every number round-tripping exactly. Owned by the caller. */
char *curve_text(const TrainCurve *c);
/* Parses curve_text's lines from the start of text; error names `path`. */
int curve_parse(const char *path, const char *text, TrainCurve *c, QbErr *err);

#endif
