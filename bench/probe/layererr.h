/* LayerErr: each compute layer's quantization error split as in the ASQ paper's Fig. 6, for
 * its weight and its input quantizer: the part from values inside the clip range (rounding)
 * and the part from values beyond it (clipping), each as Σ e² / Σ x² over the tensor (x
 * measured from the quantizer's zero, e in the same units), so the two add up to the
 * quantizer's noise-to-signal ratio. */
#ifndef QB_PROBE_LAYERERR_H
#define QB_PROBE_LAYERERR_H

#include "core/net.h"
#include "dat.h"

enum { LE_W_ROUND, LE_W_CLIP, LE_A_ROUND, LE_A_CLIP, LE_PARTS };

typedef struct {
    int nlayers, nschemes;
    int *layer;          /* compute layer indices */
    double *v;           /* [layer][scheme][LE_PARTS]; NaN where the layer has no quantizer */
} LayerErr;

void layererr_init(LayerErr *e, const Net *net, int nschemes);
/* Scheme s's net after a forward pass. */
int layererr_add(LayerErr *e, int s, Net *net, QbErr *err);
/* Rows "index layer <w_round w_clip a_round a_clip per scheme>". */
void layererr_rows(const LayerErr *e, const Net *net, DatFile *d);
void layererr_free(LayerErr *e);

#endif
