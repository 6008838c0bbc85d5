#include "grow.h"

#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"

/* The typed pointer behind `items` is read and written through memcpy: every object pointer
 * converts to and from void * unchanged, and memcpy keeps the access free of aliasing
 * assumptions about T **. */
static void *items_get(const void *items)
{
    void *p;
    memcpy(&p, items, sizeof p);
    return p;
}

static void items_set(void *items, void *p) { memcpy(items, &p, sizeof p); }

int grow_reserve(void *items, int *cap, int need, size_t elem)
{
    if (need < 0 || elem == 0 || (size_t)need > SIZE_MAX / elem)
        return -1;
    if (need <= *cap)
        return 0;
    int ncap = *cap > 0 ? *cap : 8;
    while (ncap < need)
        ncap = ncap > INT_MAX / 2 ? INT_MAX : ncap * 2;
    if ((size_t)ncap > SIZE_MAX / elem)
        ncap = need;
    char *p = realloc(items_get(items), (size_t)ncap * elem);
    QB_ASSERT(p);
    memset(p + (size_t)*cap * elem, 0, (size_t)(ncap - *cap) * elem);
    items_set(items, p);
    *cap = ncap;
    return 0;
}

void *grow_push(void *items, int *n, int *cap, size_t elem)
{
    if (*n == INT_MAX || grow_reserve(items, cap, *n + 1, elem) < 0)
        return NULL;
    char *slot = (char *)items_get(items) + (size_t)(*n)++ * elem;
    memset(slot, 0, elem);
    return slot;
}

void grow_free(void *items, int *n, int *cap)
{
    free(items_get(items));
    items_set(items, NULL);
    *n = *cap = 0;
}
