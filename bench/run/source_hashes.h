/* The code a cell's numbers come from, as it enters the cell's identity: per quantizer method,
 * a hash of the source file defining its QuantizerOps (and the method's own headers), one hash
 * of the shared quantizer code, and a version constant for the training core. The table is
 * generated at build time by bench/scripts/source-hashes.sh (rebuilt when a quantizer source
 * changes), so editing a method changes the ids of exactly the cells that use it and they
 * train again; a comment-only edit retrains too, which is the price of never reusing a stale
 * number. */
#ifndef QB_SOURCE_HASHES_H
#define QB_SOURCE_HASHES_H

#include "core/quantizer.h"

/* Bump when a change in bench/core (layers, optimizer, data pipeline, schedules) changes the
 * numbers training produces: it enters every cell's identity, full precision included. */
#define QB_CORE_NUMERICS_VERSION 2

typedef struct {
    const QuantizerOps *ops;    /* NULL ends the table */
    const char *file;           /* e.g. "lsq.c" */
    const char *hash;           /* 16 hex digits */
} MethodSourceHash;

typedef struct {
    const MethodSourceHash *methods;
    const char *shared;         /* hash of bench/core/quantizer.[ch], quantizers/qcommon.[ch] */
} SourceHashes;

extern const MethodSourceHash qb_method_source_hashes[];
extern const char qb_shared_quantizer_hash[];

/* The hashes this binary was built from. */
SourceHashes source_hashes_built(void);
/* The entry of a method, or NULL when its QuantizerOps is not in the table (defined in a way
 * the generator does not see). */
const MethodSourceHash *source_hash_of(const SourceHashes *h, const QuantizerOps *ops);

#endif
