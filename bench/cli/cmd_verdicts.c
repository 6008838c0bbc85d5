/* `qbench verdicts`: a method's paired verdicts against the other schemes of an experiment
 * (report/verdicts.h); make compare prints them after training. */
#include <stdio.h>

#include "report/verdicts.h"
#include "expargs.h"
#include "cli.h"

typedef struct {
    ExpArgs x;
    char results[256], method[32];
} VerdictsArgs;

static const ArgSpec verdicts_specs[] = {
    EXPARGS_SPECS(VerdictsArgs, x),
    {"--method", ARG_STR, ARG_TEXT(VerdictsArgs, method), .value = "METHOD", .required = 1,
     .help = "the scheme whose verdicts to print"},
    {"--results", ARG_STR, ARG_TEXT(VerdictsArgs, results), .value = "DIR",
     .help = "the results directory (default results)"},
    {NULL}};

static int verdicts_job(void *args, Experiment *e, const CellList *cells, QbErr *err)
{
    const VerdictsArgs *a = args;
    return verdicts_print(e, cells, a->results, a->method, stdout, err);
}

static int run_verdicts(int argc, char **argv, QbErr *err)
{
    VerdictsArgs a = {.results = "results"};
    return expargs_run(argc, argv, verdicts_specs, &a, &a.x, NULL, verdicts_job, err);
}

const CliCommand cli_verdicts = {
    "verdicts", "METHOD's paired verdicts against each other scheme of an experiment, and any "
                "cell at chance or far below its scheme's other bit-widths",
    verdicts_specs, run_verdicts, NULL};
