/* `qbench rules`: the makefile fragment of a run of an experiment (harness/runfrag.h): its
 * plan, the starting checkpoints it trains, one target per result file, its table; `make
 * reproduce-TABLE` writes it and runs one goal of it. */
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/runfrag.h"
#include "harness/result.h"
#include "expargs.h"
#include "cli.h"

typedef struct {
    ExpArgs x;
    ArgList pretrain;
    char make[256], table[CELL_ID_MAX];
    int allow_shared;
} RulesArgs;

static const ArgSpec rules_specs[] = {
    EXPARGS_SPECS(RulesArgs, x),
    EXPARGS_PRETRAIN(RulesArgs, pretrain),
    {"--make", ARG_STR, ARG_TEXT(RulesArgs, make), .value = "OUT.mk", .required = 1,
     .help = "the fragment to write"},
    {"--table", ARG_STR, ARG_TEXT(RulesArgs, table), .value = "NAME",
     .help = "its `table` target writes RESULTS/tables/NAME.{md,tex,csv}, which `show` "
             "prints (default: the experiment's name)"},
    {"--allow-shared-results", ARG_FLAG, ARG_AT(RulesArgs, allow_shared),
     .help = "another experiment file of the same name may write into the same results "
             "directory"},
    {NULL}};

/* Whether the file at `path` is another experiment named `name`. */
static int same_name(const char *path, const char *self, const char *name)
{
    char other[4096];
    Experiment o;
    QbErr ignored;
    if (realpath(path, other) && !strcmp(other, self))
        return 0;
    int same = experiment_load(&o, path, "", &ignored) == 0 && !strcmp(o.name, name);
    experiment_free(&o);
    return same;
}

/* Another experiment file beside this one, or under experiments/, with the same name would
 * write into the same results directory: refused unless sharing is asked for. */
static int name_clash(const Experiment *e, int allow_shared, QbErr *err)
{
    if (result_dir_reserved(e->name))
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
        for (size_t i = 0; i < g.gl_pathc && rc == 0; i++)
            if (same_name(g.gl_pathv[i], self, e->name))
                rc = qb_fail(err, "%s: name '%s' is also the name of %s: both would write "
                                  "results/%s/ and mix their cells; give this file its own "
                                  "`name:` (or ALLOW_SHARED_RESULTS=1, qbench rules "
                                  "--allow-shared-results, when sharing is meant)",
                             e->path, e->name, g.gl_pathv[i], e->name);
        globfree(&g);
    }
    return rc;
}

/* The fragment of e with its inputs n: the cells' rules once every input is here. */
static int write_fragment(const RulesArgs *a, int argc, char **argv, const Experiment *e,
                          const Needs *n, QbErr *err)
{
    CellList cells = {0};
    const char **pre_words = malloc(sizeof *pre_words * (2 * (size_t)a->pretrain.n + 1));
    QB_ASSERT(pre_words);
    for (int i = 0; i < a->pretrain.n; i++)
        pre_words[2 * i] = "--pretrain", pre_words[2 * i + 1] = a->pretrain.items[i];
    char *pre = runfrag_quote(pre_words, 2 * a->pretrain.n);
    free(pre_words);
    char *rules = runfrag_quote((const char *const *)argv + 1, argc - 1);
    RunFragOptions o = {a->table[0] ? a->table : e->name, pre, rules};
    int here = !needs_missing(n);
    int rc = here && cells_expand(e, &cells, err) < 0 ? -1
             : runfrag_write(a->make, e, n, here ? &cells : NULL, &o, err);
    cells_free(&cells);
    free(pre);
    free(rules);
    return rc;
}

static int run_rules(int argc, char **argv, QbErr *err)
{
    RulesArgs a = {0};
    Experiment e = {0};
    Needs n = {0};
    int rc = args_parse(argc, argv, rules_specs, &a, err);
    if (rc)
        return rc;
    if ((rc = expargs_load(&a.x, &e, err)) == 0 &&
        (rc = name_clash(&e, a.allow_shared, err)) == 0 &&
        (rc = expargs_needs(&a.pretrain, &e, &n, err)) == 0)
        rc = write_fragment(&a, argc, argv, &e, &n, err);
    needs_free(&n);
    experiment_free(&e);
    return rc;
}

const CliCommand cli_rules = {
    "rules", "write the makefile fragment of a run of an experiment: `plan`, `run`, `needs` "
             "(the starting checkpoints), one target per result file, `cells`, `table`, `show`",
    rules_specs, run_rules, NULL};
