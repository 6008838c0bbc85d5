/* Tables from fixture result files (no training): mean ± std over seeds, pending and failed
 * cells, the paired difference to the baseline with its interval (cut at the possible range,
 * or "no spread"), and the resolution line with the note on those marks. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "report/table.h"
#include "tests/support/hfix.h"
#include "rfix.h"

Test(table, seeds_failures_and_pending)
{
    Experiment e;
    CellList l;
    QbErr err = {{0}};
    char results[256], base[300], path[512];
    snprintf(results, sizeof results, "%s/res", hfix_dir());
    rfix_mkdir(results);
    rfix_load(hfix_experiment("rt", NULL), "", &e, &l);
    int lsq4 = 0;
    for (int i = 0; i < l.n; i++) {
        const Cell *c = &l.cells[i];
        if (!strcmp(c->scheme, "lsq") && c->bits == 4)   /* two seeds: 84 and 86 */
            rfix_result(results, &e, c, c->seed == 1 ? 84.0 : 86.0, RUN_OK), lsq4++;
        else if (!strcmp(c->scheme, "fp"))
            rfix_result(results, &e, c, 90.5, RUN_OK);
        else if (!strcmp(c->scheme, "asq") && c->seed == 1)
            rfix_result(results, &e, c, 0, RUN_DIVERGED);
    }
    cr_assert_eq(lsq4, 2);
    snprintf(base, sizeof base, "%s/rt-table", hfix_dir());
    int missing;
    cr_assert_eq(table_write(&e, &l, results, NULL, base, &missing, &err), 0, "%s", err.msg);
    /* lsq 2-bit x 2 seeds and asq seed 2 have no result */
    cr_assert_eq(missing, 3);
    snprintf(path, sizeof path, "%s.md", base);
    const char *md = rfix_slurp(path);
    cr_assert(strstr(md, "| 85.00 ± 1.41 |"), "%s", md);   /* mean and sample std */
    cr_assert(strstr(md, "| paper | 90.0 | 80.0 | 85.0 |"), "%s", md);
    cr_assert(strstr(md, "| 90.50 ± 0.00 |"), "%s", md);   /* fp column */
    cr_assert(strstr(md, "pending"), "%s", md);
    cr_assert(strstr(md, "failed: small_cnn_asq_4b_s1"), "%s", md);
    cr_assert(strstr(md, "| Other | paper only | 91.0 |"), "%s", md);
    cr_assert(strstr(md, "3 cell(s) pending"), "%s", md);
    cr_assert(!strstr(md, "(paired)"), "no baseline, no paired rows: %s", md);
    snprintf(path, sizeof path, "%s.csv", base);
    cr_assert(strstr(rfix_slurp(path),
                     "small_cnn,\"LSQ\",lsq,4,top1,85.0000,1.4142,2,0,0,85.00,,1.6e+10,"),
              "%s", rfix_slurp(path));
    snprintf(path, sizeof path, "%s.tex", base);
    const char *tex = rfix_slurp(path);
    cr_assert(strstr(tex, "\\toprule") && strstr(tex, "85.00 $\\pm$ 1.41"), "%s", tex);
    cells_free(&l);
    experiment_free(&e);
}

/* Three seeds, baseline lsq: the verdicts issue's example (rfix_example). */
Test(table, paired_difference_to_the_baseline_with_its_interval)
{
    RFix f;
    rfix_start(&f, "pd", "baseline: lsq", "[1, 2, 3]");
    rfix_example(f.results, &f.e, &f.l, 94.0);
    rfix_result(f.results, &f.e, rfix_cell(&f.l, "lsq", 2, 1), 80.0, RUN_OK);  /* no pair */
    const char *md = rfix_table(&f.e, &f.l, f.results, NULL, "pd-table");
    cr_assert(strstr(md, "| − lsq (paired) | – | – | +0.58 [-0.75, +1.91] n=3 |"), "%s", md);
    cr_assert(strstr(md, "half-width, 1.33 points here"), "%s", md);
    cr_assert(strstr(md, "n = 3 seeds"), "%s", md);
    const char *csv = rfix_table_file("pd-table", "csv");
    cr_assert(strstr(csv, ",lsq,3,0.5800,-0.7534,1.9134,"), "%s", csv);
    cr_assert(strstr(csv, "asq,2,top1,,,0,0,0,,,,,0,,,,"), "excluded: no pair: %s", csv);
    const char *tex = rfix_table_file("pd-table", "tex");
    cr_assert(strstr(tex, "+0.58 [-0.75, +1.91] n=3"), "%s", tex);
    rfix_end(&f);
}

Test(table, one_seed_shows_no_interval_never_zero)
{
    RFix f;
    rfix_start(&f, "one", "baseline: lsq", "[1]");
    rfix_result(f.results, &f.e, rfix_cell(&f.l, "lsq", 4, 1), 90.0, RUN_OK);
    rfix_result(f.results, &f.e, rfix_cell(&f.l, "asq", 4, 1), 90.5, RUN_OK);
    const char *md = rfix_table(&f.e, &f.l, f.results, NULL, "one-table");
    cr_assert(strstr(md, "+0.50 (n=1, no interval)"), "%s", md);
    cr_assert(strstr(md, "no interval exists and no difference is resolved"), "%s", md);
    cr_assert(!strstr(md, "±0.00") && !strstr(md, "[+0.50, +0.50]"), "%s", md);
    const char *csv = rfix_table_file("one-table", "csv");
    cr_assert(strstr(csv, ",lsq,1,0.5000,,,"), "%s", csv);
    rfix_end(&f);
}

/* asq − lsq at 4 bits: -20, -50, -80 (an interval below -100, cut and marked); at n = 2 with
 * equal differences, "no spread" instead of a zero-width interval; the note explains both. */
Test(table, intervals_cut_at_the_possible_range_and_no_spread_explained)
{
    RFix f;
    rfix_start(&f, "cut", "baseline: lsq", "[1, 2, 3]");
    const double asq[] = {75.0, 45.0, 15.0};
    for (int s = 1; s <= 3; s++) {
        rfix_result(f.results, &f.e, rfix_cell(&f.l, "lsq", 4, s), 95.0, RUN_OK);
        rfix_result(f.results, &f.e, rfix_cell(&f.l, "asq", 4, s), asq[s - 1], RUN_OK);
    }
    const char *md = rfix_table(&f.e, &f.l, f.results, NULL, "cut-table");
    cr_assert(strstr(md, "| − lsq (paired) | – | – | -50.00 [-100‡, +24.52] n=3 |"), "%s", md);
    cr_assert(strstr(md, "‡ marks a bound cut at ±100 points"), "%s", md);
    cr_assert(!strstr(md, "No spread:"), "nothing without spread: %s", md);
    cr_assert(strstr(rfix_table_file("cut-table", "csv"), ",lsq,3,-50.0000,-100.0000,24.5250,cut,"),
              "%s", rfix_table_file("cut-table", "csv"));
    cr_assert(strstr(rfix_table_file("cut-table", "tex"), "[-100$\\ddagger$, +24.52] n=3"), "%s",
              rfix_table_file("cut-table", "tex"));
    rfix_end(&f);

    rfix_start(&f, "nospread", "baseline: lsq", "[1, 2]");
    for (int s = 1; s <= 2; s++) {
        rfix_result(f.results, &f.e, rfix_cell(&f.l, "lsq", 4, s), 89.0 + s, RUN_OK);
        rfix_result(f.results, &f.e, rfix_cell(&f.l, "asq", 4, s), 89.5 + s, RUN_OK);
    }
    md = rfix_table(&f.e, &f.l, f.results, NULL, "nospread-table");
    cr_assert(strstr(md, "| +0.50 (n=2, no spread: no interval) |"), "%s", md);
    cr_assert(!strstr(md, "[+0.50, +0.50]"), "%s", md);
    cr_assert(strstr(md, "no cell's differences spread, so no interval exists"), "%s", md);
    cr_assert(strstr(md, "No spread: the per-seed differences are all equal"), "%s", md);
    cr_assert(!strstr(md, "‡"), "nothing cut: %s", md);
    cr_assert(strstr(rfix_table_file("nospread-table", "csv"), ",lsq,2,0.5000,,,no_spread,"), "%s",
              rfix_table_file("nospread-table", "csv"));
    rfix_end(&f);
}
