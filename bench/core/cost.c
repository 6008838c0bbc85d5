#include "cost.h"

#include <stdlib.h>
#include <string.h>

/* A parameter belongs to the layer whose name prefixes it ("conv1" owns "conv1.weight" and
 * its quantizers' "conv1.aq.step"); the quantizers' ones are those in group PGROUP_QUANT. */
static int owns(const char *layer, const Param *p)
{
    size_t n = strlen(layer);
    return !strncmp(layer, p->name, n) && p->name[n] == '.';
}

static void row_params(const Net *net, CostRow *r)
{
    for (int i = 0; i < net->nparams; i++) {
        const Param *p = &net->params[i];
        if (!owns(r->layer->name, p))
            continue;
        if (p->group == PGROUP_QUANT) {
            r->quant_params += (double)p->numel;
            r->storage_bits += 32.0 * (double)p->numel;
        } else {
            r->params += (double)p->numel;
            r->storage_bits += (p->group == PGROUP_WEIGHT ? r->wbits : 32) * (double)p->numel;
        }
    }
}

static void cost_build(const Net *net, int wbits, int abits, CostTable *t);

void cost_table(const Net *net, CostTable *t) { cost_build(net, 0, 0, t); }

void cost_table_assume(const Net *net, int wbits, int abits, CostTable *t)
{
    cost_build(net, wbits, abits, t);
}

/* Index of the last compute layer, or -1. */
static int last_compute(const Net *net)
{
    for (int i = net->nlayers - 1; i >= 0; i--) {
        LayerCost lc = {0, 0, 0, 32, 32};
        if (net->layers[i].ops->cost)
            net->layers[i].ops->cost(net, &net->layers[i], &lc);
        if (lc.compute)
            return i;
    }
    return -1;
}

/* wbits == 0: bits as the layers' quantizers say. */
static void cost_build(const Net *net, int wbits, int abits, CostTable *t)
{
    memset(t, 0, sizeof *t);
    t->rows = calloc((size_t)net->nlayers + 1, sizeof(CostRow));
    QB_ASSERT(t->rows);
    t->n = net->nlayers;
    int first = 1, last = last_compute(net);
    for (int i = 0; i < net->nlayers; i++) {
        const Layer *L = &net->layers[i];
        CostRow *r = &t->rows[i];
        LayerCost lc = {0, 0, 0, 32, 32};
        if (L->ops->cost)
            L->ops->cost(net, L, &lc);
        r->layer = L;
        r->macs = lc.compute ? lc.macs : 0.0;
        r->other_ops = lc.other_ops;
        r->compute = lc.compute;
        r->wbits = lc.wbits ? lc.wbits : 32;
        r->abits = lc.abits ? lc.abits : 32;
        if (wbits && lc.compute && r->wbits == 32 && r->abits == 32) {
            int edge = first || i == last;
            r->wbits = edge ? 8 : wbits;
            r->abits = edge ? 8 : abits;
        }
        r->bitops = r->macs * r->wbits * r->abits;
        row_params(net, r);
        t->params += r->params;
        t->quant_params += r->quant_params;
        t->macs += r->macs;
        t->other_ops += r->other_ops;
        t->bitops += r->bitops;
        t->storage_bits += r->storage_bits;
        if (r->compute) {
            if (first)
                t->first_macs = r->macs;
            first = 0;
            t->last_macs = r->macs;
        }
    }
    t->size_bytes = t->storage_bits / 8.0;
}

void cost_free(CostTable *t)
{
    free(t->rows);
    t->rows = NULL;
    t->n = 0;
}
