/* `qbench expand`: an experiment's cell ids, one per line, as a run of it (profile, seeds,
 * budget, settings) would train them. */
#include <stdio.h>

#include "expargs.h"
#include "cli.h"

typedef struct {
    ExpArgs x;
} ExpandArgs;

static const ArgSpec expand_specs[] = {EXPARGS_SPECS(ExpandArgs, x), {NULL}};

static int expand_cells(void *args, Experiment *e, const CellList *cells, QbErr *err)
{
    (void)args, (void)e, (void)err;
    for (int i = 0; i < cells->n; i++)
        printf("%s\n", cells->cells[i].id);
    return 0;
}

static int run_expand(int argc, char **argv, QbErr *err)
{
    ExpandArgs a = {0};
    return expargs_run(argc, argv, expand_specs, &a, &a.x, NULL, expand_cells, err);
}

const CliCommand cli_expand = {
    "expand", "list an experiment's cell ids, one per line (the result files' names)",
    expand_specs, run_expand, NULL};
