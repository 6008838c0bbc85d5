/* `qbench next-cells`: the results each accuracy claim left unresolved needs next (its next
 * seed's cells), one `FILE RESULT` line each; make claims SEEDS_MAX=N trains them. */
#include <stdio.h>

#include "claimargs.h"
#include "cli.h"

typedef struct {
    ClaimArgs c;
} NextCellsArgs;

static const ArgSpec next_cells_specs[] = {CLAIMARGS_SPECS(NextCellsArgs, c), {NULL}};

static int run_next_cells(int argc, char **argv, QbErr *err)
{
    NextCellsArgs a = {.c = CLAIMARGS_DEFAULTS};
    ClaimSet cs;
    int rc = args_parse(argc, argv, next_cells_specs, &a, err);
    if (rc || (rc = claimargs_load(&a.c, &cs, err)))
        return rc;
    rc = claims_next_cells(&cs, a.c.results, stdout, err) < 0 ? -1 : 0;
    claims_free(&cs);
    return rc;
}

const CliCommand cli_next_cells = {
    "next-cells", "the result files the unresolved accuracy claims need next (their next "
                  "seed's two cells), one `EXPERIMENT-FILE RESULT` line each",
    next_cells_specs, run_next_cells, NULL};
