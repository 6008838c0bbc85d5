/* A result rewritten from its cell's final checkpoint (the .json deleted, the .ckpt kept; a
 * chain's parent keeps its checkpoint for the links after it) is the result the training run
 * wrote, byte for byte but for the two fields that say when and for how long the writing
 * invocation ran: through `qbench run-cell` and through make, whose table (of best-epoch
 * metrics) stays the same. Every cell here peaks after its first epoch, so that a best epoch
 * taken from anything but the whole history would show. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/jsonr.h"
#include "harness/cell.h"
#include "tests/support/hfix.h"
#include "tests/support/shell.h"

#define MAKE_ENV "env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make --no-print-directory "

/* Three epochs of 1x16x16 gratings at a constant learning rate: full precision peaks in the
 * second epoch, 4-bit LSQ in the third. */
#define TRAIN "train: {data: synth, input: 1x16x16, width: 0.25, epochs: 3, train_subset: 256, " \
              "batch: 16, lr: 0.12, schedule: constant, crop_pad: 0}\n"

/* The fields a rewrite may change: the writing invocation's date and wall time. */
static int invocation_field(const char *line)
{
    line += strspn(line, " ");
    return !strncmp(line, "\"date\":", 7) || !strncmp(line, "\"wall_seconds_last_invocation\":", 31);
}

/* after equals before line by line, except the invocation's fields. */
static void expect_same_result(const char *path, const char *before, const char *after)
{
    int line = 1;
    while (*before || *after) {
        size_t nb = strcspn(before, "\n"), na = strcspn(after, "\n");
        int same = nb == na && !strncmp(before, after, nb);
        cr_assert(same || (invocation_field(before) && invocation_field(after)),
                  "%s, line %d: the rewritten result has\n%.*s\nwhere the run wrote\n%.*s", path,
                  line, (int)na, after, (int)nb, before);
        before += nb + (before[nb] == '\n');
        after += na + (after[na] == '\n');
        line++;
    }
}

/* The result at path names its last epoch as final and its best test top-1 (the first of
 * equal ones) as best, and that best is not the first epoch: else a best recomputed from a
 * partial history could not be told from the right one. */
static void expect_peak_after_first_epoch(const char *path)
{
    JsonV *v;
    QbErr err = {{0}};
    cr_assert_eq(json_load(path, &v, &err), 0, "%s", err.msg);
    const JsonV *ep = json_at(v, "epochs");
    cr_assert(ep && ep->type == JV_ARR && ep->n == 3, "%s: no three epochs", path);
    int best = 0;
    for (int i = 1; i < ep->n; i++)
        if (json_num_at(&ep->items[i], "test_top1", 0) > json_num_at(&ep->items[best], "test_top1", 0))
            best = i;
    cr_assert_eq(json_num_at(v, "final.epoch", 0), ep->n, "%s", path);
    cr_assert_eq(json_num_at(v, "best.epoch", 0), best + 1, "%s", path);
    cr_assert_neq(best, 0, "%s peaks in its first epoch: the configuration no longer tests a "
                           "best epoch", path);
    json_free(v);
}

static const Cell *cell_of(const char *exp, const char *profile, const char *scheme, int bits,
                           CellList *l)
{
    Experiment e;
    QbErr err = {{0}};
    cr_assert_eq(experiment_load(&e, exp, profile, &err), 0, "%s", err.msg);
    cr_assert_eq(cells_expand(&e, l, &err), 0, "%s", err.msg);
    experiment_free(&e);
    return hfix_cell(l, scheme, bits, 1);
}

/* The line run-cell printed for the cell (its final and best top-1), into line. */
static void cell_line(const char *out, const char *id, char *line, size_t cap)
{
    char head[CELL_ID_MAX + 8];
    snprintf(head, sizeof head, "%s: ok, ", id);
    const char *at = strstr(out, head);
    cr_assert(at, "no result line for %s: %s", id, out);
    snprintf(line, cap, "%.*s", (int)strcspn(at, "\n"), at);
}

/* The cell's log (beside its result) holds `attempts` runs and one trained first epoch. */
static void expect_trained_once(const char *json, int attempts)
{
    static char log[1 << 15];
    char path[800];
    snprintf(path, sizeof path, "%.*s.log", (int)(strlen(json) - 5), json);
    hfix_read(path, log, sizeof log);
    cr_assert_eq(hfix_count(log, "== attempt"), attempts, "%s:\n%s", path, log);
    cr_assert_eq(hfix_count(log, "epoch 1/3"), 1, "%s trained again:\n%s", path, log);
}

Test(rewrite, run_cell_rewrites_a_deleted_result_from_the_checkpoint_as_the_run_wrote_it,
     .timeout = 60)
{
    static char before[1 << 15], after[1 << 15], out[1 << 14];
    const char *exp = hfix_write("rewrite-cell.yaml",
        "name: rewrite-cell\ntitle: T\ntable: {layout: bits, metric: final}\n"
        "matrix: {nets: [small_cnn], schemes: [fp], bits: [4]}\n" TRAIN);
    CellList l;
    const Cell *c = cell_of(exp, "", "fp", 0, &l);
    char args[1200], json[800], printed[2][512];
    snprintf(args, sizeof args, "run-cell %s --cell %s --results %s/results", exp, c->id,
             hfix_dir());
    snprintf(json, sizeof json, "%s/results/rewrite-cell/%s.json", hfix_dir(), c->id);
    cr_assert_eq(qbench_run(NULL, args, out, sizeof out), 0, "%s", out);
    cell_line(out, c->id, printed[0], sizeof printed[0]);
    hfix_read(json, before, sizeof before);
    expect_peak_after_first_epoch(json);

    cr_assert_eq(remove(json), 0, "%s", json);
    cr_assert_eq(qbench_run(NULL, args, out, sizeof out), 0, "%s", out);
    cr_assert_eq(hfix_count(out, "epoch 1/3"), 0, "the cell trained again: %s", out);
    cell_line(out, c->id, printed[1], sizeof printed[1]);
    cr_assert_str_eq(printed[1], printed[0]);
    hfix_read(json, after, sizeof after);
    expect_same_result(json, before, after);
    cells_free(&l);
}

/* make after a plain cell's result and a chain parent's result were deleted: both are
 * rewritten from their checkpoints, the link after the parent stands, the table is the same. */
Test(rewrite, make_rewrites_deleted_results_and_a_chain_parents_as_the_runs_wrote_them,
     .timeout = 120)
{
    static char out[1 << 16], before[4][1 << 15], after[1 << 15];
    const char *exp = hfix_write("rewrite.yaml",
        "name: rewrite\ntitle: T\ntable: {layout: bits, metric: best}\n"
        "matrix: {nets: [small_cnn], schemes: [lsq, fp], bits: [4, 2]}\n" TRAIN
        "progressive:\n  - scheme: lsq\n    bits: [4, 2]\n"
        "profiles: {smoke: {description: three short epochs}}\n");
    char results[300], cmd[1400], path[4][800], printed[2][512];
    snprintf(results, sizeof results, "%s/make", hfix_dir());
    snprintf(cmd, sizeof cmd, MAKE_ENV "-o %s experiment EXP=%s PROFILE=smoke RESULTS=%s BIN=%s",
             test_qbench_bin(), exp, results, test_qbench_bin());
    CellList l;
    const Cell *cells[3] = {cell_of(exp, "smoke", "fp", 0, &l), hfix_cell(&l, "lsq", 4, 1),
                            hfix_cell(&l, "lsq", 2, 1)};
    cr_assert(cells[1]->children && cells[2]->parent >= 0, "lsq 4 -> 2 bits is no chain");
    for (int i = 0; i < 3; i++)
        snprintf(path[i], sizeof path[i], "%s/rewrite/%s.json", results, cells[i]->id);
    snprintf(path[3], sizeof path[3], "%s/tables/rewrite-smoke.md", results);

    cr_assert_eq(shell_run(cmd, out, sizeof out), 0, "%s", out);
    for (int i = 0; i < 4; i++)
        hfix_read(path[i], before[i], sizeof before[i]);
    for (int i = 0; i < 2; i++) {
        cell_line(out, cells[i]->id, printed[i], sizeof printed[i]);
        expect_peak_after_first_epoch(path[i]);
        cr_assert_eq(remove(path[i]), 0, "%s", path[i]);
    }
    cr_assert_eq(shell_run(cmd, out, sizeof out), 0, "%s", out);
    for (int i = 0; i < 2; i++) {
        char line[512];
        cell_line(out, cells[i]->id, line, sizeof line);
        cr_assert_str_eq(line, printed[i]);
        expect_trained_once(path[i], 2);
        hfix_read(path[i], after, sizeof after);
        expect_same_result(path[i], before[i], after);
    }
    for (int i = 2; i < 4; i++) {
        hfix_read(path[i], after, sizeof after);
        cr_assert_str_eq(after, before[i], "%s changed: %s", path[i], out);
    }
    cells_free(&l);
}
