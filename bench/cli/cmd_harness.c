/* The harness commands: `validate`, `expand`, `run-cell`, `report` and `schema`. Each takes
 * an experiment file and a profile; make calls expand, then run-cell once per missing result
 * file, then report. */
#include <errno.h>
#include <glob.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "../core/atomic_file.h"
#include "../harness/cell.h"
#include "../harness/chainrun.h"
#include "../harness/makefrag.h"
#include "../harness/result.h"
#include "../harness/schema.h"
#include "../report/plotdata.h"
#include "../report/table.h"
#include "../run/run.h"
#include "args.h"
#include "cli.h"

typedef struct {
    char file[256], profile[32], results[256], out[256], cell[CELL_ID_MAX], plot_data[256];
    int threads, needs, prepare;
} HarnessArgs;

/* argv[1] is the experiment file; the rest are flags from specs. */
static int harness_args(int argc, char **argv, const ArgSpec *specs, HarnessArgs *a, QbErr *err)
{
    if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")))
        return ARGS_HELP;
    if (argc < 2 || argv[1][0] == '-')
        return qb_fail(err, "expected an experiment file (experiments/NAME.yaml) first"), CLI_USAGE;
    if (strlen(argv[1]) >= sizeof a->file)
        return qb_fail(err, "experiment path too long"), CLI_USAGE;
    snprintf(a->file, sizeof a->file, "%s", argv[1]);
    return args_parse(argc - 1, argv + 1, specs, err);
}

static int mkdir_p(const char *dir, QbErr *err)
{
    char buf[1024];
    snprintf(buf, sizeof buf, "%s", dir);
    for (char *p = buf + 1; ; p++) {
        if (*p && *p != '/')
            continue;
        char c = *p;
        *p = '\0';
        if (mkdir(buf, 0777) < 0 && errno != EEXIST)
            return qb_fail(err, "%s: cannot create directory: %s", buf, strerror(errno));
        if (!c)
            return 0;
        *p = c;
    }
}

int cmd_validate(int argc, char **argv, QbErr *err)
{
    HarnessArgs a = {0};
    const ArgSpec specs[] = {{"--profile", ARG_STR, a.profile, 0, 0, sizeof a.profile},
                             {NULL, 0, NULL, 0, 0, 0}};
    int rc = harness_args(argc, argv, specs, &a, err);
    if (rc)
        return rc;
    Experiment e;
    if (experiment_load(&e, a.file, a.profile, err) < 0)
        return -1;
    /* every profile the file defines, or the one asked for */
    int nprof = a.profile[0] || !e.nprofiles ? 1 : e.nprofiles;
    char names[EXP_PROFILES_MAX][32];
    memcpy(names, e.profiles, sizeof names);
    printf("%s: ok;", a.file);
    for (int i = 0; i < nprof; i++) {
        const char *p = a.profile[0] || !e.nprofiles ? a.profile : names[i];
        int count;
        if (experiment_load(&e, a.file, p, err) < 0 || cells_check(&e, &count, err) < 0)
            return printf("\n"), -1;
        printf(" profile %s: %d cells%s", p[0] ? p : "(none)", count, i + 1 < nprof ? ";" : "\n");
    }
    return 0;
}

static int load_cells(const HarnessArgs *a, Experiment *e, CellList *cells, QbErr *err)
{
    if (experiment_load(e, a->file, a->profile, err) < 0)
        return -1;
    return cells_expand(e, cells, err);
}

int cmd_expand(int argc, char **argv, QbErr *err)
{
    HarnessArgs a = {0};
    const ArgSpec specs[] = {{"--profile", ARG_STR, a.profile, 0, 0, sizeof a.profile},
                             {"--make", ARG_STR, a.out, 0, 0, sizeof a.out},
                             {"--table", ARG_STR, a.cell, 0, 0, sizeof a.cell},
                             {"--needs", ARG_FLAG, &a.needs, 0, 0, 0},
                             {NULL, 0, NULL, 0, 0, 0}};
    int rc = harness_args(argc, argv, specs, &a, err);
    if (rc)
        return rc;
    Experiment e;
    if (a.needs) {
        char needs[EXP_LIST_MAX * (RUN_PATH_MAX + 1)];
        if (experiment_load(&e, a.file, a.profile, err) < 0)
            return -1;
        cells_needs(&e, needs, sizeof needs);
        fputs(needs, stdout);
        return 0;
    }
    CellList cells;
    if (load_cells(&a, &e, &cells, err) < 0)
        return -1;
    if (!a.out[0]) {
        for (int i = 0; i < cells.n; i++)
            printf("%s\n", cells.cells[i].id);
    } else {
        rc = makefrag_write(a.out, &e, &cells, a.cell[0] ? a.cell : e.name, err);
        if (rc == 0)
            fprintf(stderr, "%s (profile %s): %d cells -> %s\n", a.file,
                    e.profile[0] ? e.profile : "none", cells.n, a.out);
    }
    cells_free(&cells);
    return rc;
}

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
    (void)sig;
    stop_requested = 1;
}

static void cell_progress(void *user, const RunConfig *c, int epoch, int index, int batches,
                          double loss, double top1, double seconds, const EpochRecord *done)
{
    (void)index, (void)batches, (void)loss, (void)top1, (void)seconds;
    const Cell *cell = user;
    if (done)
        fprintf(stderr, "%s epoch %d/%d lr %.4g train loss %.4f top1 %.2f%% test loss %.4f top1 "
                        "%.2f%% top5 %.2f%% %.1f s %.0f images/s\n",
                cell->id, epoch + 1, c->epochs, done->lr, done->train_loss, done->train_top1,
                done->test_loss, done->test_top1, done->test_top5, done->seconds,
                done->images_per_s);
}

/* A cell with the same id in another experiment's results has the same identity: its
 * finished result is copied instead of training again. Returns 1 when copied. */
static int reuse_result(const HarnessArgs *a, const Cell *cell, const char *path, QbErr *err)
{
    char pattern[600];
    glob_t g;
    snprintf(pattern, sizeof pattern, "%s/*/%s.json", a->results, cell->id);
    if (glob(pattern, 0, NULL, &g) != 0)
        return 0;
    int rc = 0;
    for (size_t i = 0; i < g.gl_pathc && rc == 0; i++) {
        ResultSummary s;
        QbErr ignored;
        char *text;
        size_t n;
        if (result_read(g.gl_pathv[i], &s, &ignored) < 0 || !s.ok ||
            file_read_all(g.gl_pathv[i], &text, &n, &ignored) < 0)
            continue;
        rc = chainrun_copy_checkpoint(cell, g.gl_pathv[i], path, err);
        if (rc == 1)
            rc = atomic_write(path, text, n, err) < 0 ? -1 : 1;
        free(text);
        if (rc == 1)
            printf("%s: ok, the same cell as %s (copied, not retrained) -> %s\n", cell->id,
                   g.gl_pathv[i], path);
    }
    globfree(&g);
    return rc;
}

/* A chained cell whose parent failed: its result records why it did not run. */
static int write_blocked(const Experiment *e, const Cell *cell, const char *path,
                         const ChainStep *step, QbErr *err)
{
    RunResult none;
    memset(&none, 0, sizeof none);
    if (result_write(path, e, cell, &cell->cfg, &none, step->reason, err) < 0)
        return -1;
    printf("%s: %s -> %s\n", cell->id, step->reason, path);
    return 0;
}

/* The chain's bookkeeping first (chainrun.h); `--prepare` stops there. */
static int chain_step(const HarnessArgs *a, const CellList *cells, const Cell *cell,
                      const char *dir, ChainStep *step, QbErr *err)
{
    if (chainrun_prepare(dir, cells, cell, step, err) < 0)
        return -1;
    if (step->note[0])
        printf("%s\n", step->note);
    if (step->verdict == CHAIN_WAIT && !a->prepare)
        return qb_fail(err, "%s: the cell it starts from, %s, has no result yet; run make, which "
                            "trains a chain in order", cell->id, cells->cells[cell->parent].id);
    return a->prepare ? 1 : 0;
}

static int run_one(const HarnessArgs *a, const Experiment *e, const CellList *cells,
                   const Cell *cell, QbErr *err)
{
    char dir[330], path[440];
    snprintf(dir, sizeof dir, "%s/%s", a->results, e->name);
    snprintf(path, sizeof path, "%s/%s.json", dir, cell->id);
    ChainStep step;
    int chained = chain_step(a, cells, cell, dir, &step, err);
    if (chained)
        return chained < 0 ? -1 : 0;
    struct stat st;
    if (stat(path, &st) == 0) {
        printf("%s: already done (%s)\n", cell->id, path);
        return 0;
    }
    if (mkdir_p(dir, err) < 0)
        return -1;
    if (step.verdict == CHAIN_BLOCKED)
        return write_blocked(e, cell, path, &step, err);
    int reused = reuse_result(a, cell, path, err);
    if (reused)
        return reused < 0 ? -1 : 0;
    RunConfig c = cell->cfg;
    if (step.from[0])
        snprintf(c.from, sizeof c.from, "%s", step.from);
    c.threads = a->threads ? a->threads : c.threads;
    c.resume = 1;
    c.progress = 0;
    snprintf(c.ckpt, sizeof c.ckpt, "%s/%s.ckpt", dir, cell->id);
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    RunResult res;
    QbErr run_err = {{0}};
    int rc = run_execute(&c, &res, cell_progress, (void *)cell, &stop_requested, &run_err);
    if (rc == 0 && res.status == RUN_INTERRUPTED) {
        run_result_free(&res);
        return qb_fail(err, "%s: %s; the checkpoint %s resumes it", cell->id, res.reason, c.ckpt);
    }
    if (rc < 0)
        fprintf(stderr, "%s failed: %s\n", cell->id, run_err.msg);
    int failed = rc < 0 || res.status != RUN_OK;
    rc = result_write(path, e, cell, &c, &res, rc < 0 ? run_err.msg : NULL, err);
    if (rc == 0 && failed)
        rc = chainrun_failed(dir, cell, err);
    if (rc == 0 && res.n_epochs)
        printf("%s: %s, final top-1 %.2f%% (best %.2f%%), %d epochs -> %s\n", cell->id,
               res.status == RUN_OK ? "ok" : "failed", res.epochs[res.n_epochs - 1].test_top1,
               res.epochs[res.best_epoch].test_top1, res.n_epochs, path);
    else if (rc == 0)
        printf("%s: failed (%s) -> %s\n", cell->id, run_err.msg[0] ? run_err.msg : res.reason,
               path);
    run_result_free(&res);
    return rc;
}

int cmd_run_cell(int argc, char **argv, QbErr *err)
{
    HarnessArgs a = {0};
    snprintf(a.results, sizeof a.results, "results");
    const ArgSpec specs[] = {{"--profile", ARG_STR, a.profile, 0, 0, sizeof a.profile},
                             {"--cell", ARG_STR, a.cell, 0, 0, sizeof a.cell},
                             {"--results", ARG_STR, a.results, 0, 0, sizeof a.results},
                             {"--threads", ARG_INT, &a.threads, 1, 256, 0},
                             {"--prepare", ARG_FLAG, &a.prepare, 0, 0, 0},
                             {NULL, 0, NULL, 0, 0, 0}};
    int rc = harness_args(argc, argv, specs, &a, err);
    if (rc)
        return rc;
    if (!a.cell[0])
        return qb_fail(err, "--cell ID is required (ids: qbench expand FILE --profile P)"), CLI_USAGE;
    Experiment e;
    CellList cells;
    if (load_cells(&a, &e, &cells, err) < 0)
        return -1;
    const Cell *cell = cells_find(&cells, a.cell);
    if (!cell)
        rc = qb_fail(err, "%s (profile %s): no cell '%s'; the file changed since the make "
                          "fragment was written; rerun make to regenerate it", a.file,
                     e.profile[0] ? e.profile : "none", a.cell);
    else
        rc = run_one(&a, &e, &cells, cell, err);
    cells_free(&cells);
    return rc;
}

int cmd_report(int argc, char **argv, QbErr *err)
{
    HarnessArgs a = {0};
    snprintf(a.results, sizeof a.results, "results");
    const ArgSpec specs[] = {{"--profile", ARG_STR, a.profile, 0, 0, sizeof a.profile},
                             {"--results", ARG_STR, a.results, 0, 0, sizeof a.results},
                             {"--out", ARG_STR, a.out, 0, 0, sizeof a.out},
                             {"--plot-data", ARG_STR, a.plot_data, 0, 0, sizeof a.plot_data},
                             {NULL, 0, NULL, 0, 0, 0}};
    int rc = harness_args(argc, argv, specs, &a, err);
    if (rc)
        return rc;
    Experiment e;
    CellList cells;
    if (load_cells(&a, &e, &cells, err) < 0)
        return -1;
    if (a.plot_data[0]) {
        rc = mkdir_p(a.plot_data, err) < 0 ? -1
             : plotdata_write(&e, &cells, a.results, a.plot_data, err);
        if (rc >= 0)
            printf("%s: plot data from %d results in %s\n", e.name, rc, a.plot_data);
        cells_free(&cells);
        return rc < 0 ? -1 : 0;
    }
    char out[600], dir[600];
    if (a.out[0])
        snprintf(out, sizeof out, "%s", a.out);
    else
        snprintf(out, sizeof out, "%s/tables/%s", a.results, e.name);
    snprintf(dir, sizeof dir, "%s", out);
    char *slash = strrchr(dir, '/');
    int missing = 0;
    if (slash)
        *slash = '\0';
    rc = (slash ? mkdir_p(dir, err) : 0) < 0 ? -1
         : table_write(&e, &cells, a.results, out, &missing, err);
    if (rc == 0)
        printf("%s.md, .tex, .csv written (%d of %d cells have results)\n", out, cells.n - missing,
               cells.n);
    cells_free(&cells);
    return rc;
}

int cmd_schema(int argc, char **argv, QbErr *err)
{
    const ArgSpec specs[] = {{NULL, 0, NULL, 0, 0, 0}};
    int rc = args_parse(argc, argv, specs, err);
    if (rc)
        return rc;
    schema_markdown(stdout);
    return 0;
}
