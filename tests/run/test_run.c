/* A whole run on synthetic data: it learns, and an interrupted run resumed from its
 * checkpoint ends with exactly the numbers and the training curve of an uninterrupted one. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "core/checkpoint.h"
#include "core/data/dataset.h"
#include "run/run.h"

static char ckpt[128];

static void config(RunConfig *c)
{
    runcfg_defaults(c);
    snprintf(c->net, sizeof c->net, "small_cnn");
    snprintf(c->data, sizeof c->data, "synth");
    c->epochs = 2;
    c->batch = 50;
    c->train_subset = 600;
    c->threads = 1;
    c->lr = 0.05f;
    snprintf(c->ckpt, sizeof c->ckpt, "%s", ckpt);
    c->resume = 1;
}

static volatile sig_atomic_t stop;
static int steps_seen, stop_at;

/* Raises the stop flag after stop_at steps. */
static void stop_after(void *user, const RunConfig *c, int epoch, int index, int batches,
                       double loss, double top1, double seconds, const EpochRecord *done)
{
    (void)user, (void)c, (void)epoch, (void)index, (void)batches, (void)loss, (void)top1;
    (void)seconds;
    if (!done && ++steps_seen == stop_at)
        stop = 1;
}

static void setup(void) { snprintf(ckpt, sizeof ckpt, "/tmp/qb-run-test-%d.ckpt", (int)getpid()); }
static void teardown(void) { unlink(ckpt); }
TestSuite(run, .init = setup, .fini = teardown);

/* The fixture's configuration into c, run to its end from scratch. */
static void run_uninterrupted(RunConfig *c, RunResult *full)
{
    QbErr err = {{0}};
    config(c);
    unlink(ckpt);
    cr_assert_eq(run_execute(c, full, NULL, NULL, NULL, &err), 0, "%s", err.msg);
    cr_assert_eq(full->status, RUN_OK);
    cr_assert_eq(full->n_epochs, 2);
}

/* Runs c until stop_at steps, leaving the checkpoint. */
static void run_interrupted(const RunConfig *c, int at)
{
    RunResult part;
    QbErr err = {{0}};
    unlink(ckpt);
    steps_seen = 0, stop_at = at, stop = 0;
    cr_assert_eq(run_execute(c, &part, stop_after, NULL, &stop, &err), 0, "%s", err.msg);
    cr_assert_eq(part.status, RUN_INTERRUPTED);
    cr_assert_eq(part.n_epochs, 1);
    stop = 0;
    run_result_free(&part);
}

static void expect_same_epochs(const RunResult *rest, const RunResult *full)
{
    cr_assert_eq(rest->status, RUN_OK);
    cr_assert_eq(rest->n_epochs, 2);
    for (int e = 0; e < 2; e++) {
        cr_assert_eq(rest->epochs[e].train_loss, full->epochs[e].train_loss, "epoch %d train loss %.9g vs %.9g", e, rest->epochs[e].train_loss, full->epochs[e].train_loss);
        cr_assert_eq(rest->epochs[e].test_loss, full->epochs[e].test_loss, "epoch %d", e);
        cr_assert_eq(rest->epochs[e].test_top1, full->epochs[e].test_top1, "epoch %d", e);
    }
}

/* Interrupted after 16 steps (inside a curve window: 24 steps make windows starting at 0, 3,
 * 5, 8, 10, 12, 15, 17, ...) and after 17 (on a window's edge), both in the second epoch (12
 * steps each): the resumed run ends with the uninterrupted run's epochs and curve exactly. */
Test(run, interrupted_and_resumed_equals_uninterrupted)
{
    RunConfig c;
    RunResult full, rest;
    QbErr err = {{0}};
    run_uninterrupted(&c, &full);
    cr_assert_gt(full.epochs[1].test_top1, 50.0, "learns: %.2f%%", full.epochs[1].test_top1);
    cr_assert_eq(full.curve.total_steps, 24);
    for (int at = 16; at <= 17; at++) {
        run_interrupted(&c, at);
        cr_assert_eq(run_execute(&c, &rest, NULL, NULL, &stop, &err), 0, "%s", err.msg);
        expect_same_epochs(&rest, &full);
        cr_assert_eq(rest.curve.total_steps, full.curve.total_steps);
        cr_assert_eq(rest.curve.nwindows, full.curve.nwindows);
        for (int w = 0; w < full.curve.nwindows; w++)
            cr_assert_eq(memcmp(&rest.curve.w[w], &full.curve.w[w], sizeof full.curve.w[w]), 0,
                         "stopped at %d: window %d: loss %.17g vs %.17g", at, w,
                         rest.curve.w[w].loss_mean, full.curve.w[w].loss_mean);
        run_result_free(&rest);
    }
    run_result_free(&full);
}

/* A checkpoint written before training curves (its metrics without the curve's lines): the
 * run resumes to the same numbers, and its curve reads as not recorded rather than as the
 * steps after the resume alone. */
Test(run, a_checkpoint_without_a_curve_resumes_with_the_curve_not_recorded)
{
    RunConfig c;
    RunResult full, rest;
    QbErr err = {{0}};
    run_uninterrupted(&c, &full);
    run_interrupted(&c, 17);
    Dataset d;
    DataOptions o = {0};
    cr_assert_eq(dataset_open_opts(&d, c.data, NULL, &o, DATA_TRAIN, &err), 0, "%s", err.msg);
    Net net;
    Optimizer opt;
    CkptMeta m = {0};
    optim_defaults(&opt, c.weight_decay);
    cr_assert_eq(run_net_build(&c, d.dims, d.classes, &net, &err), 0, "%s", err.msg);
    cr_assert_eq(net_alloc(&net, c.batch, 1, &err), 0, "%s", err.msg);
    cr_assert_eq(checkpoint_load(ckpt, &net, &opt, &m, CKPT_RESUME, &err), 0, "%s", err.msg);
    char *curve = strstr(m.metrics, "curve "), *partial = strstr(m.metrics, "partial ");
    cr_assert(curve && partial > curve, "%s", m.metrics);
    memmove(curve, partial, strlen(partial) + 1);
    cr_assert_eq(checkpoint_save(ckpt, &net, &opt, &m, &err), 0, "%s", err.msg);
    ckpt_meta_free(&m);
    net_free(&net);
    dataset_free(&d);
    cr_assert_eq(run_execute(&c, &rest, NULL, NULL, &stop, &err), 0, "%s", err.msg);
    expect_same_epochs(&rest, &full);
    cr_assert_eq(rest.curve.total_steps, 0, "a curve of the resumed steps alone was kept");
    run_result_free(&full);
    run_result_free(&rest);
}

/* A method with state that no gradient trains (LQ-Net's basis, its moving average and step
 * count: checkpointed buffers, FORMULAS.md §15.3): interrupted mid-epoch, the resumed run
 * ends with the uninterrupted run's numbers exactly. */
Test(run, an_lqnet_run_resumed_mid_epoch_equals_uninterrupted)
{
    RunConfig c;
    RunResult full, rest;
    QbErr err = {{0}};
    config(&c);
    snprintf(c.scheme, sizeof c.scheme, "lqnet");
    c.wbits = c.abits = 2;
    unlink(ckpt);
    cr_assert_eq(run_execute(&c, &full, NULL, NULL, NULL, &err), 0, "%s", err.msg);
    run_interrupted(&c, 17);
    cr_assert_eq(run_execute(&c, &rest, NULL, NULL, &stop, &err), 0, "%s", err.msg);
    expect_same_epochs(&rest, &full);
    run_result_free(&rest);
    run_result_free(&full);
}

/* Runs one epoch into the checkpoint, applies change, and expects the resume to be refused. */
static void resume_after(void (*change)(RunConfig *), QbErr *err)
{
    RunConfig c;
    RunResult r;
    config(&c);
    c.epochs = 1;
    cr_assert_eq(run_execute(&c, &r, NULL, NULL, NULL, err), 0, "%s", err->msg);
    run_result_free(&r);
    change(&c);
    cr_assert_eq(run_execute(&c, &r, NULL, NULL, NULL, err), -1);
    run_result_free(&r);
}

static void lower_lr(RunConfig *c) { c->lr = 0.01f; }
static void two_threads(RunConfig *c) { c->threads = 2; }

Test(run, checkpoint_of_another_configuration_is_refused)
{
    QbErr err = {{0}};
    resume_after(lower_lr, &err);
    cr_assert(strstr(err.msg, ckpt) && strstr(err.msg, "different configuration"), "%s", err.msg);
    cr_assert(strstr(err.msg, "\"lr\" is 0.05"), "names the field: %s", err.msg);
    cr_assert(strstr(err.msg, "in the checkpoint, 0.0099999"), "%s", err.msg);
}

Test(run, a_resume_with_another_thread_count_names_the_field)
{
    QbErr err = {{0}};
    resume_after(two_threads, &err);
    cr_assert(strstr(err.msg, "(\"threads\" is 1 in the checkpoint, 2 in this run)"), "%s", err.msg);
}

Test(run, missing_data_directory_is_a_clear_error)
{
    RunConfig c;
    RunResult r;
    QbErr err = {{0}};
    config(&c);
    snprintf(c.data, sizeof c.data, "cifar10");
    snprintf(c.data_dir, sizeof c.data_dir, "/nonexistent/cifar");
    cr_assert_eq(run_execute(&c, &r, NULL, NULL, NULL, &err), -1);
    cr_assert(strstr(err.msg, "/nonexistent/cifar"), "%s", err.msg);
    run_result_free(&r);
}

/* --best-checkpoint holds the weights of the epoch with the best test top-1 (the first of
 * equals): its counters and metrics are that epoch's, whichever epoch came last. */
Test(run, the_best_checkpoint_is_the_best_epochs)
{
    RunConfig c;
    RunResult res;
    QbErr err = {{0}};
    char best[160];
    config(&c);
    c.epochs = 4;
    c.lr = 0.2f;  /* a rough ride, so the best epoch need not be the last */
    snprintf(best, sizeof best, "%s.best", ckpt);
    snprintf(c.best_ckpt, sizeof c.best_ckpt, "%s", best);
    unlink(ckpt);
    unlink(best);
    cr_assert_eq(run_execute(&c, &res, NULL, NULL, NULL, &err), 0, "%s", err.msg);
    cr_assert_eq(res.n_epochs, 4);
    CkptMeta m = {0};
    cr_assert_eq(checkpoint_read_meta(best, &m, &err), 0, "%s", err.msg);
    int b = run_best_epoch(&res);
    cr_assert_eq(m.epoch, b + 1, "best epoch %d, checkpoint after epoch %lld", b + 1,
                 (long long)m.epoch);
    char line[64];
    snprintf(line, sizeof line, "%.17g", res.epochs[b].test_top1);
    cr_assert(strstr(m.metrics, line), "%s not in %s", line, m.metrics);
    ckpt_meta_free(&m);
    unlink(best);
    run_result_free(&res);
}
