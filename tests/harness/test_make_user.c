/* What a user meets through make before and after training: `make compare` runs the new
 * method's registry checks first and stops a method with a wrong gradient before anything
 * is generated; `make experiment` prints an experiment file's error once, naming the
 * registered methods with a did-you-mean; a progress line is printed once per count when
 * cells finish together; `make tables` renders only the profiles that have results and never
 * replaces a table with an empty one. */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "harness/cell.h"
#include "harness/result.h"
#include "run/run.h"
#include "tests/support/hfix.h"
#include "tests/support/shell.h"

/* make TARGET ARGS with bin as qbench (-o: never rebuilt by this make); its exit code, the
 * output in out. */
static int run_make(const char *bin, const char *args, char *out, size_t cap)
{
    char cmd[4096];
    snprintf(cmd, sizeof cmd, "env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make --no-print-directory "
             "-o %s BIN=%s %s", bin, bin, args);
    return shell_run(cmd, out, cap);
}

/* build/tests/fixtures/qbench-lsqflip, beside this test binary's folder: a qbench whose
 * registry also holds lsqflip (tests/fixtures/qbench_lsqflip.c). */
static const char *lsqflip_qbench(void)
{
    static char path[1024];
    char self[900];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    cr_assert_gt(n, 0);
    self[n] = '\0';
    snprintf(path, sizeof path, "%s/../fixtures/qbench-lsqflip", dirname(self));
    cr_assert_eq(access(path, X_OK), 0, "%s: not built (make test builds it)", path);
    return path;
}

Test(make_user, compare_stops_a_method_with_a_flipped_gradient_before_training, .timeout = 120)
{
    static char out[1 << 16];
    char args[600], dir[400];
    snprintf(args, sizeof args, "compare QUANTIZER=lsqflip PROFILE=smoke RESULTS=%s/flip",
             hfix_dir());
    cr_assert_eq(run_make(lsqflip_qbench(), args, out, sizeof out), 2, "%s", out);
    cr_assert(strstr(out, "make compare: QUANTIZER=lsqflip: lsqflip fails the registry checks "
                          "(quantizers/qcheck.h): lsqflip weights 2 bits: dL/dl.wq.step has the "
                          "wrong sign"), "%s", out);
    /* nothing was generated or trained */
    cr_assert(!strstr(out, "cells ->") && !strstr(out, "final top-1"), "%s", out);
    snprintf(dir, sizeof dir, "%s/flip", hfix_dir());
    cr_assert_neq(access(dir, F_OK), 0, "%s was created", dir);
    cr_assert_eq(access("build/compare/compare-lsqflip.yaml", F_OK), -1);
}

Test(make_user, compare_checks_a_sound_method_then_goes_on, .timeout = 120)
{
    static char out[1 << 16];
    char args[600];
    snprintf(args, sizeof args, "compare QUANTIZER=pact PROFILE=smoke PLAN=1 RESULTS=%s/pact",
             hfix_dir());
    cr_assert_eq(run_make(test_qbench_bin(), args, out, sizeof out), 0, "%s", out);
    /* the cells of the file make wrote: one more registered method, three more cells */
    Experiment e;
    QbErr err = {{0}};
    int cells;
    char want[128];
    cr_assert_eq(experiment_load(&e, "build/compare/compare-pact.yaml", "smoke", &err), 0, "%s",
                 err.msg);
    cr_assert_eq(cells_check(&e, &cells, &err), 0, "%s", err.msg);
    experiment_free(&e);
    cr_assert_geq(cells, 23, "the baselines of tables 2-5 with DSQ and QIL, at 2-4 bits");
    snprintf(want, sizeof want, "compare-pact (profile smoke): %d cells", cells);
    const char *passed = strstr(out, "pact passes the registry checks in all 7 of its role and "
                                     "bit-width cases"),
               *plan = strstr(out, want);
    cr_assert(passed && plan && passed < plan, "the checks come first: %s", out);
}

Test(make_user, an_experiment_error_is_printed_once_with_the_methods, .timeout = 60)
{
    static char out[1 << 16];
    char args[800];
    const char *exp = hfix_experiment("typo", NULL);
    char cmd[600];
    snprintf(cmd, sizeof cmd, "sed -i 's/schemes: \\[lsq, asq, fp\\]/schemes: [lsqq, asq, fp]/' %s",
             exp);
    cr_assert_eq(system(cmd), 0);
    snprintf(args, sizeof args, "experiment EXP=%s PROFILE=smoke RESULTS=%s/typo", exp,
             hfix_dir());
    cr_assert_neq(run_make(test_qbench_bin(), args, out, sizeof out), 0, "%s", out);
    cr_assert_eq(hfix_count(out, "unknown scheme 'lsqq'"), 1, "%s", out);
    cr_assert(strstr(out, "matrix.schemes[0]: unknown scheme 'lsqq'; expected fp, a scheme (lsq, "
                          "lsq+pot") &&
              strstr(out, "or a registered method (uniform, dorefa, pact, lsq, asq, pot, post, "
                          "apot, dsq, qil, lqnet, faq, daq); did you mean 'lsq'?"), "%s", out);
}

/* A finished result of cell c, written as a run writes it. */
static void fake_result(const char *results, const Experiment *e, const Cell *c, double top1)
{
    char path[1024];
    EpochRecord ep = {0, 0.1f, 0.5, 80.0, 0.6, top1, top1 + 5, 1.0, 100.0};
    RunResult r = {.status = RUN_OK, .epochs = &ep, .n_epochs = 1};
    QbErr err = {{0}};
    snprintf(path, sizeof path, "mkdir -p %s/%s", results, e->name);
    cr_assert_eq(system(path), 0);
    snprintf(path, sizeof path, "%s/%s/%s.json", results, e->name, c->id);
    cr_assert_eq(result_write(path, e, c, &c->cfg, &r, NULL, &err), 0, "%s", err.msg);
}

/* Two cells finishing together under make -j each ask for the progress line after both
 * results exist: only the newer one's line is printed, so the count appears once. */
Test(make_user, cells_finishing_together_print_one_progress_line)
{
    Experiment e;
    CellList l;
    QbErr err = {{0}};
    const char *file = hfix_experiment("prog", NULL);
    cr_assert_eq(experiment_load(&e, file, "smoke", &err), 0, "%s", err.msg);
    cr_assert_eq(cells_expand(&e, &l, &err), 0, "%s", err.msg);
    char results[300], paths[2][1024], args[2400], out[4096];
    snprintf(results, sizeof results, "%s/prog-res", hfix_dir());
    const Cell *cells[2] = {hfix_cell(&l, "lsq", 4, 1), hfix_cell(&l, "lsq", 2, 1)};
    time_t now = time(NULL);
    for (int i = 0; i < 2; i++) {
        fake_result(results, &e, cells[i], 50);
        snprintf(paths[i], sizeof paths[i], "%s/prog/%s.json", results, cells[i]->id);
        struct timespec t[2] = {{now - 10 + i, 0}, {now - 10 + i, 0}};
        cr_assert_eq(utimensat(AT_FDCWD, paths[i], t, 0), 0);
    }
    for (int i = 0; i < 2; i++) {
        snprintf(args, sizeof args, "progress %s --profile smoke --results %s --start %lld "
                 "--after %s", file, results, (long long)now - 60, paths[i]);
        cr_assert_eq(qbench_run(NULL, args, out, sizeof out), 0, "%s", out);
        if (i == 0)
            cr_assert_str_empty(out, "the older cell's line: %s", out);
        else
            cr_assert(strstr(out, "prog: 2/8 cells done (2 this run), 6 left"), "%s", out);
    }
    cells_free(&l);
    experiment_free(&e);
}

/* `make tables RESULTS=results extra` succeeds, says `said` (a format of results), and
 * leaves the table4.md the test put there untouched. */
static void tables_say(const char *results, const char *extra, const char *said)
{
    static char out[1 << 18];
    char args[600], want[1024], path[600], text[256];
    snprintf(args, sizeof args, "tables RESULTS=%s %s", results, extra);
    cr_assert_eq(run_make(test_qbench_bin(), args, out, sizeof out), 0, "%s", out);
    snprintf(want, sizeof want, said, results);
    cr_assert(strstr(out, want), "%s", out);
    snprintf(path, sizeof path, "%s/tables/table4.md", results);
    hfix_read(path, text, sizeof text);
    cr_assert_str_eq(text, "a table with results\n");
}

Test(make_user, tables_render_profiles_with_results_and_keep_full_tables, .timeout = 120)
{
    Experiment e;
    CellList l;
    QbErr err = {{0}};
    char results[300], path[1024];
    snprintf(results, sizeof results, "%s/tables-res", hfix_dir());
    cr_assert_eq(experiment_load(&e, "experiments/table4.yaml", "smoke", &err), 0, "%s", err.msg);
    cr_assert_eq(cells_expand(&e, &l, &err), 0, "%s", err.msg);
    for (int i = 0; i < l.n; i++) /* smoke-only work */
        fake_result(results, &e, &l.cells[i], 60 + i);
    int cells = l.n;
    cells_free(&l);
    snprintf(path, sizeof path, "mkdir -p %s/tables && echo 'a table with results' > "
             "%s/tables/table4.md", results, results);
    cr_assert_eq(system(path), 0);

    snprintf(path, sizeof path, "%%s/tables/table4-smoke.md, .tex, .csv written (%d of %d "
             "cells have results)", cells, cells);
    tables_say(results, "", path);
    snprintf(path, sizeof path, "%s/tables/table4-paper.md", results);
    cr_assert_neq(access(path, F_OK), 0, "an empty paper table was written");
    /* the profile asked for has no results: said, nothing written, no failure */
    tables_say(results, "PROFILE=quick", "experiments/table4.yaml (profile quick): no results "
               "under %s/table4/, so no table");
    experiment_free(&e);
}

/* A file without the profile asked for is skipped, and an explicit --out with no result
 * present keeps the table that is there. */
Test(make_user, report_skips_a_missing_profile_and_keeps_a_table_over_no_results)
{
    char out[4096], args[1200], base[400], text[256];
    const char *file = hfix_experiment("noquick", NULL);
    snprintf(args, sizeof args, "tables %s --results %s/none --profile quick", file,
             hfix_dir());
    cr_assert_eq(qbench_run(NULL, args, out, sizeof out), 0, "%s", out);
    cr_assert(strstr(out, "noquick.yaml: no profile quick, so no table of it"), "%s", out);
    snprintf(base, sizeof base, "%s/kept", hfix_dir());
    snprintf(args, sizeof args, "echo 'a table with results' > %s.md", base);
    cr_assert_eq(system(args), 0);
    snprintf(args, sizeof args, "report %s --profile smoke --results %s/none --out %s", file,
             hfix_dir(), base);
    cr_assert_eq(qbench_run(NULL, args, out, sizeof out), 0, "%s", out);
    cr_assert(strstr(out, "kept.md kept: none of its 8 cells has a result"), "%s", out);
    snprintf(args, sizeof args, "%s.md", base);
    hfix_read(args, text, sizeof text);
    cr_assert_str_eq(text, "a table with results\n");
}
