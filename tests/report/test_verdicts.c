/* `report --verdicts METHOD` (the end of `make compare`) on fixture results. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../bench/report/verdicts.h"
#include "../support/hfix.h"
#include "rfix.h"

Test(verdicts, every_other_scheme_at_every_bit_width)
{
    Experiment e;
    CellList l;
    QbErr err = {{0}};
    char results[256];
    snprintf(results, sizeof results, "%s/res-verdicts", hfix_dir());
    rfix_load(rfix_experiment("vd", "baseline: lsq", "[1, 2, 3]"), "smoke", &e, &l);
    const double lsq[] = {90.09, 91.17, 91.23}, asq[] = {91.18, 91.80, 91.25};
    for (int s = 1; s <= 3; s++) {
        rfix_result(results, &e, rfix_cell(&l, "lsq", 4, s), lsq[s - 1], RUN_OK);
        rfix_result(results, &e, rfix_cell(&l, "asq", 4, s), asq[s - 1], RUN_OK);
        rfix_result(results, &e, rfix_cell(&l, "fp", 0, s), 80.0 + s, RUN_OK);
    }
    char *text;
    size_t n;
    FILE *out = open_memstream(&text, &n);
    cr_assert_eq(verdicts_print(&e, &l, results, "asq", out, &err), 0, "%s", err.msg);
    fclose(out);
    cr_assert(strstr(text, "small_cnn 4-bit, asq − lsq: +0.58 [-0.75, +1.91] n=3: unresolved\n"),
              "%s", text);
    cr_assert(strstr(text, "small_cnn 4-bit, asq − fp: +9.41 ["), "%s", text);
    cr_assert(strstr(text, "n=3: better\n"), "%s", text);
    cr_assert(!strstr(text, "2-bit"), "asq has no 2-bit cell: %s", text);
    cr_assert(strstr(text, "asq: better in 1, worse in 0, unresolved in 1, missing in 0"), "%s",
              text);
    free(text);
    cr_assert_eq(verdicts_print(&e, &l, results, "pact", stdout, &err), -1);
    cr_assert(strstr(err.msg, "--verdicts pact: not a quantized scheme of"), "%s", err.msg);
    cells_free(&l);
}
