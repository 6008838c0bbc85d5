/* `qbench plan`: what a run of an experiment will do before it starts (harness/plan.h):
 * cells done, reused, to train, and the estimated time. */
#include <stdio.h>

#include "harness/estimate.h"
#include "harness/plan.h"
#include "expargs.h"
#include "cli.h"

typedef struct {
    ExpArgs x;
    ArgList pretrain;
    char results[256], reference[256];
    int jobs, summary;
} PlanArgs;

static const ArgSpec plan_specs[] = {
    EXPARGS_SPECS(PlanArgs, x),
    EXPARGS_PRETRAIN(PlanArgs, pretrain),
    {"--results", ARG_STR, ARG_TEXT(PlanArgs, results), .value = "DIR",
     .help = "the results directory (default results)"},
    {"--reference", ARG_STR, ARG_TEXT(PlanArgs, reference), .value = "DIR",
     .help = "the reference whose recorded timings estimate the time (default "
             "results/reference)"},
    {"--jobs", ARG_INT, ARG_AT(PlanArgs, jobs), 1, 4096, .value = "N",
     .help = "cells run at once (make -jN), for the estimate"},
    {"--summary", ARG_FLAG, ARG_AT(PlanArgs, summary),
     .help = "the counts and the estimated time only, without the inputs and a line per cell"},
    {NULL}};

/* Estimates timed here for cells the reference has no timing of, and for the starting
 * checkpoints a run trains first. */
static int estimate_here(const Experiment *e, const CellList *cells, const Needs *n, Plan *p,
                         QbErr *err)
{
    Estimator s;
    int rc = estimator_init(&s, e, err);
    if (rc == 0)
        rc = estimate_cells(&s, cells, p, err);
    for (int i = 0; rc == 0 && i < n->nckpts; i++) {
        double seconds;
        if (n->ckpts[i].present || !n->ckpts[i].makeable)
            continue;
        rc = estimate_run(&s, &n->ckpts[i].pretrain, NULL, &seconds, err);
        p->pretrain_seconds += seconds;
        p->npretrain++;
    }
    if (rc == 0)
        estimator_note(&s, p->timed_note, sizeof p->timed_note);
    estimator_free(&s);
    return rc;
}

/* With inputs missing (listed first) the cells have no ids yet: all are to train. */
static int plan_run(const PlanArgs *a, const Experiment *e, QbErr *err)
{
    Needs n = {0};
    CellList cells;
    Plan p;
    int rc = expargs_needs(&a->pretrain, e, &n, err);
    if (rc)
        return needs_free(&n), rc;
    if (!a->summary)
        needs_print(stdout, e, &n);
    if (needs_missing(&n))
        cells_enumerate(e, &cells);
    else if (cells_expand(e, &cells, err) < 0)
        return needs_free(&n), -1;
    rc = plan_make(e, &cells, a->results, a->reference, &p, err);
    if (rc == 0)
        rc = estimate_here(e, &cells, &n, &p, err);
    if (rc == 0)
        plan_print(stdout, e, &cells, &p, a->jobs, !a->summary);
    if (rc == 0 && needs_blocking(&n))
        printf("%s (profile %s): cannot start until the inputs listed above are there\n",
               e->name, e->profile[0] ? e->profile : "none");
    plan_free(&p);
    cells_free(&cells);
    needs_free(&n);
    return rc;
}

static int run_plan(int argc, char **argv, QbErr *err)
{
    PlanArgs a = {.results = "results", .reference = "results/reference"};
    Experiment e = {0};
    int rc = args_parse(argc, argv, plan_specs, &a, err);
    if (rc)
        return rc;
    if ((rc = expargs_load(&a.x, &e, err)) == 0)
        rc = plan_run(&a, &e, err);
    experiment_free(&e);
    return rc;
}

const CliCommand cli_plan = {
    "plan", "what a run of an experiment will do: its missing inputs, then per cell done, "
            "reused or to train, and the estimated time (make PLAN=1)",
    plan_specs, run_plan, NULL};
