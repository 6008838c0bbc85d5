/* Growable arrays: a typed pointer with its element count and capacity kept beside it
 * (`T *items; int n, cap;`), for lists whose length the input decides. Capacity doubles;
 * the element count and the byte size are checked so neither wraps, and new elements are
 * zeroed. Running out of memory is fatal (QB_ASSERT), as for every allocation in qbench;
 * an overflowing size is refused, so a caller can report the input that asked for it. The
 * owner of the pointer releases it with grow_free. */
#ifndef QB_GROW_H
#define QB_GROW_H

#include <stddef.h>

/* Room for at least `need` elements of `elem` bytes in *(T **)items, whose capacity is *cap:
 * 0, or -1 (nothing changed) when need is negative or need * elem bytes would overflow. */
int grow_reserve(void *items, int *cap, int need, size_t elem);
/* Appends one zeroed element and returns it (*n counts it); NULL when the count would
 * overflow. */
void *grow_push(void *items, int *n, int *cap, size_t elem);
/* Frees *(T **)items and sets it to NULL, *n and *cap to 0. */
void grow_free(void *items, int *n, int *cap);

/* The typed forms: p is the array lvalue, n and cap its count and capacity lvalues. */
#define GROW_RESERVE(p, cap, need) grow_reserve(&(p), &(cap), (need), sizeof *(p))
#define GROW_PUSH(p, n, cap) grow_push(&(p), &(n), &(cap), sizeof *(p))
#define GROW_FREE(p, n, cap) grow_free(&(p), &(n), &(cap))

#endif
