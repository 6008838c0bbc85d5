/* What run-cell does first for a chained cell (chainrun_prepare), decided from the files of
 * a results directory whose times the tests set: resume, start over, retrain, wait, not
 * runnable, retry. */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness/chainrun.h"
#include "harness/result.h"
#include "tests/support/hfix.h"

typedef struct {
    Experiment e;
    CellList l;
    char dir[300];
    const Cell *parent, *child;  /* lsq 4 -> 2 bits, seed 1 */
} Rig;

static void rig_open_chain(Rig *r, const char *name, const char *chain)
{
    QbErr err = {{0}};
    char cmd[700];
    cr_assert_eq(experiment_load(&r->e, hfix_experiment(name, chain), "", &err), 0, "%s", err.msg);
    cr_assert_eq(cells_expand(&r->e, &r->l, &err), 0, "%s", err.msg);
    snprintf(r->dir, sizeof r->dir, "%s/%s", hfix_dir(), name);
    snprintf(cmd, sizeof cmd, "rm -rf %s && mkdir -p %s", r->dir, r->dir);
    cr_assert_eq(system(cmd), 0);
    r->parent = r->child = NULL;
    for (int i = 0; i < r->l.n; i++) {
        const Cell *c = &r->l.cells[i];
        if (!strcmp(c->scheme, "lsq") && c->seed == 1)
            *(c->bits == 4 ? &r->parent : &r->child) = c;
    }
    cr_assert(r->parent && r->child && r->child->parent >= 0);
}

static void rig_open(Rig *r, const char *name)
{
    rig_open_chain(r, name, "progressive:\n  - {scheme: lsq, bits: [4, 2]}\n");
}

static const char *file_of(const Rig *r, const Cell *c, const char *ext)
{
    static char paths[4][600];
    static int slot;
    char *p = paths[slot++ % 4];
    snprintf(p, 600, "%s/%s%s", r->dir, c->id, ext);
    return p;
}

static int exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

/* The file with modification time t (seconds), created empty when absent. */
static void at_time(const char *path, long t)
{
    int fd = open(path, O_WRONLY | O_CREAT, 0644);
    cr_assert(fd >= 0, "%s", path);
    struct timespec ts[2] = {{t, 0}, {t, 0}};
    cr_assert_eq(futimens(fd, ts), 0);
    close(fd);
}

/* A result for c (ok, or failed with `failure`) at time t. */
static void result_at(const Rig *r, const Cell *c, const char *failure, long t)
{
    EpochRecord ep = {0, 0.1f, 0.5, 80.0, 0.6, 70.0, 95.0, 1.0, 100.0};
    RunResult res = {0};
    res.epochs = &ep;
    res.n_epochs = failure ? 0 : 1;
    QbErr err = {{0}};
    cr_assert_eq(result_write(file_of(r, c, ".json"), &r->e, c, &c->cfg, &res, failure, &err), 0,
                 "%s", err.msg);
    at_time(file_of(r, c, ".json"), t);
}

/* The parent finished: its final checkpoint at t, its result just after. */
static void parent_done(const Rig *r, long t)
{
    at_time(file_of(r, r->parent, ".ckpt"), t);
    result_at(r, r->parent, NULL, t + 1);
}

static ChainStep prepare(const Rig *r, const Cell *c)
{
    ChainStep st;
    QbErr err = {{0}};
    cr_assert_eq(chainrun_prepare(r->dir, &r->l, c, &st, &err), 0, "%s", err.msg);
    return st;
}

Test(chainrun, a_childs_partial_checkpoint_resumes_unless_its_parent_retrained_since)
{
    Rig r;
    rig_open(&r, "cr_partial");
    parent_done(&r, 1000);
    at_time(file_of(&r, r.child, ".ckpt"), 1100);
    ChainStep st = prepare(&r, r.child);
    cr_assert_eq(st.verdict, CHAIN_RUN);
    cr_assert_str_eq(st.from, file_of(&r, r.parent, ".ckpt"));
    cr_assert_str_eq(st.note, "");
    cr_assert(exists(file_of(&r, r.child, ".ckpt")), "a resumable checkpoint was removed");
    /* the parent retrained after the child's checkpoint */
    at_time(file_of(&r, r.parent, ".ckpt"), 1200);
    st = prepare(&r, r.child);
    cr_assert(strstr(st.note, "starting over"), "%s", st.note);
    cr_assert_not(exists(file_of(&r, r.child, ".ckpt")));
    cells_free(&r.l);
    experiment_free(&r.e);
}

Test(chainrun, a_childs_result_older_than_its_parents_checkpoint_is_retrained)
{
    Rig r;
    rig_open(&r, "cr_stale");
    parent_done(&r, 1000);
    at_time(file_of(&r, r.child, ".ckpt"), 1100);
    result_at(&r, r.child, NULL, 1101);
    ChainStep st = prepare(&r, r.child);
    cr_assert_str_eq(st.note, "");
    cr_assert(exists(file_of(&r, r.child, ".json")));
    at_time(file_of(&r, r.parent, ".ckpt"), 1200);
    st = prepare(&r, r.child);
    cr_assert(strstr(st.note, "retraining") && strstr(st.note, r.parent->id), "%s", st.note);
    cr_assert_not(exists(file_of(&r, r.child, ".json")));
    cr_assert_not(exists(file_of(&r, r.child, ".ckpt")));
    cells_free(&r.l);
    experiment_free(&r.e);
}

Test(chainrun, a_child_waits_for_its_parent_and_is_not_runnable_after_it_failed)
{
    Rig r;
    rig_open(&r, "cr_fail");
    cr_assert_eq(prepare(&r, r.child).verdict, CHAIN_WAIT);
    result_at(&r, r.parent, "disk full", 1000);
    result_at(&r, r.child, NULL, 900);
    ChainStep st = prepare(&r, r.child);
    cr_assert_eq(st.verdict, CHAIN_BLOCKED);
    cr_assert(strstr(st.reason, "not runnable: it starts from") && strstr(st.reason, r.parent->id) &&
              strstr(st.reason, "disk full"), "%s", st.reason);
    cr_assert_not(exists(file_of(&r, r.child, ".json")), "an older result of the child stayed");
    /* the parent itself is retried, and its failed run's checkpoint goes */
    at_time(file_of(&r, r.parent, ".failed.ckpt"), 1000);
    st = prepare(&r, r.parent);
    cr_assert(strstr(st.note, "retrying") && strstr(st.note, "disk full"), "%s", st.note);
    cr_assert_not(exists(file_of(&r, r.parent, ".json")));
    cr_assert_not(exists(file_of(&r, r.parent, ".failed.ckpt")));
    cells_free(&r.l);
    experiment_free(&r.e);
}

Test(chainrun, a_failed_parents_checkpoint_moves_aside)
{
    Rig r;
    rig_open(&r, "cr_aside");
    at_time(file_of(&r, r.parent, ".ckpt"), 1000);
    QbErr err = {{0}};
    cr_assert_eq(chainrun_failed(r.dir, r.parent, &err), 0, "%s", err.msg);
    cr_assert_not(exists(file_of(&r, r.parent, ".ckpt")));
    cr_assert(exists(file_of(&r, r.parent, ".failed.ckpt")));
    /* a cell without children keeps its checkpoint */
    at_time(file_of(&r, r.child, ".ckpt"), 1000);
    cr_assert_eq(chainrun_failed(r.dir, r.child, &err), 0, "%s", err.msg);
    cr_assert(exists(file_of(&r, r.child, ".ckpt")));
    cells_free(&r.l);
    experiment_free(&r.e);
}

Test(chainrun, a_missing_parent_checkpoint_matters_only_when_the_child_must_train)
{
    Rig r;
    rig_open(&r, "cr_nockpt");
    result_at(&r, r.parent, NULL, 1000);
    result_at(&r, r.child, NULL, 1100);
    ChainStep st = prepare(&r, r.parent);
    cr_assert_str_eq(st.note, "");
    cr_assert(exists(file_of(&r, r.parent, ".json")), "a result whose children are done was retired");
    st = prepare(&r, r.child);
    cr_assert_eq(st.verdict, CHAIN_RUN);
    cr_assert(exists(file_of(&r, r.child, ".json")));
    /* the child has to train: the parent retrains first */
    unlink(file_of(&r, r.child, ".json"));
    st = prepare(&r, r.parent);
    cr_assert(strstr(st.note, "checkpoint") && strstr(st.note, "missing"), "%s", st.note);
    cr_assert_not(exists(file_of(&r, r.parent, ".json")));
    cells_free(&r.l);
    experiment_free(&r.e);
}

/* start: best: the child starts from the parent's best epoch's weights; when they are missing
 * and the child has to train, the parent trains again from the start (its finished final
 * checkpoint would resume as finished and write them no more). */
Test(chainrun, a_child_from_the_best_epoch_needs_the_parents_best_weights)
{
    Rig r;
    rig_open_chain(&r, "cr_best", "progressive:\n  - {scheme: lsq, bits: [4, 2], start: best}\n");
    cr_assert(r.child->from_best);
    cr_assert_eq(r.parent->best_children, 1);
    parent_done(&r, 1000);
    at_time(file_of(&r, r.parent, ".best.ckpt"), 999);
    ChainStep st = prepare(&r, r.child);
    cr_assert_eq(st.verdict, CHAIN_RUN);
    cr_assert_str_eq(st.from, file_of(&r, r.parent, ".best.ckpt"));
    /* the best epoch's weights gone: the parent retrains from the start */
    unlink(file_of(&r, r.parent, ".best.ckpt"));
    st = prepare(&r, r.parent);
    cr_assert(strstr(st.note, "retraining") && strstr(st.note, ".best.ckpt"), "%s", st.note);
    cr_assert_not(exists(file_of(&r, r.parent, ".json")));
    cr_assert_not(exists(file_of(&r, r.parent, ".ckpt")));
    /* a child whose result stands needs nothing of the parent */
    parent_done(&r, 2000);
    result_at(&r, r.child, NULL, 2002);
    st = prepare(&r, r.parent);
    cr_assert_str_eq(st.note, "");
    cr_assert(exists(file_of(&r, r.parent, ".json")));
    cells_free(&r.l);
    experiment_free(&r.e);
}

Test(chainrun, a_failed_parent_leaves_no_best_weights_behind)
{
    Rig r;
    QbErr err = {{0}};
    rig_open_chain(&r, "cr_bestfail", "progressive:\n  - {scheme: lsq, bits: [4, 2], start: best}\n");
    at_time(file_of(&r, r.parent, ".ckpt"), 1000);
    at_time(file_of(&r, r.parent, ".best.ckpt"), 1000);
    cr_assert_eq(chainrun_failed(r.dir, r.parent, &err), 0, "%s", err.msg);
    cr_assert(exists(file_of(&r, r.parent, ".failed.ckpt")));
    cr_assert_not(exists(file_of(&r, r.parent, ".best.ckpt")));
    cells_free(&r.l);
    experiment_free(&r.e);
}
