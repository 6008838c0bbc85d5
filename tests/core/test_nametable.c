/* The name-table helper: lookups, joins and suggestions over each shape of table it reads
 * (structs, pointers to structs, names, a list ending in a NULL name), and filtering. */
#include <criterion/criterion.h>
#include <string.h>

#include "core/nametable.h"

typedef struct {
    int weight;
    const char *name;
    const char *help;
} Fruit;

static const Fruit fruits[] = {
    {3, "apple", "red"}, {1, "banana", "yellow"}, {2, NULL, "unnamed"}, {5, "cherry", "dark"},
};
static const Fruit *const fruit_ptrs[] = {&fruits[3], &fruits[0]};
static const char *const colours[] = {"red", "green", "blue", NULL};
static const Fruit fruit_list[] = {{1, "fig", ""}, {2, "kiwi", ""}, {0, NULL, NULL}, {9, "x", ""}};

static NameTable fruit_table(void) { return NAMETABLE(fruits, Fruit, name); }

Test(nametable, finds_by_exact_name_and_skips_unnamed_entries)
{
    NameTable t = fruit_table();
    cr_assert_eq(nametable_find(t, "cherry"), &fruits[3]);
    cr_assert_eq(nametable_index(t, "banana"), 1);
    cr_assert_null(nametable_find(t, "Cherry"));
    cr_assert_null(nametable_find(t, "cherr"));
    cr_assert_null(nametable_find(t, NULL));
    cr_assert_eq(nametable_size(t), 3);
    cr_assert_null(nametable_name(t, 2));
    cr_assert_null(nametable_entry(t, 4));
    cr_assert_str_eq(nametable_name(t, 3), "cherry");
}

Test(nametable, joins_with_a_separator_and_a_last_one)
{
    char out[64];
    NameTable t = fruit_table();
    cr_assert_eq(nametable_join(t, ", ", NULL, out, sizeof out), strlen("apple, banana, cherry"));
    cr_assert_str_eq(out, "apple, banana, cherry");
    nametable_join(t, ", ", " or ", out, sizeof out);
    cr_assert_str_eq(out, "apple, banana or cherry");
    nametable_join(NAMETABLE_STRINGS(colours), "|", NULL, out, sizeof out);
    cr_assert_str_eq(out, "red|green|blue");
}

Test(nametable, join_reports_the_length_it_needs_when_cut)
{
    char out[8];
    size_t need = nametable_join(fruit_table(), ", ", NULL, out, sizeof out);
    cr_assert_eq(need, strlen("apple, banana, cherry"));
    cr_assert_str_eq(out, "apple, ");
    cr_assert_eq(nametable_join(fruit_table(), ", ", NULL, NULL, 0), need);
}

Test(nametable, reads_pointer_tables_and_lists_ending_in_a_null_name)
{
    char out[64];
    NameTable p = NAMETABLE_POINTERS(fruit_ptrs, Fruit, name);
    cr_assert_eq(nametable_find(p, "apple"), &fruits[0]);
    cr_assert_eq(nametable_entry(p, 0), &fruits[3]);
    nametable_join(p, ", ", NULL, out, sizeof out);
    cr_assert_str_eq(out, "cherry, apple");
    NameTable l = NAMETABLE_LIST(fruit_list, Fruit, name);
    cr_assert_eq(nametable_size(l), 2);
    cr_assert_null(nametable_find(l, "x"), "the list ends at its NULL name");
    cr_assert_null(nametable_name(l, 3));
    NameTable none = NAMETABLE_LIST((const Fruit *)NULL, Fruit, name);
    cr_assert_eq(nametable_size(none), 0);
    cr_assert_eq(nametable_join(none, ", ", NULL, out, sizeof out), 0);
    cr_assert_str_eq(out, "");
}

Test(nametable, reads_fixed_size_texts)
{
    char names[4][8] = {"quick", "smoke", "paper", "unused"};
    NameTable t = NAMETABLE_TEXTS(names, 3);
    char out[32];
    cr_assert_eq(nametable_index(t, "paper"), 2);
    cr_assert_eq(nametable_find(t, "smoke"), names[1]);
    cr_assert_null(nametable_find(t, "unused"), "only the first n count");
    nametable_join(t, ", ", NULL, out, sizeof out);
    cr_assert_str_eq(out, "quick, smoke, paper");
    nametable_suggest(t, "smoek", out, sizeof out);
    cr_assert_str_eq(out, "; did you mean 'smoke'?");
}

static int heavy(const void *entry, const void *ctx)
{
    return ((const Fruit *)entry)->weight >= *(const int *)ctx;
}

Test(nametable, keeps_only_the_entries_its_filter_keeps)
{
    char out[64];
    int min = 3;
    NameTable t = fruit_table();
    t.keep = heavy, t.ctx = &min;
    cr_assert_null(nametable_find(t, "banana"));
    cr_assert_eq(nametable_find(t, "apple"), &fruits[0]);
    cr_assert(!nametable_has(t, 1) && nametable_has(t, 3));
    nametable_join(t, ", ", " and ", out, sizeof out);
    cr_assert_str_eq(out, "apple and cherry");
    nametable_suggest(t, "banan", out, sizeof out);
    cr_assert_str_eq(out, "", "a filtered-out name is never suggested");
}

Test(nametable, suggests_the_nearest_name_within_the_cutoff)
{
    char out[96];
    NameTable t = fruit_table();
    nametable_suggest(t, "bananna", out, sizeof out);
    cr_assert_str_eq(out, "; did you mean 'banana'?");
    nametable_suggest(t, "chery", out, sizeof out);
    cr_assert_str_eq(out, "; did you mean 'cherry'?");
    nametable_suggest(t, "APPLE", out, sizeof out);
    cr_assert_str_eq(out, "; did you mean 'apple'? (names are case-sensitive)");
    /* 1 + len/3 edits: 'grape' is 4 edits from 'apple' and allows 2 */
    nametable_suggest(t, "grape", out, sizeof out);
    cr_assert_str_eq(out, "");
    nametable_suggest(t, "", out, sizeof out);
    cr_assert_str_eq(out, "");
}

Test(nametable, suggests_across_tables)
{
    char out[96];
    NameTable ts[] = {fruit_table(), NAMETABLE_STRINGS(colours)};
    nametable_suggest_any(ts, 2, "gren", out, sizeof out);
    cr_assert_str_eq(out, "; did you mean 'green'?");
    nametable_suggest_any(ts, 2, "aple", out, sizeof out);
    cr_assert_str_eq(out, "; did you mean 'apple'?");
}

Test(nametable, unknown_names_what_was_expected_and_the_nearest)
{
    char out[160];
    nametable_unknown(fruit_table(), "fruit", "bananna", out, sizeof out);
    cr_assert_str_eq(out, "unknown fruit 'bananna'; expected one of: apple, banana, cherry; "
                          "did you mean 'banana'?");
    nametable_unknown(fruit_table(), "fruit", "kumquat", out, sizeof out);
    cr_assert_str_eq(out, "unknown fruit 'kumquat'; expected one of: apple, banana, cherry");
}
