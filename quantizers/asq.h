/* ASQ's observable extras (spec §7): the dead-adapter fraction to log (pitfall P-A2) and the
 * adapter's size for the cost model (§9.3). The method itself is asq_ops in the registry. */
#ifndef QB_ASQ_H
#define QB_ASQ_H

#include "../bench/core/cost.h"
#include "../bench/core/quantizer.h"

/* Fraction of the last forward's samples with β < 0.1; −1 if q is not an ASQ quantizer. */
double asq_dead_fraction(const Quantizer *q);
/* β_n of sample n in the last forward (q must be an ASQ quantizer). */
float asq_beta(const Quantizer *q, int n);
/* Parameters and MACs of the adapter for C input channels at ratio r (spec §7.1, §9.3):
 * C·h + 2h + 1 and C·h + h with h = floor(C/r) when C >= 2r; else C + 1 and C. */
void asq_adapter_size(int channels, int ratio, long *params, long *macs);

/* The ASQ paper's overhead convention (spec 9.2-9.3): the extra parameters (adapters and
 * steps of every quantized layer but the first and last) over the network's parameters,
 * and the adapters' ops (linear: multiply + add, 2 per MAC) over the quantized convs' MACs,
 * both scaled by 8/B. */
typedef struct {
    double adapter_params, adapter_macs, extra_params, quantized_macs;
    double param_pct, compute_pct;
    int adapters;
} AsqOverhead;

/* From a cost table of a net whose quantizers are attached (bits = the scheme's). */
void asq_overhead(const CostTable *t, int bits, AsqOverhead *o);

#endif
