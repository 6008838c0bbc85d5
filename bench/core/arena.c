#include "arena.h"

#include <stdlib.h>
#include <string.h>

void arena_measure(Arena *a)
{
    a->base = NULL;
    a->cap = 0;
    a->used = 0;
}

int arena_create(Arena *a, size_t bytes, QbErr *err)
{
    size_t cap = (bytes + ARENA_ALIGN - 1) / ARENA_ALIGN * ARENA_ALIGN;
    a->used = 0;
    a->cap = cap;
    a->base = NULL;
    if (cap == 0)
        return 0;
    a->base = aligned_alloc(ARENA_ALIGN, cap);
    if (!a->base)
        return qb_fail(err, "out of memory: cannot allocate %zu MiB", cap >> 20);
    /* Touch every page now: a first touch costs ~10 us here, and it must not land in a step. */
    memset(a->base, 0, cap);
    return 0;
}

float *arena_floats(Arena *a, size_t n)
{
    size_t bytes = (n * sizeof(float) + ARENA_ALIGN - 1) / ARENA_ALIGN * ARENA_ALIGN;
    size_t at = a->used;
    a->used += bytes;
    if (!a->base)
        return NULL;
    QB_ASSERT(a->used <= a->cap);
    return (float *)(a->base + at);
}

void arena_free(Arena *a)
{
    free(a->base);
    a->base = NULL;
    a->cap = a->used = 0;
}
