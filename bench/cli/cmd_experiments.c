/* `qbench experiments`: the experiment file of every experiment with results under a
 * results directory, one per line: a committed one (experiments/NAME.yaml), or a compare
 * run's, written again from the template; `make tables` and `make plots` read them. */
#include <dirent.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "core/atomic_file.h"
#include "harness/compare.h"
#include "harness/result.h"
#include "quantizers/registry.h"
#include "cli.h"

typedef struct {
    char results[256], experiments[256], compare_dir[256];
} ExperimentsArgs;

static const ArgSpec experiments_specs[] = {
    {"--results", ARG_STR, ARG_TEXT(ExperimentsArgs, results), .value = "DIR",
     .help = "the results directory (default results)"},
    {"--experiments", ARG_STR, ARG_TEXT(ExperimentsArgs, experiments), .value = "DIR",
     .help = "where the committed experiment files are (default experiments)"},
    {"--compare-dir", ARG_STR, ARG_TEXT(ExperimentsArgs, compare_dir), .value = "DIR",
     .help = "where a compare run's file is written again (default build/compare)"},
    {NULL}};

/* The file of results directory `name` into path: 1 when there is one, 0 when not (a note
 * says so unless the name is reserved), -1 on error. */
static int experiment_of(const ExperimentsArgs *a, const char *name, char *path, size_t cap,
                         QbErr *err)
{
    char template_path[600];
    QbErr ignored;
    snprintf(path, cap, "%s/%s.yaml", a->experiments, name);
    if (file_exists(path))
        return 1;
    const char *method = name + strlen(COMPARE_PREFIX);
    if (!strncmp(name, COMPARE_PREFIX, strlen(COMPARE_PREFIX)) &&
        !quantizer_name_check(method, &ignored)) {
        snprintf(path, cap, "%s/%s.yaml", a->compare_dir, name);
        snprintf(template_path, sizeof template_path, "%s/compare.yaml.in", a->experiments);
        return dir_create(a->compare_dir, err) < 0 ||
                       compare_file_write(template_path, method, path, err) < 0
                   ? -1 : 1;
    }
    if (!result_dir_reserved(name))
        fprintf(stderr, "note: %s/%s/ is not a committed or compare experiment's; make "
                        "experiment EXP=<its file> rebuilds its table\n", a->results, name);
    return 0;
}

static int run_experiments(int argc, char **argv, QbErr *err)
{
    ExperimentsArgs a = {.results = "results", .experiments = "experiments",
                         .compare_dir = "build/compare"};
    struct dirent **names;
    int rc = args_parse(argc, argv, experiments_specs, &a, err);
    if (rc)
        return rc;
    int n = scandir(a.results, &names, NULL, alphasort);
    for (int i = 0; i < n; i++) {
        char dir[600], path[900];
        struct stat st;
        snprintf(dir, sizeof dir, "%s/%s", a.results, names[i]->d_name);
        if (rc == 0 && names[i]->d_name[0] != '.' && stat(dir, &st) == 0 &&
            S_ISDIR(st.st_mode) &&
            (rc = experiment_of(&a, names[i]->d_name, path, sizeof path, err)) > 0)
            printf("%s\n", path), rc = 0;
        free(names[i]);
    }
    if (n > 0)
        free(names);
    return rc;
}

const CliCommand cli_experiments = {
    "experiments", "the experiment file of every experiment with results under DIR, one per "
                   "line (a compare run's written again from the template)",
    experiments_specs, run_experiments, NULL};
