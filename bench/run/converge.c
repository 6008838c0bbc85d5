#include "converge.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/nametable.h"

/* The two stretches compared: the last 3 of the curve's 10 windows (the last 30% of the steps)
 * and the 3 before. Not the last window alone: under a schedule that decays to zero (cosine
 * per step) the last tenth of the steps carries under 1% of the learning rate, so every run
 * looks flat there; 40-70% of the steps still carry a quarter of it. */
#define STRETCH_WINDOWS 3
/* Converged: the fall, at its one-sided 95% upper bound, is at most this fraction of the last
 * stretch's loss. The burden of proof is on convergence: a curve too noisy to show that the
 * loss stopped falling (a run of a few dozen steps) reads unconverged, never converged. */
#define UPPER_BOUND_Z 1.645
#define ALLOWED_FALL 0.10

const char CONVERGENCE_RULE[] =
    "converged when the mean per-batch training loss of the last 30% of the steps (curve "
    "windows 8-10) lies below that of the 30% before (windows 5-7) by at most 10% of its own "
    "value at the one-sided 95% upper bound: fall + 1.645 x fall_se <= 0.10 x last_loss, "
    "fall_se from the per-batch spread within the windows; otherwise unconverged";

static const char *const verdict_names[] = {
    [CONV_NOT_RECORDED] = "not recorded",
    [CONV_CONVERGED] = "converged",
    [CONV_UNCONVERGED] = "unconverged",
};

const char *conv_verdict_name(ConvVerdict v)
{
    return verdict_names[v];
}

int conv_verdict_parse(const char *name)
{
    return nametable_index(NAMETABLE_STRINGS(verdict_names), name);
}

/* Windows [from, to) pooled: their steps, mean loss, and the per-batch variance within them
 * (the windows' own spreads, so the curve's trend across them is not counted as noise). */
typedef struct {
    int64_t steps, dof;
    double mean, var;
} Stretch;

static Stretch stretch_of(const TrainCurve *c, int from, int to)
{
    Stretch s = {0};
    double sum = 0, m2 = 0;
    for (int i = from; i < to; i++) {
        s.steps += c->w[i].steps;
        s.dof += c->w[i].steps > 0 ? c->w[i].steps - 1 : 0;
        sum += c->w[i].loss_mean * (double)c->w[i].steps;
        m2 += c->w[i].loss_m2;
    }
    s.mean = s.steps ? sum / (double)s.steps : NAN;
    s.var = s.dof ? m2 / (double)s.dof : NAN;
    return s;
}

/* Why the curve cannot be judged, or NULL. */
static const char *unjudgeable(const TrainCurve *c)
{
    if (!c->total_steps)
        return "no training curve recorded: no step trained, or resumed from a checkpoint "
               "written before training curves";
    for (int i = 0; i < c->nwindows; i++)
        if (c->w[i].steps != curve_window_first(c, i + 1) - curve_window_first(c, i))
            return "the run stopped before the end of its training curve";
    if (c->nwindows < CURVE_WINDOWS)
        return "fewer steps than the curve has windows";
    return NULL;
}

void convergence_check(const TrainCurve *c, ConvCheck *out)
{
    memset(out, 0, sizeof *out);
    out->verdict = CONV_NOT_RECORDED;
    out->earlier_loss = out->last_loss = out->fall = out->fall_se = out->allowed = NAN;
    const char *why = unjudgeable(c);
    Stretch a = {0}, b = {0};
    if (!why) {
        a = stretch_of(c, c->nwindows - 2 * STRETCH_WINDOWS, c->nwindows - STRETCH_WINDOWS);
        b = stretch_of(c, c->nwindows - STRETCH_WINDOWS, c->nwindows);
        if (!a.dof || !b.dof)
            why = "too few steps per window to measure the loss's noise";
    }
    if (why) {
        snprintf(out->reason, sizeof out->reason, "%s", why);
        return;
    }
    out->earlier_loss = a.mean, out->last_loss = b.mean;
    out->earlier_steps = a.steps, out->last_steps = b.steps;
    out->fall = a.mean - b.mean;
    out->fall_se = sqrt(a.var / (double)a.steps + b.var / (double)b.steps);
    out->allowed = ALLOWED_FALL * b.mean;
    out->verdict = out->fall + UPPER_BOUND_Z * out->fall_se <= out->allowed ? CONV_CONVERGED
                                                                            : CONV_UNCONVERGED;
}

void conv_check_text(const ConvCheck *k, char *out, size_t cap)
{
    if (k->verdict == CONV_NOT_RECORDED)
        snprintf(out, cap, "not recorded (%s)", k->reason);
    else
        snprintf(out, cap, "%s (training loss %.4f over the last 30%% of steps vs %.4f before: "
                 "a fall of %.4f ± %.4f se; converged needs fall + %.4g se <= %.4f)",
                 conv_verdict_name(k->verdict), k->last_loss, k->earlier_loss, k->fall,
                 k->fall_se, UPPER_BOUND_Z, k->allowed);
}
