#include "source_hashes.h"

SourceHashes source_hashes_built(void)
{
    return (SourceHashes){qb_method_source_hashes, qb_shared_quantizer_hash};
}

const MethodSourceHash *source_hash_of(const SourceHashes *h, const QuantizerOps *ops)
{
    for (const MethodSourceHash *m = h->methods; m->ops; m++)
        if (m->ops == ops)
            return m;
    return NULL;
}
