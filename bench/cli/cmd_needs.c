/* `qbench needs`: every input an experiment's cells need (data files, starting checkpoints;
 * harness/needs.h) that is missing, listed at once; a checkpoint a --pretrain recipe makes is
 * trained by the run (`qbench rules` writes its rule). */
#include <stdio.h>

#include "expargs.h"
#include "cli.h"

typedef struct {
    ExpArgs x;
    ArgList pretrain;
} NeedsArgs;

static const ArgSpec needs_specs[] = {
    EXPARGS_SPECS(NeedsArgs, x),
    EXPARGS_PRETRAIN(NeedsArgs, pretrain),
    {NULL}};

/* Fails when an input is missing that no recipe makes. */
static int run_needs(int argc, char **argv, QbErr *err)
{
    NeedsArgs a = {0};
    Experiment e = {0};
    Needs n = {0};
    int rc = args_parse(argc, argv, needs_specs, &a, err);
    if (rc)
        return rc;
    if ((rc = expargs_load(&a.x, &e, err)) || (rc = expargs_needs(&a.pretrain, &e, &n, err)))
        return needs_free(&n), experiment_free(&e), rc;
    needs_print(stdout, &e, &n);
    fflush(stdout);
    int missing = needs_blocking(&n);
    if (missing)
        rc = qb_fail(err, "%s (profile %s): %d input%s missing (listed above); its cells cannot "
                          "start without %s", a.x.file, e.profile[0] ? e.profile : "none",
                     missing, missing == 1 ? " is" : "s are", missing == 1 ? "it" : "them");
    needs_free(&n);
    experiment_free(&e);
    return rc;
}

const CliCommand cli_needs = {
    "needs", "list every input an experiment's cells need that is missing (data files, "
             "starting checkpoints) at once; fails when one is that no --pretrain recipe makes",
    needs_specs, run_needs, NULL};
