/* `qbench ladder CLAIMS --make OUT.mk`: the budget ladder's cells (report/claims_ladder.h) as
 * one makefile fragment whose `ladder` target trains them, as `make ladder` runs it. */
#include <stdio.h>
#include <stdlib.h>

#include "report/claims_ladder.h"
#include "args.h"
#include "cli.h"

typedef struct {
    char file[256], profile[32], results[256], reference[256], make[256];
} LadderArgs;

static const ArgSpec ladder_specs[] = {
    {"CLAIMS", ARG_OPERAND, ARG_TEXT(LadderArgs, file), .required = 1,
     .help = "the claims file with a ladder section (experiments/claims.yaml)"},
    {"--make", ARG_STR, ARG_TEXT(LadderArgs, make), .value = "OUT.mk", .required = 1,
     .help = "the fragment to write"},
    {"--profile", ARG_STR, ARG_TEXT(LadderArgs, profile), .value = "P",
     .help = "the profile of the experiments (default quick)"},
    {"--results", ARG_STR, ARG_TEXT(LadderArgs, results), .value = "DIR",
     .help = "where the cells' results go, by cell id (default results)"},
    {"--reference", ARG_STR, ARG_TEXT(LadderArgs, reference), .value = "DIR",
     .help = "the reference that decides which claims climb the ladder (default "
             "results/reference)"},
    {NULL}};

static int run_ladder(int argc, char **argv, QbErr *err)
{
    LadderArgs a = {.profile = EXP_DEFAULT_PROFILE, .results = "results", .reference = "results/reference"};
    const char *file = a.file, *results = a.results, *reference = a.reference, *make = a.make;
    int rc = args_parse(argc, argv, ladder_specs, &a, err);
    if (rc)
        return rc;
    ClaimSet cs;
    if (claims_load(&cs, file, a.profile, err) < 0)
        return -1;
    int *decided = calloc((size_t)cs.n + 1, sizeof *decided);
    if (!decided)
        rc = qb_fail(err, "%s: out of memory", file);
    else if (!cs.nrungs)
        rc = qb_fail(err, "%s: no ladder section (ladder: {rows_bits, rungs: [{budget, seeds}]})",
                     file);
    if (rc == 0)
        rc = ladder_decided(&cs, reference, decided, err);
    if (rc == 0)
        rc = ladder_make(&cs, decided, results, make, stdout, err);
    free(decided);
    claims_free(&cs);
    return rc;
}

const CliCommand cli_ladder = {
    "ladder", "the budget ladder's cells as one makefile fragment (target `ladder`): every "
              "accuracy claim decided in the reference (by matrix position) and every table's "
              "rows at the ladder's bit-width, at 1x and at each rung's budget and seeds of the "
              "file's ladder section, results by cell id under DIR (make ladder)",
    ladder_specs, run_ladder, NULL};
