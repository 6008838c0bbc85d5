#include "inttest.h"

#include <criterion/criterion.h>

#include "core/rng.h"
#include "quantizers/registry.h"

IntBook inttest_book(const char *method, int bits)
{
    IntBook b;
    QbErr err = {{0}};
    cr_assert_eq(int_book_build(&b, quantizer_find(method), bits, NULL, 0, &err), 0, "%s %d: %s",
                 method, bits, err.msg);
    return b;
}

void inttest_random(IntWeights *w, uint8_t *a, const IntBook *b, int k, int n, int abits,
                    uint64_t seed)
{
    Rng r = rng_stream(seed, "inttest");
    int_weights_alloc(w, k, n);
    for (size_t i = 0; i < (size_t)k * n; i++) {
        w->code[i] = (uint8_t)rng_below(&r, (uint32_t)b->nmag);
        w->sign[i] = (int8_t)(w->code[i] ? (rng_below(&r, 2) ? 1 : -1) : 0);
    }
    for (int c = 0; c < k; c++)
        w->scale[c] = 0.5 + rng_uniform(&r);
    for (int i = 0; i < n; i++)
        a[i] = (uint8_t)rng_below(&r, 1u << abits);
}
