#include "curvefix.h"

#include <stdint.h>

/* Uniform in [-1, 1], a fixed function of t (splitmix64). */
static double hash_noise(int64_t t)
{
    uint64_t z = (uint64_t)t + 0x9e3779b97f4a7c15ULL;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    z ^= z >> 31;
    return (double)(z >> 11) / (double)(1ULL << 53) * 2.0 - 1.0;
}

void curvefix_fill(TrainCurve *c, int64_t steps, double start, double end, double noise)
{
    curve_init(c, steps);
    for (int64_t t = 0; t < steps; t++) {
        double loss = start + (end - start) * (double)t / (double)steps + noise * hash_noise(t);
        curve_add(c, t, loss, 100.0 - 100.0 * loss);
    }
}
