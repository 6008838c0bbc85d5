/* `qbench prune`: the files under a results directory of cells no experiment file produces
 * any more (harness/prune.h), listed, and deleted with --delete: make prune-results [PRUNE=1]. */
#include <stdio.h>

#include "harness/prune.h"
#include "args.h"
#include "cli.h"

typedef struct {
    char results[256], reference[256], experiments[256];
    ArgList sets;
    int delete;
} PruneArgs;

static const ArgSpec prune_specs[] = {
    {"--results", ARG_STR, ARG_TEXT(PruneArgs, results), .value = "DIR",
     .help = "the results directory whose files are judged (default results)"},
    {"--reference", ARG_STR, ARG_TEXT(PruneArgs, reference), .value = "DIR",
     .help = "the reference, never pruned (default results/reference)"},
    {"--experiments", ARG_STR, ARG_TEXT(PruneArgs, experiments), .value = "DIR",
     .help = "the experiment files whose cells count as produced (default experiments)"},
    {"--set", ARG_LIST, ARG_AT(PruneArgs, sets), .value = "SECTION.KEY=VALUE",
     .help = "cells made under these settings count as produced too"},
    {"--delete", ARG_FLAG, ARG_AT(PruneArgs, delete), .help = "delete the files listed"},
    {NULL}};

static int run_prune(int argc, char **argv, QbErr *err)
{
    PruneArgs a = {.results = "results", .reference = "results/reference",
                   .experiments = "experiments"};
    const ArgList *sets = &a.sets;
    int rc = args_parse(argc, argv, prune_specs, &a, err);
    if (rc)
        return rc;
    const char *set_items[ARG_LIST_MAX];
    for (int i = 0; i < sets->n; i++) {
        const RunField *field;
        const char *value;
        if (experiment_setting(sets->items[i], &field, &value, err) < 0)
            return CLI_USAGE;
        set_items[i] = sets->items[i];
    }
    PruneOptions o = {a.results, a.reference, a.experiments, set_items, sets->n};
    PruneList l;
    int deleted = -1;
    if (prune_find(&o, &l, err) < 0)
        return -1;
    rc = a.delete ? prune_delete(&l, &deleted, err) : 0;
    if (rc == 0)
        prune_print(stdout, &l, deleted);
    prune_free(&l);
    return rc;
}

const CliCommand cli_prune = {
    "prune", "list the files under DIR/<experiment>/ (results, checkpoints, logs, locks) of "
             "cells that no experiment file produces any more, in any profile and at any budget "
             "(earlier code or settings); never the reference (make prune-results [PRUNE=1])",
    prune_specs, run_prune, NULL};
