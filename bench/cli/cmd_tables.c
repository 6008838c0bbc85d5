/* `qbench tables`: the table of every profile of each experiment given with results (or of
 * one profile), each into <results>/tables/<name>, with -<profile> added for every profile
 * but quick (the Makefile's table names); `make tables` runs it on the experiments with
 * results (`qbench experiments`). */
#include <glob.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/result.h"
#include "expargs.h"
#include "tablefile.h"
#include "core/nametable.h"
#include "cli.h"

typedef struct {
    ExpArgs x;
    ArgWords files;
    char results[256], reference[256];
} TablesArgs;

static const ArgSpec tables_specs[] = {
    {"FILE", ARG_WORDS, ARG_AT(TablesArgs, files),
     .help = "the experiment files (experiments/NAME.yaml)"},
    {"--profile", ARG_STR, ARG_TEXT(TablesArgs, x.profile), .value = "P",
     .help = "this profile's table alone (default: every profile with results)"},
    {"--set", ARG_LIST, ARG_AT(TablesArgs, x.sets), .value = "SECTION.KEY=VALUE",
     .help = "a train or quant field over the file (`qbench schema` lists them)"},
    {"--results", ARG_STR, ARG_TEXT(TablesArgs, results), .value = "DIR",
     .help = "the results directory (default results)"},
    {"--reference", ARG_STR, ARG_TEXT(TablesArgs, reference), .value = "DIR",
     .help = "check each table against this reference, the summary as its last line"},
    {NULL}};

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

/* One profile (in a->x.profile): 1 when its table was written, 0 when it has no results
 * (said when `say_none`), -1 on error. A profile nothing ran is left alone before its cells
 * are expanded: its data set need not be on this machine. */
static int profile_table(const TablesArgs *a, int say_none, QbErr *err)
{
    Experiment e = {0};
    CellList cells;
    char out[256];
    const char *p = a->x.profile[0] ? a->x.profile : "none";
    if (expargs_load(&a->x, &e, err) < 0)
        return experiment_free(&e), -1;
    if (!profile_has_results(a->results, e.name, a->x.profile)) {
        if (say_none)
            printf("%s (profile %s): no results under %s/%s/, so no table\n", a->x.file, p,
                   a->results, e.name);
        return experiment_free(&e), 0;
    }
    if (cells_expand(&e, &cells, err) < 0)
        return experiment_free(&e), -1;
    int quick = !a->x.profile[0] || experiment_profile_is_default(a->x.profile), rc = 1;
    TableFileOptions o = {a->results, out, a->reference, NAN, 0};
    if (snprintf(out, sizeof out, "%s/tables/%s%s%s", a->results, e.name, quick ? "" : "-",
                 quick ? "" : a->x.profile) >= (int)sizeof out)
        rc = qb_fail(err, "--results %s: too long a path for its tables", a->results);
    else if (tablefile_results_present(a->results, &e, &cells) == 0)
        printf("%s (profile %s): every result under %s/%s/ is of another cell id (earlier code "
               "or settings), so no table; running the experiment retrains them\n", a->x.file,
               p, a->results, e.name), rc = 0;
    else if (tablefile_write(&o, &e, &cells, err) < 0)
        rc = -1;
    cells_free(&cells);
    experiment_free(&e);
    return rc;
}

/* The tables of one file (a.x.file). A profile without results writes nothing, and one the
 * file does not define is skipped: both say so. */
static int file_tables(const TablesArgs *a, QbErr *err)
{
    ExpName *names;
    int n, written = 0;
    int rc = experiment_profiles(a->x.file, &names, &n, err);
    if (rc)
        return rc;
    int found = nametable_find(NAMETABLE_TEXTS(names, n), a->x.profile) != NULL;
    if (a->x.profile[0] && !found) {
        printf("%s: no profile %s, so no table of it\n", a->x.file, a->x.profile);
        return free(names), 0;
    }
    int just_one = a->x.profile[0] || !n; /* the one asked for, or a file without profiles */
    for (int i = 0; rc >= 0 && i < (just_one ? 1 : n); i++) {
        TablesArgs one = *a;
        _Static_assert(sizeof one.x.profile == sizeof(ExpName), "profile names");
        if (!just_one)
            memcpy(one.x.profile, names[i], sizeof one.x.profile);
        rc = profile_table(&one, just_one || n == 1, err);
        written += rc > 0;
    }
    free(names);
    if (rc < 0)
        return -1;
    if (!written && !just_one && n > 1)
        printf("%s: none of its profiles has results under %s/, so no table\n", a->x.file,
               a->results);
    return 0;
}

/* Every file's tables, the next one after a failure too; the first failure is the error. */
static int run_tables(int argc, char **argv, QbErr *err)
{
    TablesArgs a = {.results = "results"};
    int rc = args_parse(argc, argv, tables_specs, &a, err), failed = 0;
    if (rc)
        return rc;
    for (int i = 0; i < a.files.n; i++) {
        QbErr mine = {{0}};
        if (snprintf(a.x.file, sizeof a.x.file, "%s", a.files.items[i]) >= (int)sizeof a.x.file)
            qb_fail(&mine, "%s: path too long", a.files.items[i]), rc = -1;
        else
            rc = file_tables(&a, &mine);
        if (rc && !failed++)
            *err = mine;
    }
    if (failed > 1)
        qb_wrap(err, "%d of %d files failed; the first: ", failed, a.files.n);
    return failed ? -1 : 0;
}

const CliCommand cli_tables = {
    "tables", "write the table of every profile of an experiment with results under DIR (or "
              "of --profile alone), as DIR/tables/NAME[-PROFILE]",
    tables_specs, run_tables, NULL};
