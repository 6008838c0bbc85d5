/* `qbench needs`: every input an experiment's cells need (data files, starting checkpoints;
 * harness/needs.h), listed at once, and the rules that pretrain the missing checkpoints. */
#include <stdio.h>

#include "expargs.h"
#include "cli.h"

typedef struct {
    ExpArgs x;
    ArgList pretrain;
    char make[256];
} NeedsArgs;

static const ArgSpec needs_specs[] = {
    EXPARGS_SPECS(NeedsArgs, x),
    EXPARGS_PRETRAIN(NeedsArgs, pretrain),
    {"--make", ARG_STR, ARG_TEXT(NeedsArgs, make), .value = "OUT.mk",
     .help = "write the rules that train the missing starting checkpoints by the --pretrain "
             "recipes (target `needs`); then only an input no rule makes is an error"},
    {NULL}};

/* Fails when an input is missing that it cannot make (or, without --make, when any is). */
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
    int missing = a.make[0] ? needs_blocking(&n) : needs_missing(&n);
    if (missing)
        rc = qb_fail(err, "%s (profile %s): %d input%s missing (listed above); its cells cannot "
                          "start without %s", a.x.file, e.profile[0] ? e.profile : "none",
                     missing, missing == 1 ? " is" : "s are", missing == 1 ? "it" : "them");
    else if (a.make[0])
        rc = needs_write_make(a.make, &e, &n, err);
    needs_free(&n);
    experiment_free(&e);
    return rc;
}

const CliCommand cli_needs = {
    "needs", "list every input an experiment's cells need that is missing (data files, "
             "starting checkpoints) at once; --make: the rules that pretrain the checkpoints",
    needs_specs, run_needs, NULL};
