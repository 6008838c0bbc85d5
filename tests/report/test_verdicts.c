/* `report --verdicts METHOD` (the end of `make compare`) on fixture results. */
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
    cr_assert(strstr(err.msg, "--verdicts pact: not a quantized scheme of"), "%s", err.msg);
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
