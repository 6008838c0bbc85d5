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
