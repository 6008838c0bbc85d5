/* prune_find and prune_delete (harness/prune.h): the files of a cell no experiment produces
 * are listed and deleted only when asked; a cell the experiment produces, at 1x or at a
 * budget (recorded by its result, or only by its checkpoint's epochs), is kept; the reference
 * is refused and never entered; what cannot be judged is left alone. */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness/prune.h"
#include "harness/result.h"
#include "tests/support/hfix.h"
#include "tests/support/shell.h"

#define EXP "prunes"

/* The experiment's smoke cells at `budget`. */
static void smoke_cells(int budget, Experiment *e, CellList *cells)
{
    QbErr err = {{0}};
    cr_assert_eq(experiment_load(e, hfix_experiment(EXP, NULL), "smoke", &err), 0, "%s", err.msg);
    cr_assert_eq(experiment_budget(e, budget, &err), 0, "%s", err.msg);
    cr_assert_eq(cells_expand(e, cells, &err), 0, "%s", err.msg);
}

static const char *results_dir(void)
{
    static char dir[256];
    snprintf(dir, sizeof dir, "%s/results", hfix_dir());
    return dir;
}

static void touch(const char *id, const char *suffix)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s/%s%s", results_dir(), EXP, id, suffix);
    FILE *f = fopen(path, "w");
    cr_assert(f, "cannot write %s", path);
    fputs("x", f);
    fclose(f);
}

static int present(const char *id, const char *suffix)
{
    char path[512];
    struct stat st;
    snprintf(path, sizeof path, "%s/%s/%s%s", results_dir(), EXP, id, suffix);
    return stat(path, &st) == 0;
}

/* A result file of `cell` under `id` (a failed one: its status does not matter here), with
 * the checkpoint, log and lock a run leaves beside it. */
static void write_cell(const Experiment *e, const Cell *cell, const char *id)
{
    char dir[320], path[512];
    QbErr err = {{0}};
    RunResult none;
    Cell c = *cell;
    memset(&none, 0, sizeof none);
    snprintf(c.id, sizeof c.id, "%s", id);
    snprintf(dir, sizeof dir, "%s/%s", results_dir(), EXP);
    mkdir(results_dir(), 0777);
    mkdir(dir, 0777);
    snprintf(path, sizeof path, "%s/%s.json", dir, id);
    cr_assert_eq(result_write(path, e, &c, &c.cfg, &none, "a test result", &err), 0, "%s",
                 err.msg);
    touch(id, ".ckpt");
    touch(id, ".log");
    touch(id, ".lock");
}

static PruneOptions options(void)
{
    return (PruneOptions){results_dir(), "/nonexistent-reference", hfix_dir(), NULL, 0};
}

static const PruneCell *listed(const PruneList *l, const char *id)
{
    for (int i = 0; i < l->nstale; i++)
        if (!strcmp(l->stale[i].id, id))
            return &l->stale[i];
    return NULL;
}

/* Current results at 1x and at 2x and a stale one (an id of earlier code): 2x's ids differ
 * from 1x's, so a prune that judged every result at 1x would list the 2x one. */
static void three_results(char current1[CELL_ID_MAX], char current2[CELL_ID_MAX],
                          const char *stale)
{
    Experiment e;
    CellList at1, at2;
    smoke_cells(1, &e, &at1);
    write_cell(&e, &at1.cells[0], at1.cells[0].id);
    write_cell(&e, &at1.cells[1], stale);
    snprintf(current1, CELL_ID_MAX, "%s", at1.cells[0].id);
    smoke_cells(2, &e, &at2);
    cr_assert_str_neq(at2.cells[0].id, at1.cells[0].id, "the budget changes the id");
    write_cell(&e, &at2.cells[0], at2.cells[0].id);
    snprintf(current2, CELL_ID_MAX, "%s", at2.cells[0].id);
    cells_free(&at1);
    cells_free(&at2);
}

Test(prune, stale_result_is_listed_current_ones_are_not_and_nothing_is_deleted_unasked)
{
    char current1[CELL_ID_MAX], current2[CELL_ID_MAX];
    const char *stale = "small_cnn_lsq_4b_s1_00000000abcd";
    three_results(current1, current2, stale);
    PruneOptions o = options();
    PruneList l;
    QbErr err = {{0}};
    cr_assert_eq(prune_find(&o, &l, &err), 0, "%s", err.msg);
    cr_assert_eq(l.nstale, 1, "%d cells listed, e.g. %s", l.nstale, l.nstale ? l.stale[0].id : "");
    const PruneCell *c = listed(&l, stale);
    cr_assert(c, "the stale result is not listed");
    cr_expect_eq(c->nnames, 4, "its result, checkpoint, log and lock");
    cr_expect(strstr(c->what, "profile smoke at 1x"), "%s", c->what);
    cr_expect(!listed(&l, current1) && !listed(&l, current2));
    /* listing deleted nothing */
    cr_expect(present(stale, ".json") && present(stale, ".ckpt") && present(stale, ".log"));
    int deleted;
    cr_assert_eq(prune_delete(&l, &deleted, &err), 0, "%s", err.msg);
    cr_expect_eq(deleted, 4);
    cr_expect(!present(stale, ".json") && !present(stale, ".ckpt") && !present(stale, ".lock") &&
              !present(stale, ".log"));
    cr_expect(present(current1, ".json") && present(current1, ".ckpt") &&
              present(current2, ".json") && present(current2, ".log"));
    prune_free(&l);
}

/* A cell that has no result yet at 2x (interrupted after its first epoch): only its
 * checkpoint's epochs say the budget it trains at. A log without a checkpoint of an id no
 * budget produces is stale. */
Test(prune, unfinished_cell_is_judged_by_its_checkpoint_epochs)
{
    Experiment e;
    CellList at2;
    char args[1024], out[8192];
    smoke_cells(2, &e, &at2);
    snprintf(args, sizeof args, "run-cell %s --profile smoke --budget 2 --cell %s --results %s",
             e.path, at2.cells[0].id, results_dir());
    cr_assert_eq(qbench_run(NULL, args, out, sizeof out), 0, "%s", out);
    char json[512];
    snprintf(json, sizeof json, "%s/%s/%s.json", results_dir(), EXP, at2.cells[0].id);
    cr_assert_eq(unlink(json), 0, "run-cell wrote no %s", json);
    cr_assert(present(at2.cells[0].id, ".ckpt"));
    const char *stale = "small_cnn_asq_4b_s2_0000000000ef";
    touch(stale, ".log");
    PruneOptions o = options();
    PruneList l;
    QbErr err = {{0}};
    cr_assert_eq(prune_find(&o, &l, &err), 0, "%s", err.msg);
    cr_expect(!listed(&l, at2.cells[0].id), "the 2x checkpoint is listed as stale");
    cr_expect(listed(&l, stale) && l.nstale == 1, "%d listed", l.nstale);
    cr_expect(strstr(listed(&l, stale)->what, "no result"), "%s", listed(&l, stale)->what);
    prune_free(&l);
    cells_free(&at2);
    experiment_free(&e);
}

Test(prune, reference_is_refused_and_never_entered)
{
    char current1[CELL_ID_MAX], current2[CELL_ID_MAX], ref[320];
    three_results(current1, current2, "small_cnn_lsq_4b_s1_00000000abcd");
    PruneOptions o = options();
    PruneList l;
    QbErr err = {{0}};
    o.reference = results_dir();
    cr_assert_eq(prune_find(&o, &l, &err), -1);
    cr_expect(strstr(err.msg, "reference") && strstr(err.msg, results_dir()), "%s", err.msg);
    /* the reference as one directory under the results (--reference names an experiment's
     * reference directory): its stale-looking result is not listed */
    snprintf(ref, sizeof ref, "%s/%s", results_dir(), EXP);
    o.reference = ref;
    cr_assert_eq(prune_find(&o, &l, &err), 0, "%s", err.msg);
    cr_expect_eq(l.nstale, 0, "a result of the reference was listed: %s",
                 l.nstale ? l.stale[0].id : "");
    prune_free(&l);
}

Test(prune, held_lock_and_unknown_directory_are_left_alone)
{
    char current1[CELL_ID_MAX], current2[CELL_ID_MAX], lock[512], other[400];
    const char *stale = "small_cnn_lsq_4b_s1_00000000abcd";
    three_results(current1, current2, stale);
    snprintf(lock, sizeof lock, "%s/%s/%s.lock", results_dir(), EXP, stale);
    int fd = open(lock, O_RDONLY);
    cr_assert(fd >= 0 && flock(fd, LOCK_EX) == 0, "cannot lock %s", lock);
    snprintf(other, sizeof other, "%s/someone-elses", results_dir());
    cr_assert_eq(mkdir(other, 0777), 0);
    snprintf(lock, sizeof lock, "%s/small_cnn_lsq_4b_s1_00000000abcf.json", other);
    FILE *f = fopen(lock, "w");
    cr_assert(f);
    fclose(f);
    PruneOptions o = options();
    PruneList l;
    QbErr err = {{0}};
    cr_assert_eq(prune_find(&o, &l, &err), 0, "%s", err.msg);
    cr_expect_eq(l.nstale, 0, "listed %s", l.nstale ? l.stale[0].id : "");
    cr_assert_eq(l.nnotes, 2);
    cr_expect(strstr(l.notes[0].why, "no experiment file") || strstr(l.notes[1].why,
                                                                     "no experiment file"));
    cr_expect(strstr(l.notes[0].why, "lock") || strstr(l.notes[1].why, "lock"));
    prune_free(&l);
    close(fd);
}

Test(prune, cli_lists_then_deletes_with_the_flag)
{
    char current1[CELL_ID_MAX], current2[CELL_ID_MAX], args[1024], out[8192];
    const char *stale = "small_cnn_lsq_4b_s1_00000000abcd";
    three_results(current1, current2, stale);
    snprintf(args, sizeof args, "prune --results %s --experiments %s", results_dir(), hfix_dir());
    cr_assert_eq(qbench_run(NULL, args, out, sizeof out), 0, "%s", out);
    cr_expect(strstr(out, stale) && strstr(out, "nothing deleted") && !strstr(out, current1),
              "%s", out);
    cr_expect(present(stale, ".json"));
    snprintf(args, sizeof args, "prune --results %s --experiments %s --delete", results_dir(),
             hfix_dir());
    cr_assert_eq(qbench_run(NULL, args, out, sizeof out), 0, "%s", out);
    cr_expect(strstr(out, "4 of their 4 files deleted"), "%s", out);
    cr_expect(!present(stale, ".json") && present(current1, ".json"));
}
