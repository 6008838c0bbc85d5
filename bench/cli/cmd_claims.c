/* `qbench claims`: the papers' claims (experiments/claims.yaml) checked against a results
 * directory: each claim's paired difference, interval and verdict (report/claims.h). */
#include <stdio.h>

#include "claimargs.h"
#include "tablefile.h"
#include "cli.h"

typedef struct {
    ClaimArgs c;
    char out[256], block_data[256];
    int by_position;
} ClaimsArgs;

static const ArgSpec claims_specs[] = {
    CLAIMARGS_SPECS(ClaimsArgs, c),
    {"--out", ARG_STR, ARG_TEXT(ClaimsArgs, out), .value = "BASE",
     .help = "write BASE.md and .csv (default DIR/tables/claims)"},
    ARG_BY_POSITION(ClaimsArgs, by_position),
    {"--block-data", ARG_STR, ARG_TEXT(ClaimsArgs, block_data), .value = "FILE",
     .help = "the probe's block errors read from FILE, its layer errors from the "
             "layer_error.dat beside it"},
    {NULL}};

static int run_claims(int argc, char **argv, QbErr *err)
{
    ClaimsArgs a = {.c = CLAIMARGS_DEFAULTS};
    ClaimSet cs;
    char out[600];
    int rc = args_parse(argc, argv, claims_specs, &a, err);
    if (rc || (rc = claimargs_load(&a.c, &cs, err)))
        return rc;
    cs.by_position = a.by_position;
    if (a.block_data[0])
        rc = claims_block_data(&cs, a.block_data, err);
    if (rc == 0)
        rc = tablefile_base(a.out, a.c.results, "claims", out, sizeof out, err) < 0 ? -1
             : claims_write(&cs, a.c.results, out, stdout, err);
    claims_free(&cs);
    return rc;
}

const CliCommand cli_claims = {
    "claims", "the claims table of a claims file (experiments/claims.yaml): each claim's paired "
              "difference, 95% interval and verdict from the results, as Markdown and CSV",
    claims_specs, run_claims, NULL};
