/* Running one cell into its result file (cellrun_one), on a tiny synthetic experiment: a
 * trained cell writes its result and a rerun finds it done; the same cell's finished result
 * in another experiment's directory is copied, not retrained; a child of a failed parent gets
 * a result saying why it did not run, and one whose parent has no result yet waits (its
 * bookkeeping alone, prepare_only, succeeds); an interrupted cell or an error of the
 * environment writes no result, so the next invocation retries. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/atomic_file.h"
#include "harness/cellrun.h"
#include "harness/result.h"
#include "tests/support/hfix.h"

typedef struct {
    Experiment e;
    CellList l;
    char results[300], dir[400];
    char out[4096];          /* what cellrun_one printed, one line per outcome */
    FILE *outf;
    volatile sig_atomic_t stop;
    CellRunOptions o;
} Rig;

static void rig_open(Rig *r, const char *name, const char *extra)
{
    QbErr err = {{0}};
    char cmd[800];
    cr_assert_eq(experiment_load(&r->e, hfix_experiment(name, extra), "", &err), 0, "%s", err.msg);
    cr_assert_eq(cells_expand(&r->e, &r->l, &err), 0, "%s", err.msg);
    snprintf(r->results, sizeof r->results, "%s/results-%s", hfix_dir(), name);
    snprintf(r->dir, sizeof r->dir, "%s/%s", r->results, r->e.name);
    snprintf(cmd, sizeof cmd, "rm -rf %s", r->results);
    cr_assert_eq(system(cmd), 0);
    r->outf = tmpfile();
    cr_assert(r->outf);
    r->stop = 0;
    r->o = (CellRunOptions){r->results, 1, 0, &r->stop, r->outf, r->outf};
}

/* Runs the cell; what it printed since the last call lands in r->out. */
static int rig_run(Rig *r, const Cell *c, QbErr *err)
{
    rewind(r->outf);
    if (ftruncate(fileno(r->outf), 0) != 0)
        cr_assert_fail("cannot truncate the output file");
    int rc = cellrun_one(&r->e, &r->l, c, &r->o, err);
    fflush(r->outf);
    rewind(r->outf);
    r->out[fread(r->out, 1, sizeof r->out - 1, r->outf)] = '\0';
    return rc;
}

static const char *path_of(const Rig *r, const Cell *c, const char *ext)
{
    static char paths[4][600];
    static int slot;
    char *p = paths[slot++ % 4];
    snprintf(p, 600, "%s/%s%s", r->dir, c->id, ext);
    return p;
}

static void rig_close(Rig *r)
{
    fclose(r->outf);
    cells_free(&r->l);
    experiment_free(&r->e);
}

Test(cellrun, a_trained_cell_writes_its_result_and_a_rerun_finds_it_done)
{
    Rig r;
    QbErr err = {{0}};
    rig_open(&r, "crun_train", NULL);
    const Cell *c = hfix_cell(&r.l, "lsq", 4, 1);
    cr_assert_eq(rig_run(&r, c, &err), 0, "%s", err.msg);
    cr_assert(strstr(r.out, "final top-1") && strstr(r.out, c->id), "%s", r.out);
    cr_assert(strstr(r.out, " epoch 1/1 "), "no epoch line: %s", r.out);
    ResultSummary s;
    cr_assert_eq(result_read(path_of(&r, c, ".json"), &s, &err), 0, "%s", err.msg);
    cr_assert_str_eq(s.status, "ok");
    cr_assert_eq(rig_run(&r, c, &err), 0, "%s", err.msg);
    cr_assert(strstr(r.out, "already done"), "%s", r.out);
    rig_close(&r);
}

Test(cellrun, the_same_cells_result_elsewhere_is_copied_not_retrained)
{
    Rig r;
    QbErr err = {{0}};
    char other[700], cmd[1600], *a, *b;
    size_t na, nb;
    rig_open(&r, "crun_reuse", NULL);
    const Cell *c = hfix_cell(&r.l, "fp", 0, 2);
    cr_assert_eq(rig_run(&r, c, &err), 0, "%s", err.msg);
    snprintf(other, sizeof other, "%s/elsewhere", r.results);
    snprintf(cmd, sizeof cmd, "mkdir -p %s && mv %s %s/", other, path_of(&r, c, ".json"), other);
    cr_assert_eq(system(cmd), 0);
    cr_assert_eq(rig_run(&r, c, &err), 0, "%s", err.msg);
    cr_assert(strstr(r.out, "copied, not retrained"), "%s", r.out);
    snprintf(other + strlen(other), sizeof other - strlen(other), "/%s.json", c->id);
    cr_assert_eq(file_read_all(other, &a, &na, &err), 0, "%s", err.msg);
    cr_assert_eq(file_read_all(path_of(&r, c, ".json"), &b, &nb, &err), 0, "%s", err.msg);
    cr_assert(na == nb && !memcmp(a, b, na), "the copy differs from its source");
    free(a);
    free(b);
    rig_close(&r);
}

static const char *chain = "progressive:\n  - {scheme: lsq, bits: [4, 2]}\n";

Test(cellrun, a_child_waits_for_its_parent_and_is_blocked_by_its_failure)
{
    Rig r;
    QbErr err = {{0}};
    rig_open(&r, "crun_chain", chain);
    const Cell *parent = hfix_cell(&r.l, "lsq", 4, 1), *child = hfix_cell(&r.l, "lsq", 2, 1);
    cr_assert_eq(child->parent, parent - r.l.cells);
    cr_assert_eq(rig_run(&r, child, &err), -1);
    cr_assert(strstr(err.msg, "has no result yet"), "%s", err.msg);
    r.o.prepare_only = 1;
    cr_assert_eq(rig_run(&r, child, &err), 0, "%s", err.msg);
    cr_assert_not(file_exists(path_of(&r, child, ".json")));
    r.o.prepare_only = 0;
    /* the parent failed: the child's result says so and it trains nothing */
    RunResult none = {0};
    cr_assert_eq(dir_create(r.dir, &err), 0, "%s", err.msg);
    cr_assert_eq(result_write(path_of(&r, parent, ".json"), &r.e, parent, &parent->cfg, &none,
                              "diverged in epoch 1", &err), 0, "%s", err.msg);
    cr_assert_eq(rig_run(&r, child, &err), 0, "%s", err.msg);
    ResultSummary s;
    cr_assert_eq(result_read(path_of(&r, child, ".json"), &s, &err), 0, "%s", err.msg);
    cr_assert_str_neq(s.status, "ok");
    cr_assert_not(file_exists(path_of(&r, child, ".ckpt")), "a blocked cell trained");
    cr_assert(strstr(r.out, child->id), "%s", r.out);
    rig_close(&r);
}

Test(cellrun, an_interrupted_cell_writes_no_result_and_names_its_checkpoint)
{
    Rig r;
    QbErr err = {{0}};
    rig_open(&r, "crun_stop", NULL);
    const Cell *c = hfix_cell(&r.l, "asq", 4, 1);
    r.stop = 1;  /* as a SIGTERM before the first step ends */
    cr_assert_eq(rig_run(&r, c, &err), -1);
    cr_assert(strstr(err.msg, "interrupted") && strstr(err.msg, path_of(&r, c, ".ckpt")), "%s",
              err.msg);
    cr_assert_not(file_exists(path_of(&r, c, ".json")));
    cr_assert(file_exists(path_of(&r, c, ".ckpt")), "nothing to resume from");
    r.stop = 0;
    cr_assert_eq(rig_run(&r, c, &err), 0, "%s", err.msg);
    cr_assert(file_exists(path_of(&r, c, ".json")));
    rig_close(&r);
}

Test(cellrun, an_error_of_the_environment_writes_no_result)
{
    Rig r;
    QbErr err = {{0}};
    rig_open(&r, "crun_env", NULL);
    const Cell *c = hfix_cell(&r.l, "lsq", 2, 2);
    /* a directory where the checkpoint goes: the run cannot save its first epoch */
    cr_assert_eq(dir_create(path_of(&r, c, ".ckpt"), &err), 0, "%s", err.msg);
    cr_assert_eq(rig_run(&r, c, &err), -1);
    cr_assert(strstr(err.msg, "no result written") && strstr(err.msg, "a rerun retries"), "%s",
              err.msg);
    cr_assert_not(file_exists(path_of(&r, c, ".json")));
    rig_close(&r);
}
