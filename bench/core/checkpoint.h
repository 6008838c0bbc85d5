/* Checkpoints: a versioned, checksummed binary of the parameters, buffers (BN statistics,
 * quantizer state and init flags), optimizer state, progress counters and the run's config,
 * metrics and (from format 2) model record as text. Written atomically; every load is
 * bounds-checked; format 1 files (no record) load as before. */
#ifndef QB_CHECKPOINT_H
#define QB_CHECKPOINT_H

#include <stdint.h>

#include "net.h"
#include "optim/optim.h"

/* 2: the model record (run/record.h) follows the metrics; 1: without it, still read. */
#define CKPT_VERSION 2

typedef struct {
    int64_t epoch;       /* completed epochs */
    int64_t step;        /* completed iterations */
    uint64_t seed;
    char *config;        /* owned text (JSON), may be NULL */
    char *metrics;       /* owned text (JSON), may be NULL */
    char *record;        /* owned text (JSON): what rebuilds the network; NULL in format 1 */
    uint32_t version;    /* the file's format version (set by loading) */
} CkptMeta;

typedef enum {
    CKPT_RESUME,   /* everything must match: same net, same quantizers, optimizer state too */
    CKPT_WEIGHTS,  /* start from trained weights: checkpoint tensors must all fit the net; net
                      tensors absent from it may only be quantizer state (initialised anew) */
} CkptMode;

int checkpoint_save(const char *path, const Net *net, const Optimizer *opt, const CkptMeta *meta,
                    QbErr *err);
/* opt may be NULL (state not restored). meta may be NULL; otherwise its strings are
 * allocated here and freed by ckpt_meta_free. */
int checkpoint_load(const char *path, Net *net, Optimizer *opt, CkptMeta *meta, CkptMode mode,
                    QbErr *err);
/* The progress counters and the run's config and metrics alone, without a network: what
 * run produced a checkpoint (its strings freed by ckpt_meta_free). */
int checkpoint_read_meta(const char *path, CkptMeta *meta, QbErr *err);
void ckpt_meta_free(CkptMeta *meta);

#endif
