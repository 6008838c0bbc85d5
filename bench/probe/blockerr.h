/* BlockErr: per residual block, how far a quantized net's block output lies from the
 * full-precision net's on the same batch (ASQ paper Fig. 5). Blocks end at the residual adds;
 * a net without any ends one at each compute layer's input. The logits close the list. */
#ifndef QB_PROBE_BLOCKERR_H
#define QB_PROBE_BLOCKERR_H

#include "core/net.h"
#include "dat.h"

typedef struct {
    int nblocks, nschemes;
    int *layer;                       /* the layer whose output ends each block */
    char (*name)[LAYER_NAME_MAX];     /* "layer1.0" for "layer1.0.add", else the layer's */
    double *l2;    /* [block][scheme]: L2 norm of the difference per sample, batch mean */
    double *rel;   /* [block][scheme]: ||difference|| / ||full precision|| over the batch */
} BlockErr;

/* The blocks of `fp` (the full-precision net). */
void blockerr_init(BlockErr *b, const Net *fp, int nschemes);
/* Scheme s's net q (same layers as fp) after both ran forward on the same batch. */
void blockerr_add(BlockErr *b, int s, const Net *fp, const Net *q);
/* Rows "index block <l2 rel per scheme>". */
void blockerr_rows(const BlockErr *b, DatFile *d);
void blockerr_free(BlockErr *b);

#endif
