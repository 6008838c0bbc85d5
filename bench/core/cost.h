/* Cost accounting of a built network (shapes only, no allocation needed),
 * quantizers/FORMULAS.md §9: per layer its parameters, MACs (conv and linear), other elementwise work (BN, ReLU,
 * pooling, adds: listed separately), bit-widths, BitOPs = MACs x wbits x abits and storage
 * bits; totals over the net. Batch 1. */
#ifndef QB_COST_H
#define QB_COST_H

#include "net.h"

typedef struct {
    const Layer *layer;
    double params;        /* the layer's own weights, biases, BN affine */
    double quant_params;  /* parameters its quantizers add (steps, clips, ASQ adapters) */
    double macs;          /* conv and linear only */
    double other_ops;     /* BN, activations, pooling, adds */
    int wbits, abits;     /* 32 when unquantized */
    double bitops;        /* macs * wbits * abits */
    double storage_bits;  /* weights at wbits, everything else at 32 */
    int compute;          /* conv or linear */
} CostRow;

typedef struct {
    CostRow *rows;        /* one per layer, owned */
    int n;
    double params, quant_params, macs, other_ops, bitops, storage_bits;
    double size_bytes;    /* storage_bits / 8 */
    double first_macs, last_macs; /* first and last compute layer */
} CostTable;

void cost_table(const Net *net, CostTable *t);
/* The same, pricing unquantized compute layers as if quantized at wbits x abits, the first and
 * last at 8 x 8 (FORMULAS.md §1.3): BitOPs of a scheme without building its quantizers. */
void cost_table_assume(const Net *net, int wbits, int abits, CostTable *t);
void cost_free(CostTable *t);

#endif
