/* Growable arrays: pushes keep earlier elements and zero the new one, reserve never
 * shrinks, sizes that would overflow are refused without touching the array, and free
 * leaves an empty array that grows again. */
#include <criterion/criterion.h>
#include <limits.h>
#include <stdint.h>

#include "core/grow.h"

typedef struct {
    char name[32];
    long long v;
} Item;

Test(grow, push_keeps_elements_and_zeroes_new_ones)
{
    Item *items = NULL;
    int n = 0, cap = 0;
    for (int i = 0; i < 1000; i++) {
        Item *it = GROW_PUSH(items, n, cap);
        cr_assert(it);
        cr_assert_eq(it->v, 0);
        cr_assert_eq(it->name[0], '\0');
        it->v = i * 3;
    }
    cr_assert_eq(n, 1000);
    cr_assert_geq(cap, 1000);
    for (int i = 0; i < n; i++)
        cr_assert_eq(items[i].v, i * 3, "element %d", i);
    GROW_FREE(items, n, cap);
    cr_assert_null(items);
    cr_assert_eq(n, 0);
    cr_assert_eq(cap, 0);
}

Test(grow, reserve_grows_to_need_and_never_shrinks)
{
    int *v = NULL, n = 0, cap = 0;
    cr_assert_eq(GROW_RESERVE(v, cap, 100), 0);
    cr_assert_geq(cap, 100);
    for (int i = 0; i < 100; i++)
        cr_assert_eq(v[i], 0);
    int before = cap;
    cr_assert_eq(GROW_RESERVE(v, cap, 3), 0);
    cr_assert_eq(cap, before);
    GROW_FREE(v, n, cap);
    cr_assert_not_null(GROW_PUSH(v, n, cap), "an emptied array grows again");
    GROW_FREE(v, n, cap);
}

Test(grow, overflowing_sizes_are_refused_unchanged)
{
    Item *items = NULL;
    int n = 0, cap = 0;
    cr_assert_not_null(GROW_PUSH(items, n, cap));
    Item *was = items;
    int was_cap = cap;
    cr_assert_eq(GROW_RESERVE(items, cap, -1), -1);
    cr_assert_eq(grow_reserve(&items, &cap, INT_MAX, SIZE_MAX / 2), -1);
    cr_assert_eq(items, was);
    cr_assert_eq(cap, was_cap);
    int full = INT_MAX;
    cr_assert_null(grow_push(&items, &full, &cap, sizeof *items), "a count at INT_MAX");
    cr_assert_eq(full, INT_MAX);
    GROW_FREE(items, n, cap);
}
