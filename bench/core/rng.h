/* Counter-based random numbers: a stream is (key, counter), so any draw is reproducible from
 * the seed and a stream name alone, and changing one consumer never shifts another's draws. */
#ifndef QB_RNG_H
#define QB_RNG_H

#include <stdint.h>

typedef struct Rng {
    uint64_t key;
    uint64_t counter;
} Rng;

/* A stream derived from the run seed and a name ("init", "data", "augment", ...). */
Rng rng_stream(uint64_t seed, const char *name);
uint64_t rng_u64(Rng *r);
/* Uniform in [0, 1) with 24 random bits. */
float rng_uniform(Rng *r);
/* Uniform integer in [0, n). */
uint32_t rng_below(Rng *r, uint32_t n);
/* Standard normal (Box-Muller on two uniforms; both computed in double). */
float rng_normal(Rng *r);

#endif
