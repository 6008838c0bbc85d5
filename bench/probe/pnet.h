/* One probe network, as a training run would hold it: built by net_build, quantized by the
 * caller (scheme_apply or layer_quantize), its weights loaded from a checkpoint, its
 * quantizers initialised by one training-mode forward on the init batch, then run in
 * evaluation mode. */
#ifndef QB_PROBE_PNET_H
#define QB_PROBE_PNET_H

#include <stdint.h>

#include "core/checkpoint.h"
#include "core/net.h"

typedef struct {
    const char *name;   /* nets/registry.c name */
    float width;
    Dims input;
    int classes;
    int batch, threads;
    uint64_t seed;
} PnetSpec;

/* net_build only: the caller attaches quantizers next. */
int pnet_build(Net *net, const PnetSpec *s, QbErr *err);
/* Allocates, initialises the parameters from the seed, then loads `ckpt` (weights mode:
 * quantizer state absent from it keeps its fresh values). meta may be NULL; otherwise it
 * receives the checkpoint's recorded config (free with ckpt_meta_free). */
int pnet_load(Net *net, const PnetSpec *s, const char *ckpt, CkptMeta *meta, QbErr *err);
/* One training-mode forward on `init` (quantizers not yet initialised take their values from
 * it), then `ckpt` again, so batch-norm statistics stay the checkpoint's; evaluation mode
 * from then on. */
int pnet_calibrate(Net *net, const char *ckpt, const Tensor *init, QbErr *err);
/* An evaluation-mode forward on x (x->n == the net's batch). */
void pnet_forward(Net *net, const Tensor *x);

#endif
