/* Result files and the tables made from them (fixture results, no training). */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "../../bench/harness/result.h"
#include "../../bench/report/table.h"
#include "hfix.h"

static char *slurp(const char *path)
{
    static char text[65536];
    FILE *f = fopen(path, "r");
    cr_assert(f, "cannot open %s", path);
    text[fread(text, 1, sizeof text - 1, f)] = '\0';
    fclose(f);
    return text;
}

/* A fake finished run with one epoch at `top1`. */
static void fake_result(const char *results, const Experiment *e, const Cell *c, double top1,
                        RunStatus status)
{
    EpochRecord ep = {0, 0.1f, 0.5, 80.0, 0.6, top1, top1 + 5, 1.0, 100.0};
    RunResult r = {0};
    r.status = status;
    snprintf(r.reason, sizeof r.reason, "%s", status == RUN_DIVERGED ? "non-finite loss" : "");
    r.epochs = &ep;
    r.n_epochs = 1;
    r.bitops = 1e9 * (c->bits ? c->bits * c->bits : 1024);
    char path[512];
    snprintf(path, sizeof path, "%s/%s/%s.json", results, e->name, c->id);
    QbErr err = {{0}};
    cr_assert_eq(result_write(path, e, c, &c->cfg, &r, NULL, &err), 0, "%s", err.msg);
}

Test(result_table, round_trip_and_table_with_seeds_failures_and_pending)
{
    Experiment e;
    CellList l;
    QbErr err = {{0}};
    char results[256], cmd[300];
    snprintf(results, sizeof results, "%s/res", hfix_dir());
    snprintf(cmd, sizeof cmd, "mkdir -p %s/rt", results);
    cr_assert_eq(system(cmd), 0);
    cr_assert_eq(experiment_load(&e, hfix_experiment("rt", NULL), "", &err), 0, "%s", err.msg);
    cr_assert_eq(cells_expand(&e, &l, &err), 0, "%s", err.msg);
    int lsq4 = 0;
    for (int i = 0; i < l.n; i++) {
        const Cell *c = &l.cells[i];
        if (!strcmp(c->scheme, "lsq") && c->bits == 4)   /* two seeds: 84 and 86 */
            fake_result(results, &e, c, c->seed == 1 ? 84.0 : 86.0, RUN_OK), lsq4++;
        else if (!strcmp(c->scheme, "fp"))
            fake_result(results, &e, c, 90.5, RUN_OK);
        else if (!strcmp(c->scheme, "asq") && c->seed == 1)
            fake_result(results, &e, c, 0, RUN_DIVERGED);
    }
    cr_assert_eq(lsq4, 2);
    char path[512];
    snprintf(path, sizeof path, "%s/rt/%s.json", results, l.cells[0].id);
    ResultSummary s;
    cr_assert_eq(result_read(path, &s, &err), 0, "%s", err.msg);
    char base[300];
    snprintf(base, sizeof base, "%s/rt-table", hfix_dir());
    int missing;
    cr_assert_eq(table_write(&e, &l, results, base, &missing, &err), 0, "%s", err.msg);
    /* lsq 2-bit x 2 seeds and asq seed 2 have no result */
    cr_assert_eq(missing, 3);
    snprintf(path, sizeof path, "%s.md", base);
    const char *md = slurp(path);
    cr_assert(strstr(md, "| 85.00 ± 1.41 |"), "%s", md);   /* mean and sample std */
    cr_assert(strstr(md, "| +0.00 |"), "%s", md);          /* 85.0 - paper 85.0 */
    cr_assert(strstr(md, "| 90.50 ± 0.00 |"), "%s", md);   /* fp column */
    cr_assert(strstr(md, "pending"), "%s", md);
    cr_assert(strstr(md, "failed: small_cnn_asq_4b_s1"), "%s", md);
    cr_assert(strstr(md, "| Other | paper only | 91.0 |"), "%s", md);
    cr_assert(strstr(md, "3 cell(s) pending"), "%s", md);
    snprintf(path, sizeof path, "%s.csv", base);
    cr_assert(strstr(slurp(path), "small_cnn,\"LSQ\",lsq,4,top1,85.0000,1.4142,2,0,0,85.00,0.00,"),
              "%s", slurp(path));
    snprintf(path, sizeof path, "%s.tex", base);
    const char *tex = slurp(path);
    cr_assert(strstr(tex, "\\toprule") && strstr(tex, "85.00 $\\pm$ 1.41"), "%s", tex);
    cells_free(&l);
}

Test(result_table, half_written_result_is_an_error_naming_it)
{
    QbErr err = {{0}};
    ResultSummary s;
    const char *path = hfix_write("half.json", "{\"format\": \"qbench-result\", \"status\": \"o");
    cr_assert_eq(result_read(path, &s, &err), -1);
    cr_assert(strstr(err.msg, "half.json:1:"), "%s", err.msg);
    path = hfix_write("other.json", "{\"format\": \"something\"}");
    cr_assert_eq(result_read(path, &s, &err), -1);
    cr_assert(strstr(err.msg, "not a qbench result file"), "%s", err.msg);
}
