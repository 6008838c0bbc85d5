/* `qbench ladder CLAIMS --make OUT.mk`: the budget ladder's cells (report/claims_ladder.h) as
 * one makefile fragment whose `ladder` target trains them, as `make ladder` runs it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/claims_ladder.h"
#include "args.h"
#include "cli.h"

int cmd_ladder(int argc, char **argv, QbErr *err)
{
    char file[256] = "", profile[32] = "quick", results[256] = "results",
         reference[256] = "results/reference", make[256] = "";
    const ArgSpec specs[] = {{"--profile", ARG_STR, profile, 0, 0, sizeof profile},
                             {"--results", ARG_STR, results, 0, 0, sizeof results},
                             {"--reference", ARG_STR, reference, 0, 0, sizeof reference},
                             {"--make", ARG_STR, make, 0, 0, sizeof make},
                             {NULL, 0, NULL, 0, 0, 0}};
    if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")))
        return ARGS_HELP;
    if (argc < 2 || argv[1][0] == '-')
        return qb_fail(err, "expected the claims file (experiments/claims.yaml) first"), CLI_USAGE;
    snprintf(file, sizeof file, "%s", argv[1]);
    int rc = args_parse(argc - 1, argv + 1, specs, err);
    if (rc)
        return rc;
    if (!make[0])
        return qb_fail(err, "--make OUT.mk is required"), CLI_USAGE;
    ClaimSet cs;
    if (claims_load(&cs, file, profile, err) < 0)
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
