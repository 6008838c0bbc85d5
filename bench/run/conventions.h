/* A network's quantizer conventions: one JSON entry per distinct (input, weight) quantizer
 * pair with the layers using it, each quantizer resolved to its method, version, bits, sign,
 * every option the method declares (explicit or default) and the hashes of the code computing
 * it. Cell ids hash it; checkpoints record it, so that an evaluation can tell whether the code
 * rebuilding a network is the code that trained it. */
#ifndef QB_CONVENTIONS_H
#define QB_CONVENTIONS_H

#include "core/net.h"
#include "source_hashes.h"

/* The conventions of net's quantizers as a JSON array (owned by the caller; "[]" when the
 * net has none). Every method in use must be in h (source_hash_of not NULL). */
char *conventions_json(const Net *net, const SourceHashes *h);

#endif
