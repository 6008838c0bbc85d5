/* Experiment files: what a good file resolves to, and one located error per kind of mistake. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "harness/experiment.h"
#include "tests/support/hfix.h"

Test(experiment, good_file_resolves_profile_over_top_level)
{
    Experiment e;
    QbErr err = {{0}};
    const char *path = hfix_experiment("good", NULL);
    cr_assert_eq(experiment_load(&e, path, "", &err), 0, "%s", err.msg);
    cr_assert_float_eq(e.base.lr, 0.05f, 1e-7);
    cr_assert_eq(e.nschemes, 3);
    cr_assert_eq(e.nseeds, 2);
    cr_assert_eq(e.npaper, 2);
    cr_assert_float_eq(paper_row_at(&e.paper[0], PAPER_TOP1, 4), 85.0, 1e-9);
    cr_assert(isnan(paper_row_at(&e.paper[0], PAPER_TOP1, 3)));
    experiment_free(&e);
    cr_assert_eq(experiment_load(&e, path, "smoke", &err), 0, "%s", err.msg);
    cr_assert_float_eq(e.base.lr, 0.02f, 1e-7);
    cr_assert_eq(e.base.epochs, 1);
    cr_assert(experiment_excluded(&e, "small_cnn", "asq", 2));
    cr_assert_not(experiment_excluded(&e, "small_cnn", "asq", 4));
    experiment_free(&e);
}

Test(experiment, unknown_profile_lists_the_defined_ones)
{
    Experiment e;
    QbErr err = {{0}};
    cr_assert_eq(experiment_load(&e, hfix_experiment("prof", NULL), "paper", &err), -1);
    cr_assert(strstr(err.msg, "no profile 'paper'") && strstr(err.msg, "smoke"), "%s", err.msg);
    cr_assert_null(strstr(err.msg, "did you mean"), "nothing near: %s", err.msg);
    experiment_free(&e);
    cr_assert_eq(experiment_load(&e, hfix_experiment("prof", NULL), "smoek", &err), -1);
    cr_assert(strstr(err.msg, "no profile 'smoek'; the file defines: smoke; did you mean 'smoke'?"),
              "%s", err.msg);
    experiment_free(&e);
}

/* A profile that extends another takes the other's settings, then its own over them. */
Test(experiment, a_profile_extends_another_and_overrides_it)
{
    Experiment e;
    QbErr err = {{0}};
    const char *path = hfix_experiment("ext", "  variant:\n"
                                              "    extends: smoke\n"
                                              "    description: a variant of smoke\n"
                                              "    matrix: {seeds: [7]}\n"
                                              "    train: {batch: 16}\n"
                                              "  variant2:\n"
                                              "    extends: variant\n"
                                              "    train: {lr: 0.03}\n");
    cr_assert_eq(experiment_load(&e, path, "variant2", &err), 0, "%s", err.msg);
    cr_assert_float_eq(e.base.lr, 0.03f, 1e-7);
    cr_assert_eq(e.base.batch, 16);
    cr_assert_eq(e.nseeds, 1);
    cr_assert_eq(e.seeds[0], 7);
    cr_assert_str_eq(e.profile_description, "a variant of smoke");
    experiment_free(&e);
    cr_assert_eq(experiment_load(&e, path, "variant", &err), 0, "%s", err.msg);
    cr_assert_float_eq(e.base.lr, 0.02f, 1e-7);
    experiment_free(&e);
}

Test(experiment, extending_an_unknown_profile_or_a_cycle_is_located)
{
    Experiment e;
    QbErr err = {{0}};
    const char *path = hfix_experiment("extbad", "  a:\n    extends: b\n  b:\n    extends: a\n"
                                                 "  c:\n    extends: smok\n");
    cr_assert_eq(experiment_load(&e, path, "a", &err), -1);
    cr_assert(strstr(err.msg, "extends") && strstr(err.msg, "cycle"), "%s", err.msg);
    experiment_free(&e);
    cr_assert_eq(experiment_load(&e, path, "c", &err), -1);
    cr_assert(strstr(err.msg, "profiles.c.extends") && strstr(err.msg, "another profile") &&
              strstr(err.msg, path), "%s", err.msg);
    experiment_free(&e);
}

/* Loads `text` and expects an error containing each of the NULL-terminated fragments. */
static void expect_error(const char *name, const char *text, const char *const *want)
{
    Experiment e;
    QbErr err = {{0}};
    const char *path = hfix_write(name, text);
    cr_assert_eq(experiment_load(&e, path, "", &err), -1, "%s loaded", name);
    experiment_free(&e);
    cr_assert(strstr(err.msg, path), "no file name in: %s", err.msg);
    for (const char *const *w = want; *w; w++)
        cr_assert(strstr(err.msg, *w), "'%s' not in: %s", *w, err.msg);
}

#define HEAD "name: t\ntitle: T\n"
#define MATRIX "matrix:\n  nets: [small_cnn]\n  schemes: [lsq]\n  bits: [4]\n"

Test(experiment, unknown_key_is_an_error_with_line_and_column)
{
    expect_error("unknown.yaml", HEAD MATRIX "train:\n  epocs: 3\n",
                 (const char *[]){":8:3:", "train.epocs", "unknown key", "epochs", NULL});
}

Test(experiment, wrong_type_names_the_field_path_with_index)
{
    expect_error("type.yaml", HEAD "matrix:\n  nets: [small_cnn]\n  schemes: [lsq]\n  bits: [4, 3, x]\n",
                 (const char *[]){":6:16:", "matrix.bits[2]", "expected an integer in [1, 32]", NULL});
}

/* The harness reads any width up to 32 bits; past that no layer computes. */
Test(experiment, bits_out_of_range)
{
    expect_error("range.yaml", HEAD "matrix:\n  nets: [small_cnn]\n  schemes: [lsq]\n  bits: [64]\n",
                 (const char *[]){"matrix.bits[0]", "[1, 32]", "'64'", NULL});
}

/* The method's own range (its min_bits/max_bits), located at the bit-width. */
Test(experiment, bits_outside_the_methods_range)
{
    expect_error("low.yaml", HEAD "matrix:\n  nets: [small_cnn]\n  schemes: [lsq]\n  bits: [4, 1]\n",
                 (const char *[]){":6:13:", "matrix.bits[1]", "lsq needs 2..8 bits", NULL});
    expect_error("high.yaml", HEAD "matrix:\n  nets: [small_cnn]\n  schemes: [lsq]\n  bits: [4, 9]\n",
                 (const char *[]){":6:13:", "matrix.bits[1]", "lsq needs 2..8 bits", "got 9", NULL});
}

/* Option values go through the registry's one checker: an overflowing int is located here,
 * not found later by the scheme. */
Test(experiment, overflowing_quantizer_option_is_located)
{
    expect_error("opt.yaml", HEAD MATRIX "quant:\n  options: {adapter_ratio: 99999999999999999999}\n",
                 (const char *[]){":8:28:", "quant.options.adapter_ratio", "expected int", NULL});
}

/* An override naming its scheme is checked against that scheme's methods where it stands. */
Test(experiment, override_bits_outside_its_schemes_range)
{
    expect_error("ovb.yaml", HEAD MATRIX "quant:\n  overrides:\n    - {pattern: conv1, scheme: lsq+post, bits: 2}\n",
                 (const char *[]){":9:48:", "quant.overrides[0].bits", "post needs", NULL});
}

Test(experiment, duplicate_key_names_both_lines)
{
    expect_error("dup.yaml", HEAD MATRIX "train:\n  lr: 0.1\n  lr: 0.2\n",
                 (const char *[]){":9:3:", "duplicate key", "line 8", NULL});
}

Test(experiment, missing_required_field)
{
    expect_error("missing.yaml", "name: t\n" MATRIX,
                 (const char *[]){"missing required key 'title'", NULL});
}

Test(experiment, zero_or_negative_epochs_and_huge_numbers)
{
    expect_error("zero.yaml", HEAD MATRIX "train:\n  epochs: 0\n",
                 (const char *[]){"train.epochs", "[1, 100000]", NULL});
    expect_error("neg.yaml", HEAD MATRIX "train:\n  epochs: -3\n",
                 (const char *[]){"train.epochs", NULL});
    expect_error("huge.yaml", HEAD MATRIX "train:\n  epochs: 99999999999999999999999\n",
                 (const char *[]){"train.epochs", "expected an integer", NULL});
    expect_error("hugelr.yaml", HEAD MATRIX "train:\n  lr: 1e400\n",
                 (const char *[]){"train.lr", "expected a number", NULL});
}

Test(experiment, unknown_scheme_and_network_list_the_known_ones)
{
    expect_error("scheme.yaml", HEAD "matrix:\n  nets: [small_cnn]\n  schemes: [lsq, lsqq]\n  bits: [4]\n",
                 (const char *[]){"matrix.schemes[1]", "unknown scheme 'lsqq'", "asq+post", NULL});
    expect_error("net.yaml", HEAD "matrix:\n  nets: [resnet21]\n  schemes: [lsq]\n  bits: [4]\n",
                 (const char *[]){"matrix.nets[0]", "unknown network", "resnet20", NULL});
}

Test(experiment, bad_indentation_is_a_syntax_error_with_position)
{
    expect_error("indent.yaml", HEAD "matrix:\n  nets: [small_cnn]\n schemes: [lsq]\n",
                 (const char *[]){"YAML syntax", ":5:", NULL});
}

Test(experiment, quoted_number_and_unknown_option_are_rejected)
{
    expect_error("quoted.yaml", HEAD MATRIX "train:\n  epochs: \"3\"\n",
                 (const char *[]){"train.epochs", NULL});
    expect_error("option.yaml", HEAD MATRIX "quant:\n  options: {levels: fancy}\n",
                 (const char *[]){"quant.options.levels", "default|codable", NULL});
    expect_error("option2.yaml", HEAD MATRIX "quant:\n  options: {colour: red}\n",
                 (const char *[]){"quant.options.colour", "unknown quantizer option", NULL});
}

Test(experiment, empty_file_and_non_mapping_root)
{
    expect_error("empty.yaml", "", (const char *[]){"empty file", NULL});
    expect_error("list.yaml", "- a\n- b\n", (const char *[]){"expected a mapping", NULL});
}

/* Lists the file decides the length of: 9 profiles, 49 paper rows (one at 16 bits), 33
 * exclusions, all kept whole; --set takes any number of settings. */
Test(experiment, long_lists_load_whole)
{
    static char text[16384];
    size_t n = (size_t)snprintf(text, sizeof text, HEAD MATRIX "  exclude:\n");
    for (int b = 1; b <= 33; b++)
        n += (size_t)snprintf(text + n, sizeof text - n, "    - {scheme: asq, bits: %d}\n",
                              b > 32 ? 2 : b);
    n += (size_t)snprintf(text + n, sizeof text - n, "paper:\n  source: s\n  rows:\n");
    for (int i = 0; i < 49; i++)
        n += (size_t)snprintf(text + n, sizeof text - n,
                              "    - {label: r%d, net: small_cnn, top1: {4: %d, 16: %d.5}}\n", i,
                              50 + i, 50 + i);
    n += (size_t)snprintf(text + n, sizeof text - n, "profiles:\n");
    for (int i = 0; i < 9; i++)
        n += (size_t)snprintf(text + n, sizeof text - n, "  p%d: {train: {lr: 0.0%d}}\n", i, i + 1);
    cr_assert_lt(n, sizeof text);
    const char *path = hfix_write("long.yaml", text);
    Experiment e;
    QbErr err = {{0}};
    cr_assert_eq(experiment_load(&e, path, "p8", &err), 0, "%s", err.msg);
    cr_assert_eq(e.nprofiles, 9);
    cr_assert_str_eq(e.profiles[8], "p8");
    cr_assert_float_eq(e.base.lr, 0.09f, 1e-7);
    cr_assert_eq(e.nexclude, 33);
    cr_assert_eq(e.npaper, 49);
    cr_assert_str_eq(e.paper[48].label, "r48");
    cr_assert_float_eq(paper_row_at(&e.paper[48], PAPER_TOP1, 4), 98.0, 1e-9);
    cr_assert_float_eq(paper_row_at(&e.paper[48], PAPER_TOP1, 16), 98.5, 1e-9);
    cr_assert(isnan(paper_row_at(&e.paper[48], PAPER_TOP5, 16)));
    for (int i = 0; i < 17; i++) {
        char set[64];
        snprintf(set, sizeof set, "train.epochs=%d", i + 1);
        cr_assert_eq(experiment_set(&e, set, &err), 0, "%s", err.msg);
    }
    cr_assert_eq(e.nsets, 17);
    cr_assert_str_eq(e.sets[16], "train.epochs=17");
    cr_assert_eq(e.base.epochs, 17);
    char big[1200];
    memset(big, '1', sizeof big);
    memcpy(big, "train.epochs=", 13);
    big[sizeof big - 1] = '\0';
    cr_assert_eq(experiment_set(&e, big, &err), -1, "a setting the description cannot record");
    cr_assert(strstr(err.msg, "too long for the profile's description"), "%s", err.msg);
    cr_assert_eq(e.nsets, 17);
    ExpName *names;
    int count;
    cr_assert_eq(experiment_profiles(path, &names, &count, &err), 0, "%s", err.msg);
    cr_assert_eq(count, 9);
    cr_assert_str_eq(names[8], "p8");
    free(names);
    experiment_free(&e);
    cr_assert_eq(e.nexclude + e.npaper + e.nprofiles + e.nsets, 0);
}

/* A copy owns its lists: growing its seeds or adding a setting leaves the original alone. */
Test(experiment, a_copy_changes_apart_from_its_original)
{
    Experiment e, c;
    QbErr err = {{0}};
    cr_assert_eq(experiment_load(&e, hfix_experiment("copy", NULL), "", &err), 0, "%s", err.msg);
    experiment_copy(&c, &e);
    cr_assert_eq(experiment_seed_count(&c, 9, &err), 0, "%s", err.msg);
    cr_assert_eq(experiment_set(&c, "train.lr=0.5", &err), 0, "%s", err.msg);
    cr_assert_eq(e.nseeds, 2);
    cr_assert_eq(c.nseeds, 9);
    cr_assert_eq(c.seeds[8], 9);
    cr_assert_eq(e.nsets, 0);
    cr_assert_float_eq(paper_row_at(&c.paper[0], PAPER_TOP1, 4), 85.0, 1e-9);
    cr_assert_neq(c.paper[0].at, e.paper[0].at);
    experiment_free(&c);
    cr_assert_float_eq(paper_row_at(&e.paper[0], PAPER_TOP1, 4), 85.0, 1e-9);
    experiment_free(&e);
}

/* --seeds N grows the list past any former bound (twenty seeds, the next ones after the last);
 * a count outside its range is refused, saying so. */
Test(experiment, seed_counts_grow_the_list_and_a_count_out_of_range_is_refused)
{
    Experiment e;
    QbErr err = {{0}};
    cr_assert_eq(experiment_load(&e, hfix_experiment("seeds", NULL), "", &err), 0, "%s", err.msg);
    cr_assert_eq(experiment_seed_count(&e, 20, &err), 0, "%s", err.msg);
    cr_assert_eq(e.nseeds, 20);
    cr_assert_eq(e.seeds[19], e.seeds[0] + 19);
    cr_assert_eq(experiment_seed_count(&e, EXP_SEED_COUNT_MAX + 1, &err), -1);
    cr_assert(strstr(err.msg, "expected 1..1048576 seeds"), "%s", err.msg);
    experiment_free(&e);
}
