/* Arena: one aligned block carved by a bump pointer. A measuring arena (base NULL) only
 * counts, so a caller can run the same allocation sequence twice: once to size, once for real. */
#ifndef QB_ARENA_H
#define QB_ARENA_H

#include <stddef.h>

#include "err.h"

#define ARENA_ALIGN 64

typedef struct {
    char *base;   /* NULL while measuring */
    size_t cap;   /* bytes; unused while measuring */
    size_t used;  /* bytes handed out so far (aligned) */
} Arena;

/* A counting arena: arena_floats returns NULL but advances `used`. */
void arena_measure(Arena *a);
/* Allocates `bytes` (zeroed, pages touched once here) for real use. */
int arena_create(Arena *a, size_t bytes, QbErr *err);
/* Hands out n floats, 64-byte aligned. Overflowing a sized arena is a planning bug. */
float *arena_floats(Arena *a, size_t n);
void arena_free(Arena *a);

#endif
