/* `qbench expand`: an experiment's cell ids, one per line, as a run of it (profile, seeds,
 * budget, settings) would train them. */
#include <stdio.h>

#include "expargs.h"
#include "cli.h"

typedef struct {
    ExpArgs x;
} ExpandArgs;

static const ArgSpec expand_specs[] = {EXPARGS_SPECS(ExpandArgs, x), {NULL}};

static int run_expand(int argc, char **argv, QbErr *err)
{
    ExpandArgs a = {0};
    Experiment e = {0};
    CellList cells;
    int rc = args_parse(argc, argv, expand_specs, &a, err);
    if (rc)
        return rc;
    if (expargs_cells(&a.x, &e, &cells, err) < 0)
        return experiment_free(&e), -1;
    for (int i = 0; i < cells.n; i++)
        printf("%s\n", cells.cells[i].id);
    cells_free(&cells);
    experiment_free(&e);
    return 0;
}

const CliCommand cli_expand = {
    "expand", "list an experiment's cell ids, one per line (the result files' names)",
    expand_specs, run_expand, NULL};
