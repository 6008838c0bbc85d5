/* `qbench report`: an experiment's table files (.md, .tex, .csv) from its result files,
 * checked against a reference when one is given (cli/tablefile.h). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "expargs.h"
#include "tablefile.h"
#include "cli.h"

typedef struct {
    ExpArgs x;
    char results[256], out[256], reference[256], tolerance[32];
    int by_position;
} ReportArgs;

static const ArgSpec report_specs[] = {
    EXPARGS_SPECS(ReportArgs, x),
    {"--results", ARG_STR, ARG_TEXT(ReportArgs, results), .value = "DIR",
     .help = "the results directory (default results)"},
    {"--out", ARG_STR, ARG_TEXT(ReportArgs, out), .value = "BASE",
     .help = "write BASE.md, .tex and .csv (default DIR/tables/<experiment>)"},
    {"--reference", ARG_STR, ARG_TEXT(ReportArgs, reference), .value = "DIR",
     .help = "check the table against this reference, the summary as the last line"},
    {"--tolerance", ARG_STR, ARG_TEXT(ReportArgs, tolerance), .value = "PTS",
     .help = "with --reference: a one-seed cell's allowed distance to it, in points"},
    {"--by-position", ARG_FLAG, ARG_AT(ReportArgs, by_position),
     .help = "place results by matrix position instead of cell id (the committed reference, "
             "made by earlier code)"},
    {NULL}};

/* --tolerance POINTS: a one-seed cell's allowed distance to the reference. */
static int tolerance_arg(const char *text, double *out, QbErr *err)
{
    char *end;
    *out = NAN;
    if (!text[0])
        return 0;
    *out = strtod(text, &end);
    if (*end || !(*out >= 0 && *out <= 100))
        return qb_fail(err, "--tolerance: expected points from 0 to 100, got '%s'", text),
               CLI_USAGE;
    return 0;
}

static int run_report(int argc, char **argv, QbErr *err)
{
    ReportArgs a = {.results = "results"};
    TableFileOptions o = {a.results, a.out, a.reference, NAN, 0};
    Experiment e = {0};
    CellList cells;
    int rc = args_parse(argc, argv, report_specs, &a, err);
    if (rc || (rc = tolerance_arg(a.tolerance, &o.tolerance, err)))
        return rc;
    if (a.tolerance[0] && !a.reference[0])
        return qb_fail(err, "--tolerance applies to --reference; give both"), CLI_USAGE;
    if (a.by_position && a.reference[0])
        return qb_fail(err, "--by-position renders a reference's table; it does not combine "
                            "with --reference"), CLI_USAGE;
    o.by_position = a.by_position;
    if (expargs_cells(&a.x, &e, &cells, err) < 0)
        return experiment_free(&e), -1;
    rc = tablefile_write(&o, &e, &cells, err);
    cells_free(&cells);
    experiment_free(&e);
    return rc;
}

const CliCommand cli_report = {
    "report", "write an experiment's tables (.md, .tex, .csv) from its result files, checked "
              "against a reference with --reference (never an empty table over one with "
              "results)",
    report_specs, run_report, NULL};
