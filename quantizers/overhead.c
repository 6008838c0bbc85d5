#include "overhead.h"

#include <string.h>

#include "core/layers/layers.h"
#include "core/quantizer.h"

/* Adds what q runs at inference beyond its layer (nothing when q is NULL or adds none). */
static void quantizer_adds(const Quantizer *q, QuantOverhead *o)
{
    if (!q || !q->ops->inference_cost)
        return;
    double p, m;
    q->ops->inference_cost(q, &p, &m);
    o->adapter_params += p;
    o->adapter_macs += m;
    o->adapters++;
}

void quantizer_cost_overhead(const CostTable *t, int bits, QuantOverhead *o)
{
    memset(o, 0, sizeof *o);
    int first = -1, last = -1;
    for (int i = 0; i < t->n; i++)
        if (t->rows[i].compute) {
            first = first < 0 ? i : first;
            last = i;
        }
    for (int i = 0; i < t->n; i++) {
        const CostRow *r = &t->rows[i];
        if (!r->compute || i == first || i == last)
            continue;
        o->extra_params += r->quant_params;
        o->quantized_macs += r->macs;
        quantizer_adds(layer_weight_quantizer(r->layer), o);
        quantizer_adds(layer_input_quantizer(r->layer), o);
    }
    o->param_pct = 100.0 * (8.0 / bits) * o->extra_params / t->params;
    o->compute_pct = 100.0 * (8.0 / bits) * 2.0 * o->adapter_macs / o->quantized_macs;
}
