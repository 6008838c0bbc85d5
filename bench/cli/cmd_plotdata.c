/* `qbench plotdata`: the data files of an experiment's figures (report/plotdata.h) from its
 * result files, which the gnuplot scripts in plots/ draw; make plots runs it per experiment. */
#include <stdio.h>

#include "core/atomic_file.h"
#include "report/plotdata.h"
#include "expargs.h"
#include "cli.h"

typedef struct {
    ExpArgs x;
    char results[256], out[256];
    int by_position;
} PlotdataArgs;

static const ArgSpec plotdata_specs[] = {
    EXPARGS_SPECS(PlotdataArgs, x),
    {"--out", ARG_STR, ARG_TEXT(PlotdataArgs, out), .value = "DIR", .required = 1,
     .help = "the directory of the data files (NAME-bits.dat, NAME-curves.dat)"},
    {"--results", ARG_STR, ARG_TEXT(PlotdataArgs, results), .value = "DIR",
     .help = "the results directory (default results)"},
    {"--by-position", ARG_FLAG, ARG_AT(PlotdataArgs, by_position),
     .help = "place results by matrix position instead of cell id (the committed reference, "
             "made by earlier code)"},
    {NULL}};

static int plotdata_job(void *args, Experiment *e, const CellList *cells, QbErr *err)
{
    const PlotdataArgs *a = args;
    int rc = dir_create(a->out, err) < 0 ? -1
             : plotdata_write(e, cells, a->results, a->by_position, a->out, err);
    if (rc >= 0)
        printf("%s: plot data from %d results in %s\n", e->name, rc, a->out);
    return rc < 0 ? -1 : 0;
}

static int run_plotdata(int argc, char **argv, QbErr *err)
{
    PlotdataArgs a = {.results = "results"};
    return expargs_run(argc, argv, plotdata_specs, &a, &a.x, NULL, plotdata_job, err);
}

const CliCommand cli_plotdata = {
    "plotdata", "write the data files of an experiment's figures (accuracy against bits and "
                "BitOPs, training curves) from its result files",
    plotdata_specs, run_plotdata, NULL};
