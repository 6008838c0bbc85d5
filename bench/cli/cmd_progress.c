/* `qbench progress`: how far a run of an experiment is, one line (harness/plan.h); make
 * prints it after each cell. */
#include <stdint.h>
#include <stdio.h>
#include <sys/stat.h>
#include <time.h>

#include "harness/plan.h"
#include "expargs.h"
#include "cli.h"

typedef struct {
    ExpArgs x;
    char results[256], reference[256], after[512];
    uint64_t start;
} ProgressArgs;

static const ArgSpec progress_specs[] = {
    EXPARGS_SPECS(ProgressArgs, x),
    {"--start", ARG_U64, ARG_AT(ProgressArgs, start), 1, 1e12, .value = "SECONDS",
     .required = 1, .help = "when the run started, seconds since the epoch"},
    {"--after", ARG_STR, ARG_TEXT(ProgressArgs, after), .value = "RESULT",
     .help = "the result file of the cell just finished: no line when a newer result's line "
             "counts it"},
    {"--results", ARG_STR, ARG_TEXT(ProgressArgs, results), .value = "DIR",
     .help = "the results directory (default results)"},
    {"--reference", ARG_STR, ARG_TEXT(ProgressArgs, reference), .value = "DIR",
     .help = "the reference whose recorded timings estimate the time to go (default "
             "results/reference)"},
    {NULL}};

/* Whether a result of the plan was written after `after` (a result file). */
static int newer_result(const Plan *p, const char *after)
{
    struct stat mine, other;
    if (stat(after, &mine) != 0)
        return 0;
    for (int i = 0; i < p->n; i++)
        if (p->cells[i].action == PLAN_DONE && stat(p->cells[i].from, &other) == 0 &&
            (other.st_mtim.tv_sec > mine.st_mtim.tv_sec ||
             (other.st_mtim.tv_sec == mine.st_mtim.tv_sec &&
              other.st_mtim.tv_nsec > mine.st_mtim.tv_nsec)))
            return 1;
    return 0;
}

/* Cells that finish together under make -j each ask for a progress line once both results
 * are written: with --after, only the newest result's line is printed, since it counts the
 * others, so no count is printed twice. */
static int progress_job(void *args, Experiment *e, const CellList *cells, QbErr *err)
{
    const ProgressArgs *a = args;
    Plan p;
    if (plan_make(e, cells, a->results, a->reference, &p, err) < 0)
        return -1;
    if (!a->after[0] || !newer_result(&p, a->after))
        plan_progress(stdout, e, &p, (time_t)a->start, time(NULL));
    plan_free(&p);
    return 0;
}

static int run_progress(int argc, char **argv, QbErr *err)
{
    ProgressArgs a = {.results = "results", .reference = "results/reference"};
    return expargs_run(argc, argv, progress_specs, &a, &a.x, NULL, progress_job, err);
}

const CliCommand cli_progress = {
    "progress", "one line on how far a run of an experiment is: cells done, left, time elapsed "
                "and to go",
    progress_specs, run_progress, NULL};
