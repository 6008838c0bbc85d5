/* The convergence rule: whether a run's training loss had stopped falling by the end of its
 * own training curve (curve.h). The one definition of the rule; results record its verdict
 * and the numbers it rests on, tables and claims mark what rests on an unconverged run. */
#ifndef QB_CONVERGE_H
#define QB_CONVERGE_H

#include <stddef.h>

#include "curve.h"

typedef enum { CONV_NOT_RECORDED, CONV_CONVERGED, CONV_UNCONVERGED } ConvVerdict;

typedef struct {
    ConvVerdict verdict;
    double earlier_loss, last_loss;  /* mean per-batch training loss of the two stretches */
    int64_t earlier_steps, last_steps;
    double fall;                     /* earlier_loss − last_loss */
    double fall_se;                  /* its standard error, from the per-batch spread */
    double allowed;                  /* the largest fall a converged run may show */
    char reason[160];                /* not recorded: why */
} ConvCheck;

/* The rule in words, for result files and documents. */
extern const char CONVERGENCE_RULE[];

void convergence_check(const TrainCurve *c, ConvCheck *out);
/* The verdict with its numbers in one line: "unconverged (training loss 0.2896 over the last
 * 30% of steps vs 0.3310 before: a fall of 0.0414 ± 0.0355 se; converged needs fall + 1.645 se
 * <= 0.0290)", or "not recorded (<reason>)". */
void conv_check_text(const ConvCheck *k, char *out, size_t cap);
/* "converged", "unconverged", "not recorded". */
const char *conv_verdict_name(ConvVerdict v);
/* The verdict a name spells, or -1. */
int conv_verdict_parse(const char *name);

#endif
