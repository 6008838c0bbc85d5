/* The ASQ paper's overhead convention (FORMULAS.md §9.2-9.3), for any scheme: the extra parameters
 * (every quantizer parameter of the quantized layers but the first and last) over the
 * network's parameters, and the ops the quantizers add at inference (their
 * inference_cost: ASQ's adapters; a linear layer's multiply + add, 2 per MAC) over the
 * quantized convs' MACs, both scaled by 8/B. Knows no method: it asks the interface. */
#ifndef QB_OVERHEAD_H
#define QB_OVERHEAD_H

#include "core/cost.h"

typedef struct {
    double adapter_params, adapter_macs;  /* what the quantizers add at inference */
    double extra_params, quantized_macs;
    double param_pct, compute_pct;
    int adapters;                         /* quantizers that add inference work */
} QuantOverhead;

/* From a cost table of a net whose quantizers are attached (bits = the scheme's). */
void quantizer_cost_overhead(const CostTable *t, int bits, QuantOverhead *o);

#endif
