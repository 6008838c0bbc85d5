/* `qbench validate`: an experiment file checked in every profile (or the one given), or a
 * method name checked against the registry (quantizers/qcheck.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness/cell.h"
#include "quantizers/qcheck.h"
#include "quantizers/registry.h"
#include "core/threads.h"
#include "cli.h"

typedef struct {
    char file[256], profile[32], method[64];
    int check;
} ValidateArgs;

static const ArgSpec validate_specs[] = {
    {"FILE", ARG_OPERAND, ARG_TEXT(ValidateArgs, file),
     .help = "the experiment file to check (or --method NAME instead)"},
    {"--profile", ARG_STR, ARG_TEXT(ValidateArgs, profile), .value = "P",
     .help = "check this profile only (default: every profile the file defines)"},
    {"--method", ARG_STR, ARG_TEXT(ValidateArgs, method), .value = "NAME",
     .help = "check a method name instead of a file: registered in quantizers/registry.c"},
    {"--check", ARG_FLAG, ARG_AT(ValidateArgs, check),
     .help = "with --method: also run the registry checks on the method (levels, forward, "
             "gradients against finite differences), as make compare does before training"},
    {NULL}};

/* NAME is a registered method and, with --check, it passes the registry checks in every role
 * and width it accepts; `make compare` runs this on the new method before anything trains. */
static int validate_method(const ValidateArgs *a, QbErr *err)
{
    int cases = 0, rc = quantizer_name_check(a->method, err);
    if (rc)
        return rc;
    if (!a->check) {
        printf("%s: ok, a registered method (--check also runs its registry checks)\n", a->method);
        return 0;
    }
    const QuantizerOps *ops = quantizer_find(a->method);
    threads_set(1); /* the probes run thousands of tiny forwards */
    if (qcheck_method(ops, QCHECK_ALL, &cases, err) < 0)
        return qb_wrap(err, "%s fails the registry checks (quantizers/qcheck.h): ", a->method);
    printf("%s passes the registry checks in all %d of its role and bit-width cases: levels, "
           "forward on its grid, declared operations, %s\n", a->method, cases,
           ops->scale ? "input and parameter gradients against finite differences"
                      : "finite gradients (without a scale op it has no surrogate to take "
                        "finite differences of)");
    return 0;
}

/* Every profile the file defines, or the one asked for; "ok" only once all passed. */
static int validate_file(const ValidateArgs *a, QbErr *err)
{
    if (access(a->file, F_OK) != 0 && quantizer_find(a->file))
        return qb_fail(err, "%s is a method, not an experiment file: qbench validate --method %s",
                       a->file, a->file), CLI_USAGE;
    Experiment e;
    int rc = 0;
    if (experiment_load(&e, a->file, a->profile, err) < 0)
        return experiment_free(&e), -1;
    /* each profile's count takes under 64 characters (a name is at most EXP_NAME_LEN - 1) */
    int nprof = a->profile[0] || !e.nprofiles ? 1 : e.nprofiles;
    ExpName *names = malloc(sizeof *names * (size_t)(e.nprofiles + 1));
    char *counts = calloc((size_t)nprof, 64);
    QB_ASSERT(names && counts);
    for (int i = 0; i < e.nprofiles; i++)
        memcpy(names[i], e.profiles[i], sizeof names[i]);
    for (int i = 0; rc == 0 && i < nprof; i++) {
        const char *p = a->profile[0] || !e.nprofiles ? a->profile : names[i];
        int count;
        size_t used = strlen(counts);
        experiment_free(&e);
        if (experiment_load(&e, a->file, p, err) < 0 || cells_check(&e, &count, err) < 0)
            rc = -1;
        else
            snprintf(counts + used, (size_t)nprof * 64 - used, " profile %s: %d cells%s",
                     p[0] ? p : "(none)", count, i + 1 < nprof ? ";" : "");
    }
    if (rc == 0)
        printf("%s: ok;%s\n", a->file, counts);
    free(names);
    free(counts);
    experiment_free(&e);
    return rc;
}

static int run_validate(int argc, char **argv, QbErr *err)
{
    ValidateArgs a = {0};
    int rc = args_parse(argc, argv, validate_specs, &a, err);
    if (rc)
        return rc;
    if (!a.method[0] == !a.file[0])
        return qb_fail(err, "expected an experiment file (experiments/NAME.yaml) or --method "
                            "NAME"), CLI_USAGE;
    if (a.check && !a.method[0])
        return qb_fail(err, "--check applies to --method"), CLI_USAGE;
    if (a.profile[0] && a.method[0])
        return qb_fail(err, "--profile applies to an experiment file, not to --method"), CLI_USAGE;
    return a.method[0] ? validate_method(&a, err) : validate_file(&a, err);
}

const CliCommand cli_validate = {
    "validate", "check an experiment file (every profile unless one is given), or a method name",
    validate_specs, run_validate, NULL};
