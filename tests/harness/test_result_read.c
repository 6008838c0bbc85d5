/* result_read on hostile result files (regressions found by fuzzing, tests/fuzz/fuzz_json.c)
 * and the convergence record a run writes. */
#include <criterion/criterion.h>
#include <string.h>

#include "harness/result.h"
#include "tests/support/curvefix.h"
#include "tests/support/hfix.h"

#define RESULT_HEAD "{\"format\": \"qbench-result\", \"format_version\": 1, \"status\": \"ok\", " \
                    "\"final\": {\"test_top1\": 90}, "

/* best.epoch becomes an int: a value past int's range was undefined behaviour. */
Test(result_read, best_epoch_out_of_int_range_is_an_error_naming_it)
{
    static const char *const bad[] = {"2.2e32", "-1", "1.5"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        char text[256];
        QbErr err = {{0}};
        ResultSummary s;
        snprintf(text, sizeof text, RESULT_HEAD "\"best\": {\"epoch\": %s, \"test_top1\": 91}}",
                 bad[i]);
        const char *path = hfix_write("best-epoch.json", text);
        cr_expect_eq(result_read(path, &s, &err), -1, "best.epoch %s accepted", bad[i]);
        cr_expect(strstr(err.msg, "best-epoch.json") && strstr(err.msg, "best.epoch"), "%s",
                  err.msg);
    }
}

/* A number past double's range is a syntax error of the file, located by the JSON reader. */
Test(result_read, overflowing_number_is_a_located_error)
{
    QbErr err = {{0}};
    ResultSummary s;
    const char *path = hfix_write("best-epoch-inf.json",
                                  RESULT_HEAD "\"best\": {\"epoch\": 1e999, \"test_top1\": 91}}");
    cr_expect_eq(result_read(path, &s, &err), -1, "best.epoch 1e999 accepted");
    cr_expect(strstr(err.msg, "best-epoch-inf.json:1:116: real number overflow"), "%s", err.msg);
}

Test(result_read, best_epoch_in_range_is_read)
{
    QbErr err = {{0}};
    ResultSummary s;
    const char *path = hfix_write("best-epoch-ok.json",
                                  RESULT_HEAD "\"best\": {\"epoch\": 3, \"test_top1\": 91}}");
    cr_assert_eq(result_read(path, &s, &err), 0, "%s", err.msg);
    cr_assert_eq(s.best_epoch, 3);
    cr_assert_float_eq(s.best_top1, 91.0, 0.0);
}

Test(result_read, half_written_result_is_an_error_naming_it)
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

/* Files made before budgets existed have no "budget": they trained the profile's length. */
Test(result_read, a_result_without_a_budget_reads_as_1x)
{
    QbErr err = {{0}};
    ResultSummary s;
    const char *path = hfix_write("no-budget.json",
                                  RESULT_HEAD "\"best\": {\"epoch\": 0, \"test_top1\": 91}}");
    cr_assert_eq(result_read(path, &s, &err), 0, "%s", err.msg);
    cr_assert_eq(s.budget, 1);
}

/* A budget that is no whole multiple 1..EXP_BUDGET_MAX, or no number at all, is an error
 * naming the file and the field, never read as some budget. */
Test(result_read, a_budget_that_is_no_whole_multiple_is_an_error_naming_the_file)
{
    static const char *const bad[] = {"2.5", "0", "-3", "1001", "\"3\"", "null", "[3]"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        char text[256];
        QbErr err = {{0}};
        ResultSummary s;
        snprintf(text, sizeof text, RESULT_HEAD "\"budget\": %s, "
                 "\"best\": {\"epoch\": 0, \"test_top1\": 91}}", bad[i]);
        const char *path = hfix_write("bad-budget.json", text);
        cr_expect_eq(result_read(path, &s, &err), -1, "budget %s accepted", bad[i]);
        cr_expect(strstr(err.msg, "bad-budget.json: budget") &&
                  strstr(err.msg, "is not a whole multiple 1..1000"), "budget %s: %s", bad[i],
                  err.msg);
    }
}
/* A result file's convergence: absent (written before training curves) reads as not recorded;
 * a recorded verdict is read back; an unknown or missing verdict is an error naming the field. */
Test(result_read, convergence_absent_recorded_or_malformed)
{
    static const struct {
        const char *field;
        int verdict;       /* -1: an error */
    } cases[] = {
        {"", CONV_NOT_RECORDED},
        {"\"convergence\": {\"verdict\": \"unconverged\"}, ", CONV_UNCONVERGED},
        {"\"convergence\": {\"verdict\": \"converged\"}, ", CONV_CONVERGED},
        {"\"convergence\": {\"verdict\": \"not recorded\"}, ", CONV_NOT_RECORDED},
        {"\"convergence\": {\"verdict\": \"converging\"}, ", -1},
        {"\"convergence\": {\"rule\": \"r\"}, ", -1},
        {"\"convergence\": {\"verdict\": 1}, ", -1},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char text[512];
        QbErr err = {{0}};
        ResultSummary s;
        snprintf(text, sizeof text, RESULT_HEAD "%s\"best\": {\"epoch\": 1, \"test_top1\": 91}}",
                 cases[i].field);
        const char *path = hfix_write("conv.json", text);
        if (cases[i].verdict < 0) {
            cr_expect_eq(result_read(path, &s, &err), -1, "accepted: %s", cases[i].field);
            cr_expect(strstr(err.msg, "conv.json: convergence.verdict is") &&
                      strstr(err.msg, "expected \"converged\", \"unconverged\" or \"not "
                                      "recorded\""), "%s", err.msg);
        } else {
            cr_expect_eq(result_read(path, &s, &err), 0, "%s", err.msg);
            cr_expect_eq(s.convergence, cases[i].verdict, "%s", cases[i].field);
        }
    }
}

/* A run's result carries its curve window by window and the rule's verdict with its numbers,
 * and reads back as that verdict. */
Test(result_read, a_written_result_carries_its_curve_and_verdict)
{
    Experiment e;
    CellList l;
    QbErr err = {{0}};
    cr_assert_eq(experiment_load(&e, hfix_experiment("conv-exp", ""), "smoke", &err), 0, "%s",
                 err.msg);
    cr_assert_eq(cells_expand(&e, &l, &err), 0, "%s", err.msg);
    EpochRecord ep = {0, 0.1f, 0.5, 80.0, 0.6, 90.0, 95.0, 1.0, 100.0};
    RunResult r = {.status = RUN_OK, .epochs = &ep, .n_epochs = 1};
    curvefix_fill(&r.curve, 50, 1.0, 0.5, 0.05);
    const char *path = hfix_write("conv-run.json", "");
    cr_assert_eq(result_write(path, &e, &l.cells[0], &l.cells[0].cfg, &r, NULL, &err), 0, "%s",
                 err.msg);
    char text[16384];
    hfix_read(path, text, sizeof text);
    cr_assert_eq(hfix_count(text, "\"first_step\""), CURVE_WINDOWS, "%s", text);
    cr_assert(strstr(text, "\"first_step\": 46,\n        \"last_step\": 50,\n        \"steps\": 5,"),
              "%s", text);
    cr_assert(strstr(text, "\"verdict\": \"unconverged\"") && strstr(text, "\"fall_se\": ") &&
              strstr(text, "\"last_steps\": 15"), "%s", text);
    ResultSummary s;
    cr_assert_eq(result_read(path, &s, &err), 0, "%s", err.msg);
    cr_assert_eq(s.convergence, CONV_UNCONVERGED);
    cells_free(&l);
    experiment_free(&e);
}
