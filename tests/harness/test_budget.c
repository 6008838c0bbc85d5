/* The training budget (experiment_budget, `--budget K`, make BUDGET=K): every cell and chain
 * link trains K times as long with its schedule's shape kept, 1x changes nothing, the cells
 * get their own ids, a bad value is one error, results record their budget, and the make
 * fragment hands the budget to run-cell and report. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "harness/result.h"
#include "run/run.h"
#include "tests/support/hfix.h"
#include "tests/support/shell.h"

/* A step schedule with warm-up and two milestones, and a chain whose 2-bit link has its own
 * epochs and milestones. */
static const char *schedule_experiment(const char *name)
{
    char text[2048], file[96];
    snprintf(text, sizeof text,
             "name: %s\n"
             "title: t\n"
             "matrix: {nets: [small_cnn], schemes: [lsq, fp], bits: [4, 2], seeds: [1, 2]}\n"
             "train: {data: synth, input: 1x8x8, width: 0.25, epochs: 4, train_subset: 64,\n"
             "        batch: 32, lr: 0.05, crop_pad: 0, schedule: step, milestones: [2, 3],\n"
             "        warmup_epochs: 1}\n"
             "progressive:\n"
             "  - scheme: lsq\n"
             "    bits: [4, 2]\n"
             "    links:\n"
             "      2: {train: {epochs: 5, milestones: [1, 4]}}\n"
             "profiles:\n"
             "  smoke: {description: \"a short run\", train: {lr: 0.02}}\n",
             name);
    snprintf(file, sizeof file, "%s.yaml", name);
    return hfix_write(file, text);
}

static void load(const char *path, Experiment *e, int budget, CellList *l)
{
    QbErr err = {{0}};
    cr_assert_eq(experiment_load(e, path, "smoke", &err), 0, "%s", err.msg);
    cr_assert_eq(experiment_budget(e, budget, &err), 0, "%s", err.msg);
    cr_assert_eq(cells_expand(e, l, &err), 0, "%s", err.msg);
}

static void expect_schedule(const RunConfig *c, int epochs, int warmup, int m0, int m1)
{
    cr_expect_eq(c->epochs, epochs);
    cr_expect_eq(c->sched.warmup_epochs, warmup);
    cr_expect_eq(c->sched.nmilestones, 2);
    cr_expect_eq(c->sched.milestones[0], m0);
    cr_expect_eq(c->sched.milestones[1], m1);
}

Test(budget, epochs_warmup_and_milestones_scale_in_every_cell_and_link)
{
    Experiment e;
    CellList l;
    load(schedule_experiment("bsched"), &e, 3, &l);
    cr_assert_eq(e.budget, 3);
    expect_schedule(&e.base, 12, 3, 6, 9);
    cr_assert_eq(e.nlink_configs, 1);
    expect_schedule(&e.link_configs[0].cfg, 15, 3, 3, 12);
    for (long long seed = 1; seed <= 2; seed++) {
        expect_schedule(&hfix_cell(&l, "lsq", 4, seed)->cfg, 12, 3, 6, 9);
        expect_schedule(&hfix_cell(&l, "fp", 0, seed)->cfg, 12, 3, 6, 9);
        expect_schedule(&hfix_cell(&l, "lsq", 2, seed)->cfg, 15, 3, 3, 12);
    }
    cr_assert(strstr(e.profile_description, "a short run; trained 3x as long (--budget 3: 12 "
                                            "epochs)"), "%s", e.profile_description);
    cells_free(&l);
    experiment_free(&e);
}

/* 1x is the profile as written: the same ids, description and schedule; any other budget
 * gives every cell, the chained link included, an id of its own. */
Test(budget, one_is_a_no_op_and_another_budget_gives_new_ids)
{
    Experiment plain, one, three;
    CellList lp, l1, l3;
    QbErr err = {{0}};
    const char *path = schedule_experiment("bids");
    cr_assert_eq(experiment_load(&plain, path, "smoke", &err), 0, "%s", err.msg);
    cr_assert_eq(cells_expand(&plain, &lp, &err), 0, "%s", err.msg);
    load(path, &one, 1, &l1);
    load(path, &three, 3, &l3);
    cr_assert_eq(one.budget, 1);
    cr_assert_str_eq(one.profile_description, plain.profile_description);
    expect_schedule(&one.base, 4, 1, 2, 3);
    cr_assert_eq(l1.n, lp.n);
    cr_assert_eq(l3.n, lp.n);
    for (int i = 0; i < lp.n; i++) {
        cr_assert_str_eq(l1.cells[i].id, lp.cells[i].id);
        for (int j = 0; j < lp.n; j++)
            cr_assert_str_neq(l3.cells[i].id, lp.cells[j].id, "%s at 3x is a 1x id",
                              l3.cells[i].id);
    }
    /* the 3x chain's child starts from the 3x parent */
    const Cell *child = hfix_cell(&l3, "lsq", 2, 1);
    cr_assert(strstr(child->identity, hfix_cell(&l3, "lsq", 4, 1)->id), "%s", child->identity);
    cells_free(&lp);
    cells_free(&l1);
    cells_free(&l3);
    experiment_free(&plain);
    experiment_free(&one);
    experiment_free(&three);
}

static void expect_budget_error(Experiment *e, int k, const char *want)
{
    QbErr err = {{0}};
    cr_assert_eq(experiment_budget(e, k, &err), -1, "--budget %d accepted", k);
    cr_assert(strstr(err.msg, want), "expected '%s' in: %s", want, err.msg);
}

Test(budget, a_bad_value_or_a_second_budget_is_one_error)
{
    Experiment e;
    QbErr err = {{0}};
    cr_assert_eq(experiment_load(&e, schedule_experiment("bbad"), "smoke", &err), 0, "%s",
                 err.msg);
    char want[96];
    snprintf(want, sizeof want, "expected a whole multiple of the profile's training length, "
             "1..%d", EXP_BUDGET_MAX);
    expect_budget_error(&e, 0, "--budget 0: ");
    expect_budget_error(&e, 0, want);
    expect_budget_error(&e, EXP_BUDGET_MAX + 1, want);
    expect_budget_error(&e, -2, want);
    cr_assert_eq(e.budget, 1, "a refused budget changed the experiment");
    expect_schedule(&e.base, 4, 1, 2, 3);
    cr_assert_eq(experiment_budget(&e, 2, &err), 0, "%s", err.msg);
    expect_budget_error(&e, 3, "--budget 3: the budget is already 2x");
    expect_schedule(&e.base, 8, 2, 4, 6);

    /* the command line: the flag's own range check, one line naming it before the usage */
    char out[4096], args[600];
    snprintf(args, sizeof args, "expand %s --profile smoke --budget 0", e.path);
    cr_assert_neq(qbench_run(NULL, args, out, sizeof out), 0, "%s", out);
    cr_assert(strstr(out, "qbench expand: --budget 0: expected an integer in [1, 1000]\n") == out,
              "%s", out);
    experiment_free(&e);
}

/* The result's "budget" as result_write writes it at 3x, read back. */
Test(budget, a_result_file_round_trips_its_budget)
{
    Experiment e;
    CellList l;
    load(schedule_experiment("bres"), &e, 3, &l);
    EpochRecord ep = {0, 0.1f, 0.5, 80.0, 0.6, 70.0, 75.0, 1.0, 100.0};
    RunResult r = {.status = RUN_OK, .epochs = &ep, .n_epochs = 1};
    QbErr err = {{0}};
    ResultSummary s;
    const Cell *c = hfix_cell(&l, "lsq", 4, 1);
    char path[400], text[1 << 15];
    snprintf(path, sizeof path, "%s/bres-3x.json", hfix_dir());
    cr_assert_eq(result_write(path, &e, c, &c->cfg, &r, NULL, &err), 0, "%s", err.msg);
    hfix_read(path, text, sizeof text);
    cr_assert(strstr(text, "\"budget\": 3,"), "%s", text);
    cr_assert_eq(result_read(path, &s, &err), 0, "%s", err.msg);
    cr_assert_eq(s.budget, 3);
    cr_assert_str_eq(s.cell, c->id);
    cells_free(&l);
    experiment_free(&e);
}

/* The fragment's rules and its table recipe pass the budget on (run-cell and report expand
 * the same cells); at 1x they carry no --budget at all. */
Test(budget, the_make_fragment_carries_the_budget_and_none_at_1x)
{
    static char text[1 << 17];
    const char *path = schedule_experiment("bfrag");
    char mk[400];
    QbErr err = {{0}};
    for (int budget = 1; budget <= 4; budget += 3) {
        Experiment e;
        CellList l;
        load(path, &e, budget, &l);
        snprintf(mk, sizeof mk, "%s/bfrag-%d.mk", hfix_dir(), budget);
        cr_assert_eq(hfix_fragment(mk, &e, &l, "bfrag-x4", &err), 0, "%s", err.msg);
        hfix_read(mk, text, sizeof text);
        int runs = hfix_count(text, " run-cell ");
        cr_assert_eq(runs, l.n, "%s", text);
        if (budget == 1) {
            cr_assert_eq(hfix_count(text, "--budget"), 0, "%s", text);
        } else {
            cr_assert_eq(hfix_count(text, " --profile smoke --budget 4 --cell "), l.n, "%s", text);
            cr_assert(strstr(text, "report ") && strstr(text, " --profile smoke --budget 4 "
                                                              "--results $(RESULTS) --out "
                                                              "$(RESULTS)/tables/bfrag-x4"),
                      "%s", text);
            cr_assert(strstr(text, "# Generated by `qbench rules ") &&
                      strstr(text, "bfrag.yaml --profile smoke --budget 4`"), "%s", text);
        }
        for (int i = 0; i < l.n; i++)
            cr_assert(strstr(text, l.cells[i].id), "no rule for %s", l.cells[i].id);
        cells_free(&l);
        experiment_free(&e);
    }
}

/* Every result file directly in dir, read; returns how many, each checked at `budget` with
 * `epochs` epochs (the 2-bit link: `link_epochs`). */
static int results_at(const char *dir, int budget, int epochs, int link_epochs)
{
    char cmd[700], list[4096];
    snprintf(cmd, sizeof cmd, "ls %s/*.json", dir);
    cr_assert_eq(shell_run(cmd, list, sizeof list), 0, "%s", list);
    int n = 0;
    for (char *p = strtok(list, "\n"); p; p = strtok(NULL, "\n"), n++) {
        ResultSummary s;
        QbErr err = {{0}};
        cr_assert_eq(result_read(p, &s, &err), 0, "%s", err.msg);
        cr_assert(s.ok, "%s: %s", p, s.reason);
        cr_assert_eq(s.budget, budget, "%s", p);
        cr_assert_eq(s.epochs, s.bits == 2 ? link_epochs : epochs, "%s", p);
    }
    return n;
}

/* make experiment ... BUDGET=2 SEEDS=1, as a user runs it: the cells (a chain's link
 * included) train twice as long through run-cell --budget 2, the results say so, the table is
 * named -x2 and its regime says the multiple; a rerun trains nothing. */
Test(budget, make_budget_2_trains_twice_as_long_into_its_own_table, .timeout = 120)
{
    static char out[1 << 16];
    char cmd[2048], results[300], path[600];
    const char *exp = schedule_experiment("bmake");
    snprintf(results, sizeof results, "%s/bmake-res", hfix_dir());
    snprintf(cmd, sizeof cmd, "env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make --no-print-directory "
             "-o %s BIN=%s experiment EXP=%s PROFILE=smoke BUDGET=2 SEEDS=1 RESULTS=%s",
             test_qbench_bin(), test_qbench_bin(), exp, results);
    cr_assert_eq(shell_run(cmd, out, sizeof out), 0, "%s", out);
    cr_assert_eq(hfix_count(out, "bmake: small_cnn"), 3, "%s", out);
    snprintf(path, sizeof path, "%s/bmake", results);
    cr_assert_eq(results_at(path, 2, 8, 10), 3);
    snprintf(path, sizeof path, "%s/tables/bmake-smoke-x2.md", results);
    static char table[1 << 16];
    hfix_read(path, table, sizeof table);
    cr_assert(strstr(table, "8 epochs of a 64-image subset at batch 32 (16 steps), 2x the smoke "
                            "profile's length"), "%s", table);
    cr_assert(strstr(table, "--budget 2"), "the table's command names the budget: %s", table);
    cr_assert_eq(shell_run(cmd, out, sizeof out), 0, "%s", out);
    cr_assert_eq(hfix_count(out, "bmake: small_cnn"), 0, "a rerun trained: %s", out);
}
