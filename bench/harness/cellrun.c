#include "cellrun.h"

#include <stdlib.h>
#include <string.h>

#include "core/atomic_file.h"
#include "run/converge.h"
#include "run/run.h"
#include "chainrun.h"
#include "plan.h"
#include "result.h"

/* The running cell's epoch lines, its id first (a make -j log interleaves cells). */
typedef struct {
    const Cell *cell;
    FILE *log;
} EpochLog;

static void epoch_line(void *user, const RunConfig *c, int epoch, int index, int batches,
                       double loss, double top1, double seconds, const EpochRecord *done)
{
    (void)index, (void)batches, (void)loss, (void)top1, (void)seconds;
    const EpochLog *l = user;
    if (done)
        fprintf(l->log, "%s epoch %d/%d lr %.4g train loss %.4f top1 %.2f%% test loss %.4f top1 "
                        "%.2f%% top5 %.2f%% %.1f s %.0f images/s\n",
                l->cell->id, epoch + 1, c->epochs, done->lr, done->train_loss, done->train_top1,
                done->test_loss, done->test_top1, done->test_top5, done->seconds,
                done->images_per_s);
}

/* A cell with the same id in another experiment's results has the same identity (its
 * configuration, data, starting point and the hashes of the code computing it): its finished
 * result is copied instead of training again. Returns 1 when copied. */
static int reuse_result(const CellRunOptions *o, const Experiment *e, const Cell *cell,
                        const char *path, QbErr *err)
{
    char from[512], *text;
    size_t n;
    QbErr ignored;
    if (!plan_reusable(o->results, e->name, cell->id, from, sizeof from) ||
        file_read_all(from, &text, &n, &ignored) < 0)
        return 0;
    int rc = chainrun_copy_checkpoint(cell, from, path, err);
    if (rc == 1)
        rc = atomic_write(path, text, n, err) < 0 ? -1 : 1;
    free(text);
    if (rc == 1)
        fprintf(o->out, "%s: ok, the same cell as %s (copied, not retrained) -> %s\n", cell->id,
                from, path);
    return rc;
}

/* A chained cell whose parent failed: its result records why it did not run. */
static int write_blocked(const CellRunOptions *o, const Experiment *e, const Cell *cell,
                         const char *path, const ChainStep *step, QbErr *err)
{
    RunResult none;
    memset(&none, 0, sizeof none);
    if (result_write(path, e, cell, &cell->cfg, &none, step->reason, err) < 0)
        return -1;
    fprintf(o->out, "%s: %s -> %s\n", cell->id, step->reason, path);
    return 0;
}

/* The chain's bookkeeping first (chainrun.h); prepare_only stops there (1). */
static int chain_step(const CellRunOptions *o, const CellList *cells, const Cell *cell,
                      const char *dir, ChainStep *step, QbErr *err)
{
    if (chainrun_prepare(dir, cells, cell, step, err) < 0)
        return -1;
    if (step->note[0])
        fprintf(o->out, "%s\n", step->note);
    if (step->verdict == CHAIN_WAIT && !o->prepare_only)
        return qb_fail(err, "%s: the cell it starts from, %s, has no result yet; run make, which "
                            "trains a chain in order", cell->id, cells->cells[cell->parent].id);
    return o->prepare_only ? 1 : 0;
}

/* The cell's configuration as it trains here: from its parent's checkpoint, resumable. */
static RunConfig training_config(const CellRunOptions *o, const Cell *cell, const char *dir,
                                 const ChainStep *step)
{
    RunConfig c = cell->cfg;
    if (step->from[0])
        snprintf(c.from, sizeof c.from, "%s", step->from);
    c.threads = o->threads ? o->threads : c.threads;
    c.resume = 1;
    c.progress = 0;
    snprintf(c.ckpt, sizeof c.ckpt, "%s/%s.ckpt", dir, cell->id);
    if (cell->best_children)
        snprintf(c.best_ckpt, sizeof c.best_ckpt, "%s/%s.best.ckpt", dir, cell->id);
    return c;
}

static void outcome_line(const CellRunOptions *o, const Cell *cell, const RunResult *res,
                         const char *path)
{
    if (!res->n_epochs) {
        fprintf(o->out, "%s: failed (%s) -> %s\n", cell->id, res->reason, path);
        return;
    }
    ConvCheck conv;
    convergence_check(&res->curve, &conv);
    fprintf(o->out, "%s: %s, final top-1 %.2f%% (best %.2f%%), %d epochs, %s -> %s\n", cell->id,
            res->status == RUN_OK ? "ok" : "failed", res->epochs[res->n_epochs - 1].test_top1,
            res->epochs[run_best_epoch(res)].test_top1, res->n_epochs,
            conv_verdict_name(conv.verdict), path);
}

static int train_cell(const CellRunOptions *o, const Experiment *e, const Cell *cell,
                      const char *dir, const char *path, const ChainStep *step, QbErr *err)
{
    RunConfig c = training_config(o, cell, dir, step);
    EpochLog log = {cell, o->log};
    RunResult res;
    QbErr run_err = {{0}};
    int rc = run_execute(&c, &res, epoch_line, &log, o->stop, &run_err);
    if (rc == 0 && res.status == RUN_INTERRUPTED) {
        rc = qb_fail(err, "%s: %s; the checkpoint %s resumes it", cell->id, res.reason, c.ckpt);
        run_result_free(&res);
        return rc;
    }
    /* An error of the environment (unreadable data, a full disk) is no outcome of the cell:
     * no result file, so that the next invocation retries (a chain's children wait for it).
     * Divergence is one: recorded, and a parent that diverged blocks its children. */
    if (rc < 0) {
        run_result_free(&res);
        return qb_fail(err, "%s: %s; no result written to %s, so a rerun retries the cell",
                       cell->id, run_err.msg, path);
    }
    rc = result_write(path, e, cell, &c, &res, NULL, err);
    if (rc == 0 && res.status != RUN_OK)
        rc = chainrun_failed(dir, cell, err);
    if (rc == 0)
        outcome_line(o, cell, &res, path);
    run_result_free(&res);
    return rc;
}

int cellrun_one(const Experiment *e, const CellList *cells, const Cell *cell,
                const CellRunOptions *o, QbErr *err)
{
    char dir[330], path[440];
    if (snprintf(dir, sizeof dir, "%s/%s", o->results, e->name) >= (int)sizeof dir)
        return qb_fail(err, "%s: too long a results directory", o->results);
    snprintf(path, sizeof path, "%s/%s.json", dir, cell->id);
    ChainStep step;
    int chained = chain_step(o, cells, cell, dir, &step, err);
    if (chained)
        return chained < 0 ? -1 : 0;
    if (file_exists(path)) {
        fprintf(o->out, "%s: already done (%s)\n", cell->id, path);
        return 0;
    }
    if (dir_create(dir, err) < 0)
        return -1;
    if (step.verdict == CHAIN_BLOCKED)
        return write_blocked(o, e, cell, path, &step, err);
    int reused = reuse_result(o, e, cell, path, err);
    if (reused)
        return reused < 0 ? -1 : 0;
    return train_cell(o, e, cell, dir, path, &step, err);
}
