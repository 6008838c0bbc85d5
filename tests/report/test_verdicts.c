/* `qbench verdicts FILE --method METHOD` (the end of `make compare`) on fixture results. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/verdicts.h"
#include "tests/support/hfix.h"
#include "rfix.h"

Test(verdicts, every_other_scheme_at_every_bit_width)
{
    RFix f;
    QbErr err = {{0}};
    rfix_start(&f, "vd", "baseline: lsq", "[1, 2, 3]");
    rfix_example(f.results, &f.e, &f.l, 80.0);
    char *text;
    size_t n;
    FILE *out = open_memstream(&text, &n);
    cr_assert_eq(verdicts_print(&f.e, &f.l, f.results, "asq", out, &err), 0, "%s", err.msg);
    fclose(out);
    cr_assert(strstr(text, "small_cnn 4-bit, asq − lsq: +0.58 [-0.75, +1.91] n=3: unresolved\n"),
              "%s", text);
    cr_assert(strstr(text, "small_cnn 4-bit, asq − fp: +9.41 ["), "%s", text);
    cr_assert(strstr(text, "n=3: better\n"), "%s", text);
    cr_assert(!strstr(text, "2-bit"), "asq has no 2-bit cell: %s", text);
    cr_assert(strstr(text, "asq: better in 1, worse in 0, unresolved in 1, missing in 0"), "%s",
              text);
    free(text);
    cr_assert_eq(verdicts_print(&f.e, &f.l, f.results, "pact", stdout, &err), -1);
    cr_assert(strstr(err.msg, "--method pact: not a quantized scheme of"), "%s", err.msg);
    rfix_end(&f);
}

/* asq − lsq: -20, -50, -80, its interval cut at -100 and marked (the header says what ‡
 * means); asq − fp: equal differences, no spread: unresolved, not "worse". */
Test(verdicts, cut_intervals_and_no_spread)
{
    RFix f;
    QbErr err = {{0}};
    rfix_start(&f, "vc", "baseline: lsq", "[1, 2, 3]");
    const double asq[] = {75.0, 45.0, 15.0};
    for (int s = 1; s <= 3; s++) {
        rfix_result(f.results, &f.e, rfix_cell(&f.l, "lsq", 4, s), 95.0, RUN_OK);
        rfix_result(f.results, &f.e, rfix_cell(&f.l, "asq", 4, s), asq[s - 1], RUN_OK);
        rfix_result(f.results, &f.e, rfix_cell(&f.l, "fp", 0, s), asq[s - 1] + 1, RUN_OK);
    }
    char *text;
    size_t n;
    FILE *out = open_memstream(&text, &n);
    cr_assert_eq(verdicts_print(&f.e, &f.l, f.results, "asq", out, &err), 0, "%s", err.msg);
    fclose(out);
    cr_assert(strstr(text, "‡ where cut at ±100 points"), "%s", text);
    cr_assert(strstr(text, "asq − lsq: -50.00 [-100‡, +24.52] n=3: unresolved\n"), "%s", text);
    cr_assert(strstr(text, "asq − fp: -1.00 (n=3, no spread: no interval): unresolved\n"), "%s",
              text);
    free(text);
    rfix_end(&f);
}

/* The summary line names the cells no verdict should be read from: a seed within 5 points of
 * chance (10 classes: below 15%), and a position whose gain over chance is under half the
 * best of its scheme's other bit-widths. */
Test(verdicts, cells_at_chance_or_far_below_are_named_in_the_summary)
{
    RFix f;
    QbErr err = {{0}};
    rfix_start(&f, "vdchance", "baseline: lsq", "[1, 2, 3]");
    rfix_example(f.results, &f.e, &f.l, 80.0);
    for (int s = 1; s <= 3; s++) /* lsq 2-bit broke on seed 2 only */
        rfix_result(f.results, &f.e, rfix_cell(&f.l, "lsq", 2, s), s == 2 ? 14.9 : 60.0, RUN_OK);
    char *text;
    size_t n;
    FILE *out = open_memstream(&text, &n);
    cr_assert_eq(verdicts_print(&f.e, &f.l, f.results, "asq", out, &err), 0, "%s", err.msg);
    fclose(out);
    cr_assert(strstr(text, "asq: better in 1, worse in 0, unresolved in 1, missing in 0 "
                           "comparisons; before reading them, suspect cells: lsq 2-bit seed 2: "
                           "14.9%, at chance: training probably broke.\n"), "%s", text);
    free(text);

    /* every seed at chance: one flag for the position; at 31% (gain 21 against 4-bit's 80.8)
     * far below; at 51% (gain 41) not */
    static const struct {
        double top1;
        const char *flag;
    } cases[] = {
        {9.8, "lsq 2-bit: 9.8% (all 3 seeds), at chance: training probably broke."},
        {31.0, "lsq 2-bit: 31.0%, far below its 4-bit 90.8%: training may have broken."},
        {51.0, NULL},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        for (int s = 1; s <= 3; s++)
            rfix_result(f.results, &f.e, rfix_cell(&f.l, "lsq", 2, s), cases[k].top1, RUN_OK);
        out = open_memstream(&text, &n);
        cr_assert_eq(verdicts_print(&f.e, &f.l, f.results, "asq", out, &err), 0, "%s", err.msg);
        fclose(out);
        if (cases[k].flag)
            cr_assert(strstr(text, cases[k].flag), "%g: %s", cases[k].top1, text);
        else
            cr_assert(strstr(text, "missing in 0 comparisons.\n"), "%g: %s", cases[k].top1, text);
        free(text);
    }
    rfix_end(&f);
}

/* A method whose cells have no results yet (a row added before its reference is measured):
 * every comparison is missing, none an error. */
Test(verdicts, a_method_without_results_is_pending)
{
    RFix f;
    QbErr err = {{0}};
    rfix_start(&f, "vp", "baseline: lsq", "[1, 2, 3]");
    for (int s = 1; s <= 3; s++) {
        rfix_result(f.results, &f.e, rfix_cell(&f.l, "lsq", 4, s), 95.0, RUN_OK);
        rfix_result(f.results, &f.e, rfix_cell(&f.l, "fp", 0, s), 96.0, RUN_OK);
    }
    char *text;
    size_t n;
    FILE *out = open_memstream(&text, &n);
    cr_assert_eq(verdicts_print(&f.e, &f.l, f.results, "asq", out, &err), 0, "%s", err.msg);
    fclose(out);
    cr_assert(strstr(text, "small_cnn 4-bit, asq − lsq: –: missing (cells pending)\n"), "%s",
              text);
    cr_assert(strstr(text, "asq: better in 0, worse in 0, unresolved in 0, missing in 2"), "%s",
              text);
    free(text);
    rfix_end(&f);
}
