/* Measuring one claim (claims_check.c) for the claims table (claims_render.c): the grids of
 * every experiment the claims read, and each claim's measured difference and verdict. */
#ifndef QB_CLAIMS_CHECK_H
#define QB_CLAIMS_CHECK_H

#include "claims.h"
#include "grid.h"

typedef struct {
    Paired d;              /* method − versus (int_ops: method / versus; a difference of
                              differences per seed); for exact values lo..hi is the value, or
                              the range over blocks or layers */
    int exact;             /* computed, not sampled: no interval to wait for */
    Verdict v;
    double a, b;           /* the two sides measured (means over the pairs; a difference of
                              differences: the difference at bits and at base_bits) */
    char interval_kind[32];
    char missing[2048];    /* how to measure it, when it could not be */
    int unconverged;       /* accuracy claims: the paired runs unconverged by their own
                              training curve (run/converge.h), and those without a verdict */
    int unrecorded;
} ClaimResult;

/* Every experiment's results, one grid per ClaimSet.exps entry. */
typedef struct {
    Grid *grids;
    CellList *cells;
    int n;
} ClaimGrids;

/* From results_dir: by cell id, or by matrix position (cs->by_position, the reference); an
 * experiment the directory has no results of reads as missing cells. */
int claim_grids_load(const ClaimSet *cs, const char *results_dir, ClaimGrids *g, QbErr *err);
void claim_grids_free(ClaimGrids *g);

/* results_dir: where the table's results are, which probe data must have been measured on. */
int claim_measure(const ClaimSet *cs, const Claim *c, const ClaimGrids *g,
                  const char *results_dir, ClaimResult *r, QbErr *err);

/* Calls visit(user, experiment index, cell id) for every cell an accuracy claim reads, each
 * seed of its experiment's list (duplicates possible). Other claims read no cells. */
typedef void (*ClaimCellVisit)(void *user, int exp, const char *id);
void claim_cells(const ClaimSet *cs, const Claim *c, const ClaimGrids *g, ClaimCellVisit visit,
                 void *user);

#endif
