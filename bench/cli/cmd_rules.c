/* `qbench rules`: an experiment's makefile fragment (harness/makefrag.h), one target per
 * result file, as `make reproduce-TABLE` runs it. */
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/makefrag.h"
#include "harness/result.h"
#include "expargs.h"
#include "cli.h"

typedef struct {
    ExpArgs x;
    char make[256], table[CELL_ID_MAX];
    int allow_shared;
} RulesArgs;

static const ArgSpec rules_specs[] = {
    EXPARGS_SPECS(RulesArgs, x),
    {"--make", ARG_STR, ARG_TEXT(RulesArgs, make), .value = "OUT.mk", .required = 1,
     .help = "the fragment to write"},
    {"--table", ARG_STR, ARG_TEXT(RulesArgs, table), .value = "NAME",
     .help = "its `table` target writes RESULTS/tables/NAME.{md,tex,csv} (default: the "
             "experiment's name)"},
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

static int rules_job(void *args, Experiment *e, const CellList *cells, QbErr *err)
{
    const RulesArgs *a = args;
    int rc = name_clash(e, a->allow_shared, err) < 0 ? -1
             : makefrag_write(a->make, e, cells, a->table[0] ? a->table : e->name, err);
    if (rc == 0)
        fprintf(stderr, "%s (profile %s): %d cells -> %s\n", a->x.file,
                e->profile[0] ? e->profile : "none", cells->n, a->make);
    return rc;
}

static int run_rules(int argc, char **argv, QbErr *err)
{
    RulesArgs a = {0};
    return expargs_run(argc, argv, rules_specs, &a, &a.x, NULL, rules_job, err);
}

const CliCommand cli_rules = {
    "rules", "write an experiment's makefile fragment: one target per result file (a "
             "`qbench run-cell` recipe), `cells`, and `table`, which writes its tables",
    rules_specs, run_rules, NULL};
