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
    TableFileOptions o;  /* the flags as tablefile_write takes them (report_check) */
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
    ARG_BY_POSITION(ReportArgs, by_position),
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

/* The flags that depend on each other, then the options they make. */
static int report_check(void *args, QbErr *err)
{
    ReportArgs *a = args;
    a->o = (TableFileOptions){a->results, a->out, a->reference, NAN, a->by_position};
    int rc = tolerance_arg(a->tolerance, &a->o.tolerance, err);
    if (rc)
        return rc;
    if (a->tolerance[0] && !a->reference[0])
        return qb_fail(err, "--tolerance applies to --reference; give both"), CLI_USAGE;
    if (a->by_position && a->reference[0])
        return qb_fail(err, "--by-position renders a reference's table; it does not combine "
                            "with --reference"), CLI_USAGE;
    return 0;
}

static int report_job(void *args, Experiment *e, const CellList *cells, QbErr *err)
{
    const ReportArgs *a = args;
    return tablefile_write(&a->o, e, cells, err);
}

static int run_report(int argc, char **argv, QbErr *err)
{
    ReportArgs a = {.results = "results"};
    return expargs_run(argc, argv, report_specs, &a, &a.x, report_check, report_job, err);
}

const CliCommand cli_report = {
    "report", "write an experiment's tables (.md, .tex, .csv) from its result files, checked "
              "against a reference with --reference (never an empty table over one with "
              "results)",
    report_specs, run_report, NULL};
