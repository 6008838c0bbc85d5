/* `qbench prune`: the files under a results directory of cells no experiment file produces
 * any more (harness/prune.h), listed, and deleted with --delete: make prune-results [PRUNE=1]. */
#include <stdio.h>
#include <string.h>

#include "harness/prune.h"
#include "args.h"
#include "cli.h"

int cmd_prune(int argc, char **argv, QbErr *err)
{
    char results[256] = "results", reference[256] = "results/reference",
         experiments[256] = "experiments";
    ArgList sets = {0};
    int delete = 0;
    const ArgSpec specs[] = {{"--results", ARG_STR, results, 0, 0, sizeof results},
                             {"--reference", ARG_STR, reference, 0, 0, sizeof reference},
                             {"--experiments", ARG_STR, experiments, 0, 0, sizeof experiments},
                             {"--set", ARG_LIST, &sets, 0, 0, 0},
                             {"--delete", ARG_FLAG, &delete, 0, 0, 0},
                             {NULL, 0, NULL, 0, 0, 0}};
    int rc = args_parse(argc, argv, specs, err);
    if (rc)
        return rc;
    const char *set_items[ARG_LIST_MAX];
    for (int i = 0; i < sets.n; i++) {
        const RunField *field;
        const char *value;
        if (experiment_setting(sets.items[i], &field, &value, err) < 0)
            return CLI_USAGE;
        set_items[i] = sets.items[i];
    }
    PruneOptions o = {results, reference, experiments, set_items, sets.n};
    PruneList l;
    int deleted = -1;
    if (prune_find(&o, &l, err) < 0)
        return -1;
    rc = delete ? prune_delete(&l, &deleted, err) : 0;
    if (rc == 0)
        prune_print(stdout, &l, deleted);
    prune_free(&l);
    return rc;
}
