#include "rng.h"

#include <math.h>

/* splitmix64's finaliser: a bijective mix, so distinct counters never collide. */
static uint64_t mix64(uint64_t z)
{
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

Rng rng_stream(uint64_t seed, const char *name)
{
    uint64_t h = 0xcbf29ce484222325ULL; /* FNV-1a over the name */
    for (const char *p = name; *p; p++)
        h = (h ^ (unsigned char)*p) * 0x100000001b3ULL;
    Rng r = {mix64(seed * 0x9e3779b97f4a7c15ULL + h), 0};
    return r;
}

uint64_t rng_u64(Rng *r)
{
    return mix64(r->key + 0x9e3779b97f4a7c15ULL * ++r->counter);
}

float rng_uniform(Rng *r)
{
    return (float)(rng_u64(r) >> 40) * (1.0f / 16777216.0f);
}

uint32_t rng_below(Rng *r, uint32_t n)
{
    /* Lemire's multiply-shift; the bias for n < 2^32 is below 2^-32, irrelevant here. */
    return (uint32_t)(((rng_u64(r) >> 32) * (uint64_t)n) >> 32);
}

float rng_normal(Rng *r)
{
    double u1 = ((double)(rng_u64(r) >> 11) + 1.0) * (1.0 / 9007199254740993.0);
    double u2 = (double)(rng_u64(r) >> 11) * (1.0 / 9007199254740992.0);
    return (float)(sqrt(-2.0 * log(u1)) * cos(2.0 * M_PI * u2));
}
