/* A results directory with damaged result files, through `qbench report`: a half-written
 * file, an empty one, zeros, another format. A leftover temp file of an interrupted atomic
 * write is not a result and is ignored. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bad.h"

TestSuite(badresults, .init = bad_setup, .fini = bad_teardown);

static const char result_ok[] =
    "{\n  \"format\": \"qbench-result\",\n  \"format_version\": 1,\n  \"status\": \"ok\",\n"
    "  \"best\": {\"epoch\": 1, \"test_top1\": 91.5, \"test_top5\": 99.5},\n"
    "  \"final\": {\"epoch\": 1, \"test_top1\": 91.5, \"test_top5\": 99.5},\n"
    "  \"epochs\": [{\"epoch\": 1, \"test_top1\": 91.5}]\n}\n";

/* A one-cell experiment in bad_dir; returns its cell's result path under results/. */
static void one_cell(char *exp, char *result, size_t cap)
{
    static const char yaml[] = "name: badres\ntitle: \"one cell\"\n"
                               "matrix: {nets: [small_cnn], schemes: [fp]}\n"
                               "train: {data: synth, input: 1x8x8, epochs: 1, from: none}\n";
    bad_path(exp, cap, "badres.yaml", 0);
    bad_write(exp, yaml, strlen(yaml));
    char id[1][128];
    cr_assert_eq(bad_cells(exp, id, 1), 1);
    char dir[256];
    bad_path(dir, sizeof dir, "results", 1);
    bad_path(dir, sizeof dir, "results/badres", 1);
    snprintf(result, cap, "%.255s/%.127s.json", dir, id[0]);
}

static void report_expect(const char *what, const char *exp, const char *file, const char *expect)
{
    char args[1400];
    snprintf(args, sizeof args, "report %s --results %s/results --out %s/table", exp, bad_dir,
             bad_dir);
    bad_expect(what, args, file, expect);
}

Test(badresults, valid_result_reports)
{
    char exp[512], result[512], args[1400];
    one_cell(exp, result, sizeof exp);
    bad_write(result, result_ok, strlen(result_ok));
    snprintf(args, sizeof args, "report %s --results %s/results --out %s/table", exp, bad_dir,
             bad_dir);
    bad_expect_ok("valid result", args);
}

Test(badresults, half_written_empty_and_foreign_results)
{
    char exp[512], result[512], where[600];
    one_cell(exp, result, sizeof exp);
    bad_write(result, result_ok, 90);
    snprintf(where, sizeof where, "%s:5:19:", result);
    report_expect("half-written", exp, where, "':' expected");
    bad_write(result, result_ok, 0);
    snprintf(where, sizeof where, "%s:1:1:", result);
    report_expect("empty", exp, where, "unexpected token");
    static const char zeros[64];
    bad_write(result, zeros, sizeof zeros);
    report_expect("zeros", exp, result, "NUL byte");
    bad_write(result, "{\"format\": \"other\"}", 19);
    report_expect("another format", exp, result, "not a qbench result file");
    static const char no_metrics[] =
        "{\"format\": \"qbench-result\", \"format_version\": 1, \"status\": \"ok\"}";
    bad_write(result, no_metrics, strlen(no_metrics));
    report_expect("ok without metrics", exp, result, "status ok but no final/best metrics");
}

/* Best and final that contradict the file's epochs, which peak at the second. */
Test(badresults, best_or_final_epoch_that_contradicts_the_epochs_is_named)
{
    static const struct {
        int best, final;
        const char *what, *expect;
    } cases[] = {
        {1, 3, "best epoch not the best", "best.epoch is 1, but epoch 2 has the highest test_top1 "
                                          "of its epochs (90.6)"},
        {2, 2, "final epoch not the last", "final.epoch is 2, but the file has 3 epochs"},
    };
    static const double top1[] = {76.8, 90.6, 72.6};
    char exp[512], result[512], text[1024];
    one_cell(exp, result, sizeof exp);
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        snprintf(text, sizeof text, "{\"format\": \"qbench-result\", \"format_version\": 1, "
                 "\"status\": \"ok\", \"best\": {\"epoch\": %d, \"test_top1\": %g}, "
                 "\"final\": {\"epoch\": %d, \"test_top1\": %g}, \"epochs\": [{\"epoch\": 1, "
                 "\"test_top1\": %g}, {\"epoch\": 2, \"test_top1\": %g}, {\"epoch\": 3, "
                 "\"test_top1\": %g}]}", cases[i].best, top1[cases[i].best - 1], cases[i].final,
                 top1[cases[i].final - 1], top1[0], top1[1], top1[2]);
        bad_write(result, text, strlen(text));
        report_expect(cases[i].what, exp, result, cases[i].expect);
    }
}

Test(badresults, leftover_temp_file_is_not_a_result)
{
    char exp[512], result[512], tmp[600], args[1400];
    one_cell(exp, result, sizeof exp);
    snprintf(tmp, sizeof tmp, "%s.12345.tmp", result);
    bad_write(tmp, result_ok, 50);
    snprintf(args, sizeof args, "report %s --results %s/results --out %s/table", exp, bad_dir,
             bad_dir);
    bad_expect_ok("temp file only", args);
}
