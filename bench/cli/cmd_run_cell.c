/* `qbench run-cell`: one cell of an experiment trained into its result file
 * (harness/cellrun.h); each target of the makefile fragment runs it. */
#include <stdio.h>

#include "harness/cellrun.h"
#include "run/stop.h"
#include "expargs.h"
#include "cli.h"

typedef struct {
    ExpArgs x;
    char cell[CELL_ID_MAX], results[256];
    int threads, prepare;
} RunCellArgs;

static const ArgSpec run_cell_specs[] = {
    EXPARGS_SPECS(RunCellArgs, x),
    {"--cell", ARG_STR, ARG_TEXT(RunCellArgs, cell), .value = "ID", .required = 1,
     .help = "the cell to train (ids: qbench expand FILE --profile P)"},
    {"--results", ARG_STR, ARG_TEXT(RunCellArgs, results), .value = "DIR",
     .help = "the results directory: the result goes to DIR/<experiment>/ID.json (default "
             "results)"},
    {"--threads", ARG_INT, ARG_AT(RunCellArgs, threads), 1, 256, .value = "N",
     .help = "training threads (default: the cell's own setting)"},
    {"--prepare", ARG_FLAG, ARG_AT(RunCellArgs, prepare),
     .help = "a chained cell's bookkeeping only (stale or failed results retired), no training"},
    {NULL}};

static int run_cell_job(void *args, Experiment *e, const CellList *cells, QbErr *err)
{
    const RunCellArgs *a = args;
    const Cell *cell = cells_find(cells, a->cell);
    if (!cell)
        return qb_fail(err, "%s (profile %s): no cell '%s'; the file changed since the make "
                            "fragment was written; rerun make to regenerate it", a->x.file,
                       e->profile[0] ? e->profile : "none", a->cell);
    CellRunOptions o = {a->results, a->threads, a->prepare, run_stop_on_signals(), stdout,
                        stderr};
    return cellrun_one(e, cells, cell, &o, err);
}

static int run_run_cell(int argc, char **argv, QbErr *err)
{
    RunCellArgs a = {.results = "results"};
    return expargs_run(argc, argv, run_cell_specs, &a, &a.x, NULL, run_cell_job, err);
}

const CliCommand cli_run_cell = {
    "run-cell", "train one cell and write its result file (resumes from its checkpoint; a "
                "result of the same cell elsewhere is copied)",
    run_cell_specs, run_run_cell, NULL};
