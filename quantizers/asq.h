/* ASQ's observable extras (FORMULAS.md §7): the dead-adapter fraction to log (pitfall P-A2), β, and
 * the adapter's size formula (§9.3; the cost model reads it through inference_cost). The
 * method itself is asq_ops in the registry. */
#ifndef QB_ASQ_H
#define QB_ASQ_H

#include "overhead.h"
#include "core/quantizer.h"

/* Fraction of the last forward's samples with β < 0.1; −1 if q is not an ASQ quantizer. */
double asq_dead_fraction(const Quantizer *q);
/* β_n of sample n in the last forward (q must be an ASQ quantizer). */
float asq_beta(const Quantizer *q, int n);
/* Parameters and MACs of the adapter for C input channels at ratio r (FORMULAS.md §7.1, §9.3):
 * C·h + 2h + 1 and C·h + h with h = floor(C/r) when C >= 2r; else C + 1 and C. */
void asq_adapter_size(int channels, int ratio, long *params, long *macs);

#endif
