#include "claimargs.h"

int claimargs_load(const ClaimArgs *a, ClaimSet *cs, QbErr *err)
{
    if (claims_load(cs, a->file, a->profile, err) < 0)
        return -1;
    if (a->seeds_max && claims_seeds_max(cs, a->seeds_max, err) < 0) {
        claims_free(cs);
        return -1;
    }
    return 0;
}
