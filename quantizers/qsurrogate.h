/* The straight-through surrogates of the methods whose backward differentiates more than the
 * clip of their scale op's input map: DSQ's tanh soft quantizer (FORMULAS.md §13.4), QIL's
 * weight transform (§14.2) and DAQ's distance-aware soft rounding (§16.3). Each gives an input's position before rounding, in the units of
 * the method's normalised level set, with the quantizer's current parameters; the rounding
 * residual is what the backward holds fixed. The registry checks (qcheck_fd.c) take finite
 * differences of these, so a method's gradients are checked against its own estimator. */
#ifndef QB_QSURROGATE_H
#define QB_QSURROGATE_H

#include "core/quantizer.h"

/* Element x of group g (an output channel or a sample) at its pre-rounding position; *region
 * numbers the smooth piece x lies on (clipped below, inside, clipped above, and for QIL the
 * sign), so a finite difference across two pieces is recognised as a kink. */
typedef double (*QSurrogateFn)(const Quantizer *q, int g, double x, int *region);

double dsq_position(const Quantizer *q, int g, double x, int *region);
double qil_position(const Quantizer *q, int g, double x, int *region);
double lqnet_position(const Quantizer *q, int g, double x, int *region);
double daq_position(const Quantizer *q, int g, double x, int *region);

#endif
