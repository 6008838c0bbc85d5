/* The harness commands: `validate`, `expand`, `run-cell`, `report` and `schema`. Each takes
 * an experiment file and a profile; make calls expand, then run-cell once per missing result
 * file, then report. */
#include <errno.h>
#include <math.h>
#include <glob.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <time.h>

#include "core/atomic_file.h"
#include "harness/cell.h"
#include "harness/cellrun.h"
#include "harness/chainrun.h"
#include "harness/estimate.h"
#include "harness/makefrag.h"
#include "harness/needs.h"
#include "harness/plan.h"
#include "harness/result.h"
#include "harness/schema.h"
#include "report/plotdata.h"
#include "report/claims.h"
#include "report/table.h"
#include "report/verdicts.h"
#include "run/converge.h"
#include "run/run.h"
#include "run/stop.h"
#include "quantizers/qcheck.h"
#include "quantizers/registry.h"
#include "core/threads.h"
#include "args.h"
#include "cli.h"

typedef struct {
    char file[256], profile[32], results[256], out[256], cell[CELL_ID_MAX], plot_data[256];
    ArgList sets;          /* --set SECTION.KEY=VALUE, over the file (make SET=...) */
    ArgList pretrain;      /* expand: --pretrain NAME=FLAGS, recipes of starting checkpoints */
    char reference[256], verdicts[32], tolerance[32], block_data[256];
    char after[512];       /* expand --progress --after RESULT: the cell just finished */
    int threads, needs, prepare, claims, by_position, plan, summary, jobs, allow_shared;
    int tables;            /* report --tables: every profile with results, named as make does */
    int seeds;             /* --seeds N: the matrix's first N seeds (0: all of them) */
    int budget;            /* --budget K: K times the profile's training length (0: 1x) */
    int seeds_max, next_cells; /* report --claims: seeds extended to N; the cells to add */
    uint64_t progress;     /* expand --progress: the run's start, seconds since the epoch */
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

/* `validate --method NAME [--check]`: NAME is a registered method and, with --check, it
 * passes the registry checks in every role and width it accepts (quantizers/qcheck.h);
 * `make compare` runs this on the new method before anything trains. */
static int validate_method(int argc, char **argv, QbErr *err)
{
    char name[64] = "";
    int check = 0, cases = 0;
    const ArgSpec specs[] = {{"--method", ARG_STR, name, 0, 0, sizeof name},
                             {"--check", ARG_FLAG, &check, 0, 0, 0},
                             {NULL, 0, NULL, 0, 0, 0}};
    int rc = args_parse(argc, argv, specs, err);
    if (rc || (rc = quantizer_name_check(name, err)))
        return rc;
    if (!check) {
        printf("%s: ok, a registered method (--check also runs its registry checks)\n", name);
        return 0;
    }
    const QuantizerOps *ops = quantizer_find(name);
    threads_set(1); /* the probes run thousands of tiny forwards */
    if (qcheck_method(ops, QCHECK_ALL, &cases, err) < 0)
        return qb_wrap(err, "%s fails the registry checks (quantizers/qcheck.h): ", name);
    printf("%s passes the registry checks in all %d of its role and bit-width cases: levels, "
           "forward on its grid, declared operations, %s\n", name, cases,
           ops->scale ? "input and parameter gradients against finite differences"
                      : "finite gradients (without a scale op it has no surrogate to take "
                        "finite differences of)");
    return 0;
}

int cmd_validate(int argc, char **argv, QbErr *err)
{
    HarnessArgs a = {0};
    if (argc >= 2 && !strcmp(argv[1], "--method"))
        return validate_method(argc, argv, err);
    const ArgSpec specs[] = {{"--profile", ARG_STR, a.profile, 0, 0, sizeof a.profile},
                             {NULL, 0, NULL, 0, 0, 0}};
    int rc = harness_args(argc, argv, specs, &a, err);
    if (rc)
        return rc;
    if (access(a.file, F_OK) != 0 && quantizer_find(a.file))
        return qb_fail(err, "%s is a method, not an experiment file: qbench validate --method %s",
                       a.file, a.file), CLI_USAGE;
    Experiment e;
    if (experiment_load(&e, a.file, a.profile, err) < 0)
        return -1;
    /* every profile the file defines, or the one asked for; "ok" only once all passed */
    int nprof = a.profile[0] || !e.nprofiles ? 1 : e.nprofiles;
    char names[EXP_PROFILES_MAX][32], counts[EXP_PROFILES_MAX * 64] = "";
    memcpy(names, e.profiles, sizeof names);
    for (int i = 0; i < nprof; i++) {
        const char *p = a.profile[0] || !e.nprofiles ? a.profile : names[i];
        int count;
        size_t used = strlen(counts);
        if (experiment_load(&e, a.file, p, err) < 0 || cells_check(&e, &count, err) < 0)
            return -1;
        snprintf(counts + used, sizeof counts - used, " profile %s: %d cells%s",
                 p[0] ? p : "(none)", count, i + 1 < nprof ? ";" : "");
    }
    printf("%s: ok;%s\n", a.file, counts);
    return 0;
}

/* The file, its profile, the --set settings, --budget and --seeds. */
static int load_experiment(const HarnessArgs *a, Experiment *e, QbErr *err)
{
    if (experiment_load(e, a->file, a->profile, err) < 0)
        return -1;
    for (int i = 0; i < a->sets.n; i++)
        if (experiment_set(e, a->sets.items[i], err) < 0)
            return -1;
    if (a->budget && experiment_budget(e, a->budget, err) < 0)
        return -1;
    return a->seeds ? experiment_seed_count(e, a->seeds, err) : 0;
}

static int load_cells(const HarnessArgs *a, Experiment *e, CellList *cells, QbErr *err)
{
    if (load_experiment(a, e, err) < 0)
        return -1;
    return cells_expand(e, cells, err);
}

/* Directories under a results directory that are not an experiment's. */
static int reserved_name(const char *name)
{
    return !strcmp(name, "reference") || !strcmp(name, "tables") || !strcmp(name, "bench");
}

/* Another experiment file beside this one, or under experiments/, with the same name would
 * write into the same results directory: refused unless sharing is asked for. */
static int name_clash(const Experiment *e, int allow_shared, QbErr *err)
{
    if (reserved_name(e->name))
        return qb_fail(err, "%s: name '%s' is reserved (results/%s/ is not an experiment's "
                            "results directory); give the experiment another name",
                       e->path, e->name, e->name);
    if (allow_shared)
        return 0;
    char dir[512], pattern[2][600], self[4096];
    snprintf(dir, sizeof dir, "%s", e->path);
    char *slash = strrchr(dir, '/');
    snprintf(pattern[0], sizeof pattern[0], "%s/*.yaml", slash ? (*slash = '\0', dir) : ".");
    snprintf(pattern[1], sizeof pattern[1], "experiments/*.yaml");
    if (!realpath(e->path, self))
        snprintf(self, sizeof self, "%s", e->path);
    int rc = 0;
    for (int k = 0; k < 2 && rc == 0; k++) {
        glob_t g;
        if (glob(pattern[k], 0, NULL, &g) != 0)
            continue;
        for (size_t i = 0; i < g.gl_pathc && rc == 0; i++) {
            char other[4096];
            Experiment o;
            QbErr ignored;
            if (realpath(g.gl_pathv[i], other) && !strcmp(other, self))
                continue;
            if (experiment_load(&o, g.gl_pathv[i], "", &ignored) == 0 && !strcmp(o.name, e->name))
                rc = qb_fail(err, "%s: name '%s' is also the name of %s: both would write "
                                  "results/%s/ and mix their cells; give this file its own "
                                  "`name:` (or ALLOW_SHARED_RESULTS=1, qbench expand "
                                  "--allow-shared-results, when sharing is meant)",
                             e->path, e->name, g.gl_pathv[i], e->name);
        }
        globfree(&g);
    }
    return rc;
}

/* Whether a result of the plan was written after `after` (a result file). */
static int newer_result(const Plan *p, const char *after)
{
    struct stat mine, other;
    if (stat(after, &mine) != 0)
        return 0;
    for (int i = 0; i < p->n; i++)
        if (p->cells[i].action == PLAN_DONE && stat(p->cells[i].from, &other) == 0 &&
            (other.st_mtim.tv_sec > mine.st_mtim.tv_sec ||
             (other.st_mtim.tv_sec == mine.st_mtim.tv_sec &&
              other.st_mtim.tv_nsec > mine.st_mtim.tv_nsec)))
            return 1;
    return 0;
}

/* --pretrain NAME=FLAGS items as recipes (pointing into a's items). */
static int pretrain_recipes(const HarnessArgs *a, PretrainRecipe *r, int *n, QbErr *err)
{
    *n = 0;
    for (int i = 0; i < a->pretrain.n; i++) {
        const char *item = a->pretrain.items[i], *eq = strchr(item, '=');
        if (!eq || eq == item || (size_t)(eq - item) >= sizeof r->name)
            return qb_fail(err, "--pretrain %s: expected NAME=FLAGS (`qbench train` flags)", item),
                   CLI_USAGE;
        if (!eq[strspn(eq + 1, " \t") + 1])
            continue;  /* an empty recipe is none */
        snprintf(r[*n].name, sizeof r->name, "%.*s", (int)(eq - item), item);
        r[(*n)++].flags = eq + 1;
    }
    return 0;
}

static int find_needs(const HarnessArgs *a, const Experiment *e, Needs *n, QbErr *err)
{
    PretrainRecipe r[ARG_LIST_MAX];
    int nr, rc = pretrain_recipes(a, r, &nr, err);
    return rc ? rc : needs_find(e, r, nr, n, err);
}

/* expand --needs: every input listed (stdout); with --make OUT, the fragment that trains the
 * starting checkpoints that can be trained. Fails when an input is missing that it cannot
 * make (or, without --make, when any is missing). */
static int expand_needs(const HarnessArgs *a, const Experiment *e, QbErr *err)
{
    Needs n;
    int rc = find_needs(a, e, &n, err);
    if (rc)
        return rc;
    needs_print(stdout, e, &n);
    fflush(stdout);
    int missing = a->out[0] ? needs_blocking(&n) : needs_missing(&n);
    if (missing)
        return qb_fail(err, "%s (profile %s): %d input%s missing (listed above); its cells cannot "
                            "start without %s", a->file, e->profile[0] ? e->profile : "none",
                       missing, missing == 1 ? " is" : "s are", missing == 1 ? "it" : "them");
    return a->out[0] ? needs_write_make(a->out, e, &n, err) : 0;
}

/* Estimates timed here for cells the reference has no timing of, and for the starting
 * checkpoints a run trains first. */
static int estimate_here(const Experiment *e, const CellList *cells, const Needs *n, Plan *p,
                         QbErr *err)
{
    Estimator s;
    int rc = estimator_init(&s, e, err);
    if (rc == 0)
        rc = estimate_cells(&s, cells, p, err);
    for (int i = 0; rc == 0 && i < n->nckpts; i++) {
        double seconds;
        if (n->ckpts[i].present || !n->ckpts[i].makeable)
            continue;
        rc = estimate_run(&s, &n->ckpts[i].pretrain, NULL, &seconds, err);
        p->pretrain_seconds += seconds;
        p->npretrain++;
    }
    if (rc == 0)
        estimator_note(&s, p->timed_note, sizeof p->timed_note);
    estimator_free(&s);
    return rc;
}

/* expand --plan or --summary: what the run will do, and how long it takes. With inputs
 * missing (--plan: listed first) the cells have no ids yet: all are to train. */
static int expand_plan(const HarnessArgs *a, const Experiment *e, QbErr *err)
{
    Needs n;
    CellList cells;
    Plan p;
    int rc = find_needs(a, e, &n, err);
    if (rc)
        return rc;
    if (a->plan)
        needs_print(stdout, e, &n);
    if (needs_missing(&n))
        cells_enumerate(e, &cells);
    else if (cells_expand(e, &cells, err) < 0)
        return -1;
    rc = plan_make(e, &cells, a->results, a->reference, &p, err);
    if (rc == 0)
        rc = estimate_here(e, &cells, &n, &p, err);
    if (rc == 0)
        plan_print(stdout, e, &cells, &p, a->jobs, a->plan);
    if (rc == 0 && needs_blocking(&n))
        printf("%s (profile %s): cannot start until the inputs listed above are there\n",
               e->name, e->profile[0] ? e->profile : "none");
    plan_free(&p);
    cells_free(&cells);
    return rc;
}

/* expand --progress: how far the run is. Cells that finish together under make -j each ask
 * for a progress line once both results are written: with --after (the cell's own result),
 * only the newest result's line is printed, since it counts the others, so no count is
 * printed twice. */
static int expand_progress(const HarnessArgs *a, const Experiment *e, const CellList *cells,
                           QbErr *err)
{
    Plan p;
    if (plan_make(e, cells, a->results, a->reference, &p, err) < 0)
        return -1;
    if (!a->after[0] || !newer_result(&p, a->after))
        plan_progress(stdout, e, &p, (time_t)a->progress, time(NULL));
    plan_free(&p);
    return 0;
}

int cmd_expand(int argc, char **argv, QbErr *err)
{
    HarnessArgs a = {0};
    snprintf(a.results, sizeof a.results, "results");
    snprintf(a.reference, sizeof a.reference, "results/reference");
    const ArgSpec specs[] = {{"--profile", ARG_STR, a.profile, 0, 0, sizeof a.profile},
                             {"--make", ARG_STR, a.out, 0, 0, sizeof a.out},
                             {"--table", ARG_STR, a.cell, 0, 0, sizeof a.cell},
                             {"--needs", ARG_FLAG, &a.needs, 0, 0, 0},
                             {"--allow-shared-results", ARG_FLAG, &a.allow_shared, 0, 0, 0},
                             {"--plan", ARG_FLAG, &a.plan, 0, 0, 0},
                             {"--summary", ARG_FLAG, &a.summary, 0, 0, 0},
                             {"--progress", ARG_U64, &a.progress, 1, 1e12, 0},
                             {"--after", ARG_STR, a.after, 0, 0, sizeof a.after},
                             {"--results", ARG_STR, a.results, 0, 0, sizeof a.results},
                             {"--reference", ARG_STR, a.reference, 0, 0, sizeof a.reference},
                             {"--jobs", ARG_INT, &a.jobs, 1, 4096, 0},
                             {"--seeds", ARG_INT, &a.seeds, 1, EXP_LIST_MAX, 0},
                             {"--budget", ARG_INT, &a.budget, 1, EXP_BUDGET_MAX, 0},
                             {"--set", ARG_LIST, &a.sets, 0, 0, 0},
                             {"--pretrain", ARG_LIST, &a.pretrain, 0, 0, 0},
                             {NULL, 0, NULL, 0, 0, 0}};
    int rc = harness_args(argc, argv, specs, &a, err);
    if (rc)
        return rc;
    if (a.after[0] && !a.progress)
        return qb_fail(err, "--after RESULT applies to --progress"), CLI_USAGE;
    if (a.needs + a.plan + a.summary + !!a.progress > 1)
        return qb_fail(err, "--needs, --plan, --summary and --progress are separate modes; give "
                            "one"), CLI_USAGE;
    Experiment e;
    if (load_experiment(&a, &e, err) < 0)
        return -1;
    if (a.needs)
        return expand_needs(&a, &e, err);
    if (a.plan || a.summary)
        return expand_plan(&a, &e, err);
    CellList cells;
    if (cells_expand(&e, &cells, err) < 0)
        return -1;
    if (a.progress) {
        rc = expand_progress(&a, &e, &cells, err);
    } else if (!a.out[0]) {
        for (int i = 0; i < cells.n; i++)
            printf("%s\n", cells.cells[i].id);
    } else {
        rc = name_clash(&e, a.allow_shared, err) < 0 ? -1
             : makefrag_write(a.out, &e, &cells, a.cell[0] ? a.cell : e.name, err);
        if (rc == 0)
            fprintf(stderr, "%s (profile %s): %d cells -> %s\n", a.file,
                    e.profile[0] ? e.profile : "none", cells.n, a.out);
    }
    cells_free(&cells);
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
                             {"--seeds", ARG_INT, &a.seeds, 1, EXP_LIST_MAX, 0},
                             {"--budget", ARG_INT, &a.budget, 1, EXP_BUDGET_MAX, 0},
                             {"--set", ARG_LIST, &a.sets, 0, 0, 0},
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
    {
        CellRunOptions o = {a.results, a.threads, a.prepare, run_stop_on_signals(), stdout,
                            stderr};
        rc = cellrun_one(&e, &cells, cell, &o, err);
    }
    cells_free(&cells);
    return rc;
}

/* --tolerance POINTS: a one-seed cell's allowed distance to the reference. */
static int tolerance_arg(const char *text, double *out, QbErr *err)
{
    char *end;
    *out = NAN;
    if (!text[0])
        return 0;
    *out = strtod(text, &end);
    if (*end || !(*out >= 0 && *out <= 100))
        return qb_fail(err, "--tolerance: expected points from 0 to 100, got '%s'", text),
               CLI_USAGE;
    return 0;
}

/* results/tables/<name> unless --out names another base; its directory is created. */
static int table_base(const HarnessArgs *a, const char *name, char *out, size_t cap, QbErr *err)
{
    char dir[600];
    if (a->out[0])
        snprintf(out, cap, "%s", a->out);
    else
        snprintf(out, cap, "%s/tables/%s", a->results, name);
    snprintf(dir, sizeof dir, "%s", out);
    char *slash = strrchr(dir, '/');
    if (!slash)
        return 0;
    *slash = '\0';
    return mkdir_p(dir, err);
}

static int report_plot_data(const HarnessArgs *a, const Experiment *e, const CellList *cells,
                            QbErr *err)
{
    int rc = mkdir_p(a->plot_data, err) < 0 ? -1
             : plotdata_write(e, cells, a->results, a->by_position, a->plot_data, err);
    if (rc >= 0)
        printf("%s: plot data from %d results in %s\n", e->name, rc, a->plot_data);
    return rc < 0 ? -1 : 0;
}

static int report_claims(const HarnessArgs *a, QbErr *err)
{
    ClaimSet cs;
    char out[600];
    if (claims_load(&cs, a->file, a->profile[0] ? a->profile : "quick", err) < 0)
        return -1;
    cs.by_position = a->by_position;
    int rc = a->seeds_max ? claims_seeds_max(&cs, a->seeds_max, err) : 0;
    if (rc == 0 && a->block_data[0])
        rc = claims_block_data(&cs, a->block_data, err);
    if (rc == 0 && a->next_cells)
        rc = claims_next_cells(&cs, a->results, stdout, err) < 0 ? -1 : 0;
    else if (rc == 0)
        rc = table_base(a, "claims", out, sizeof out, err) < 0 ? -1
             : claims_write(&cs, a->results, out, stdout, err);
    claims_free(&cs);
    return rc;
}

/* --reference names either an experiment's reference directory (result files directly in
 * it) or the reference root (results/reference, one directory per experiment). NULL when the
 * root has no directory for this experiment (a compare run, a user's file): nothing to check. */
static const char *reference_dir(const char *ref, const char *experiment, char *buf, size_t cap)
{
    struct stat st;
    if (!ref[0])
        return NULL;
    if (stat(ref, &st) != 0)
        return ref;  /* the loader names the missing directory */
    snprintf(buf, cap, "%s/%s", ref, experiment);
    if (stat(buf, &st) == 0 && S_ISDIR(st.st_mode))
        return buf;
    glob_t g;
    snprintf(buf, cap, "%s/*.json", ref);
    int has_results = glob(buf, 0, NULL, &g) == 0 && g.gl_pathc > 0;
    globfree(&g);
    return has_results ? ref : NULL;
}

/* How many cells have a result file under the results directory. */
static int results_present(const HarnessArgs *a, const Experiment *e, const CellList *cells)
{
    int n = 0;
    for (int i = 0; i < cells->n; i++) {
        char path[1024];
        struct stat st;
        snprintf(path, sizeof path, "%s/%s/%s.json", a->results, e->name, cells->cells[i].id);
        n += stat(path, &st) == 0;
    }
    return n;
}

/* The table files, and with --reference the reproduction summary as the last line. A table
 * with results is never replaced by one without: with no result file present, an existing
 * table is kept. */
static int report_table(const HarnessArgs *a, const Experiment *e, const CellList *cells,
                        QbErr *err)
{
    char out[600], summary[2048] = "", ref[600], md[620];
    TableOptions opt = {reference_dir(a->reference, e->name, ref, sizeof ref), NAN, summary,
                        sizeof summary, a->by_position};
    int rc, missing = 0;
    struct stat st;
    if ((rc = tolerance_arg(a->tolerance, &opt.tolerance, err)) ||
        (rc = table_base(a, e->name, out, sizeof out, err)))
        return rc;
    snprintf(md, sizeof md, "%s.md", out);
    if (!a->by_position && results_present(a, e, cells) == 0 && stat(md, &st) == 0) {
        printf("%s kept: none of its %d cells has a result under %s (profile %s)\n", md,
               cells->n, a->results, e->profile[0] ? e->profile : "none");
        return 0;
    }
    if ((rc = table_write(e, cells, a->results, &opt, out, &missing, err)))
        return rc;
    printf("%s.md, .tex, .csv written (%d of %d cells have results)\n%s%s", out,
           cells->n - missing, cells->n, summary, summary[0] ? "\n" : "");
    return 0;
}

/* report --tables: the table of every profile of the file with results under --results (or
 * of --profile alone), each into <results>/tables/<name>, with -<profile> added for every
 * profile but quick (the Makefile's table names). A profile without results writes nothing,
 * and one the file does not define is skipped: both say so. */
/* Whether <results>/<experiment>/ holds a result file of that profile (any cell id: one of
 * earlier code counts, so its table says what is stale). */
static int profile_has_results(const char *results, const char *experiment, const char *profile)
{
    char pattern[600];
    glob_t g;
    int found = 0;
    snprintf(pattern, sizeof pattern, "%s/%s/*.json", results, experiment);
    if (glob(pattern, 0, NULL, &g) != 0)
        return 0;
    for (size_t i = 0; i < g.gl_pathc && !found; i++) {
        ResultSummary r;
        QbErr ignored;
        found = result_read(g.gl_pathv[i], &r, &ignored) == 0 && !strcmp(r.profile, profile);
    }
    globfree(&g);
    return found;
}

/* One profile of report --tables (`one` carries it): 1 when its table was written, 0 when
 * it has no results (said when `say_none`), -1 on error. */
static int profile_table(HarnessArgs *one, int say_none, QbErr *err)
{
    Experiment e;
    CellList cells;
    const char *p = one->profile[0] ? one->profile : "none";
    /* a profile nothing ran is left alone before its cells are expanded: its data set need
     * not be on this machine */
    if (load_experiment(one, &e, err) < 0)
        return -1;
    if (!profile_has_results(one->results, e.name, one->profile)) {
        if (say_none)
            printf("%s (profile %s): no results under %s/%s/, so no table\n", one->file, p,
                   one->results, e.name);
        return 0;
    }
    if (load_cells(one, &e, &cells, err) < 0)
        return -1;
    int quick = !one->profile[0] || !strcmp(one->profile, "quick"), rc = 1;
    if (snprintf(one->out, sizeof one->out, "%s/tables/%s%s%s", one->results, e.name,
                 quick ? "" : "-", quick ? "" : one->profile) >= (int)sizeof one->out)
        rc = qb_fail(err, "--results %s: too long a path for its tables", one->results);
    else if (results_present(one, &e, &cells) == 0)
        printf("%s (profile %s): every result under %s/%s/ is of another cell id (earlier code "
               "or settings), so no table; running the experiment retrains them\n", one->file,
               p, one->results, e.name), rc = 0;
    else if (report_table(one, &e, &cells, err) < 0)
        rc = -1;
    cells_free(&cells);
    return rc;
}

static int report_tables(const HarnessArgs *a, QbErr *err)
{
    char names[EXP_PROFILES_MAX][32];
    int n, found = 0, written = 0;
    if (experiment_profiles(a->file, names, &n, err) < 0)
        return -1;
    for (int i = 0; i < n; i++)
        found |= !strcmp(names[i], a->profile);
    if (a->profile[0] && !found) {
        printf("%s: no profile %s, so no table of it\n", a->file, a->profile);
        return 0;
    }
    if (a->profile[0] || !n) /* the one asked for, or a file without profiles: its table */
        snprintf(names[0], sizeof names[0], "%s", a->profile), n = 1;
    for (int i = 0; i < n; i++) {
        HarnessArgs one = *a;
        _Static_assert(sizeof one.profile == sizeof names[i], "profile names");
        memcpy(one.profile, names[i], sizeof one.profile);
        int rc = profile_table(&one, n == 1, err);
        if (rc < 0)
            return -1;
        written += rc;
    }
    if (!written && n > 1)
        printf("%s: none of its profiles has results under %s/, so no table\n", a->file,
               a->results);
    return 0;
}

static int report_mode_check(const HarnessArgs *a, QbErr *err)
{
    double tolerance;
    int rc = tolerance_arg(a->tolerance, &tolerance, err);
    if (rc)
        return rc;
    if (!!a->plot_data[0] + !!a->verdicts[0] + a->claims + !!a->reference[0] > 1)
        return qb_fail(err, "--plot-data, --verdicts, --claims and --reference are separate "
                            "modes; give one"), CLI_USAGE;
    if (a->tables && (a->plot_data[0] || a->verdicts[0] || a->claims || a->out[0] ||
                      a->by_position))
        return qb_fail(err, "--tables writes every profile's table under --results; it does "
                            "not combine with --out, --by-position or another mode"), CLI_USAGE;
    if (a->claims && a->sets.n)
        return qb_fail(err, "--set applies to an experiment's table, not to --claims"), CLI_USAGE;
    /* --tables names its tables by profile alone, and the claims take their budgets from the
     * claims file's ladder section: a budget there would be silently dropped or misnamed */
    if (a->budget && (a->claims || a->tables))
        return qb_fail(err, "--budget applies to one experiment's table, plot data or verdicts, "
                            "not to --claims (its ladder section sets the budgets) or --tables"),
               CLI_USAGE;
    if ((a->seeds_max || a->next_cells || a->block_data[0]) && !a->claims)
        return qb_fail(err, "--seeds-max, --next-cells and --block-data apply to --claims"),
               CLI_USAGE;
    if (a->next_cells && a->by_position)
        return qb_fail(err, "--next-cells extends your own results, not a reference "
                            "(--by-position)"), CLI_USAGE;
    if (a->tolerance[0] && !a->reference[0])
        return qb_fail(err, "--tolerance applies to --reference; give both"), CLI_USAGE;
    if (a->by_position && (a->verdicts[0] || a->reference[0]))
        return qb_fail(err, "--by-position renders tables, claims or plot data of a reference; "
                            "it does not combine with --verdicts or --reference"), CLI_USAGE;
    return 0;
}

int cmd_report(int argc, char **argv, QbErr *err)
{
    HarnessArgs a = {0};
    snprintf(a.results, sizeof a.results, "results");
    const ArgSpec specs[] = {{"--profile", ARG_STR, a.profile, 0, 0, sizeof a.profile},
                             {"--results", ARG_STR, a.results, 0, 0, sizeof a.results},
                             {"--out", ARG_STR, a.out, 0, 0, sizeof a.out},
                             {"--plot-data", ARG_STR, a.plot_data, 0, 0, sizeof a.plot_data},
                             {"--reference", ARG_STR, a.reference, 0, 0, sizeof a.reference},
                             {"--tolerance", ARG_STR, a.tolerance, 0, 0, sizeof a.tolerance},
                             {"--verdicts", ARG_STR, a.verdicts, 0, 0, sizeof a.verdicts},
                             {"--claims", ARG_FLAG, &a.claims, 0, 0, 0},
                             {"--tables", ARG_FLAG, &a.tables, 0, 0, 0},
                             {"--by-position", ARG_FLAG, &a.by_position, 0, 0, 0},
                             {"--seeds", ARG_INT, &a.seeds, 1, EXP_LIST_MAX, 0},
                             {"--budget", ARG_INT, &a.budget, 1, EXP_BUDGET_MAX, 0},
                             {"--seeds-max", ARG_INT, &a.seeds_max, 1, EXP_LIST_MAX, 0},
                             {"--next-cells", ARG_FLAG, &a.next_cells, 0, 0, 0},
                             {"--block-data", ARG_STR, a.block_data, 0, 0, sizeof a.block_data},
                             {"--set", ARG_LIST, &a.sets, 0, 0, 0},
                             {NULL, 0, NULL, 0, 0, 0}};
    int rc = harness_args(argc, argv, specs, &a, err);
    if (rc || (rc = report_mode_check(&a, err)))
        return rc;
    if (a.claims)
        return report_claims(&a, err);
    if (a.tables)
        return report_tables(&a, err);
    Experiment e;
    CellList cells;
    if (load_cells(&a, &e, &cells, err) < 0)
        return -1;
    if (a.plot_data[0])
        rc = report_plot_data(&a, &e, &cells, err);
    else if (a.verdicts[0])
        rc = verdicts_print(&e, &cells, a.results, a.verdicts, stdout, err);
    else
        rc = report_table(&a, &e, &cells, err);
    cells_free(&cells);
    return rc;
}

int cmd_schema(int argc, char **argv, QbErr *err)
{
    int options = 0;
    const ArgSpec specs[] = {{"--options", ARG_FLAG, &options, 0, 0, 0}, {NULL, 0, NULL, 0, 0, 0}};
    int rc = args_parse(argc, argv, specs, err);
    if (rc)
        return rc;
    (options ? schema_options_markdown : schema_markdown)(stdout);
    return 0;
}
