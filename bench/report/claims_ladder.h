/* The budget ladder (claims.h's `ladder:`): the quick profiles train briefly, so a verdict
 * there may measure how fast a method recovers in a few dozen steps rather than the method.
 * Every accuracy claim decided at the profile's own length (1x) is measured again on cells
 * trained longer (each rung: a budget and its seeds), and marked budget-stable or
 * budget-sensitive; every bits table's rows at the ladder's bit-width are shown at each budget
 * beside their paired difference to the table's baseline; and the cells `make ladder` trains
 * are listed as one makefile fragment. */
#ifndef QB_CLAIMS_LADDER_H
#define QB_CLAIMS_LADDER_H

#include "claims_check.h"

/* A rung with at least this many seeds decides a verdict of its own; one with fewer shows
 * only which side of the bound its mean lies on (two seeds' 95% interval is ±12.7 sd wide). */
#define LADDER_DECIDING_SEEDS 3

/* The claims at one rung: the set's experiments at the rung's budget and seeds (owned), its
 * claims borrowed, and their grids. */
typedef struct {
    ClaimSet set;
    ClaimGrids grids;
} LadderRungSet;

typedef struct {
    LadderRungSet *rungs;   /* one per ClaimSet.rungs entry (owned) */
    int n;
} Ladder;

typedef enum {
    LADDER_NONE,        /* not laddered: undecided at 1x, or no training behind it */
    LADDER_INCOMPLETE,  /* a rung lacks its cells, or no rung decides */
    LADDER_STABLE,      /* every rung agrees with 1x, one of them deciding */
    LADDER_SENSITIVE,   /* a deciding rung differs, or a rung's mean crossed the bound */
} LadderStability;

/* Each rung's grids from results_dir (by matrix position and budget when cs->by_position). */
int ladder_load(const ClaimSet *cs, const char *results_dir, Ladder *l, QbErr *err);
void ladder_free(Ladder *l);

const char *ladder_stability_name(LadderStability s);

/* Whether claim c, with verdict base at 1x, is laddered: an accuracy claim decided at 1x. */
int ladder_wanted(const Claim *c, Verdict base);

/* Claim c, decided base at 1x, against its results at[0..n) on the n rungs, each of which
 * should have planned[r] pairs (its seeds): a rung with fewer is incomplete and decides
 * nothing; sensitive when a rung of LADDER_DECIDING_SEEDS or more pairs gives another verdict
 * or a smaller rung's mean lies on the other side of the bound; else incomplete when a rung
 * lacks pairs (a rung planned too small to decide may have none yet: ladder_stable_to) or
 * none decides; else stable. */
LadderStability ladder_stability(const Claim *c, Verdict base, const ClaimResult *at,
                                 const int *planned, int n);

/* c at every rung (at[0..l->n)) and its stability against its 1x result. */
int ladder_measure(const Ladder *l, int claim, const ClaimResult *base, const char *results_dir,
                   ClaimResult *at, LadderStability *st, QbErr *err);

/* Claim c's rungs separated by sep, then (with_stability) its stability in bold: "3x: +0.52
 * [+0.10, +0.94] holds (n=3)<sep>10x: +0.31, on 1x's side (n=1)<sep>**budget-stable**", or
 * "...<sep>10x: missing<sep>**budget-stable** to 3x"; "–" when not laddered. */
void ladder_text(const ClaimSet *cs, const Claim *c, const ClaimResult *base,
                 const ClaimResult *at, LadderStability st, const char *sep, int with_stability,
                 char *out, size_t cap);

/* The largest budget a stable claim was measured at when one of its rungs (too small to
 * decide) has no cells yet: "budget-stable to 3x"; 0 when every rung has them, or not
 * stable. */
int ladder_stable_to(const ClaimSet *cs, const ClaimResult *at, LadderStability st);

/* The ladder's rows table, <out_base>.md and .csv: every bits table's rows at
 * cs->ladder_bits, at 1x (base) and at each rung. */
int ladder_rows_write(const ClaimSet *cs, const ClaimGrids *base, const Ladder *l,
                      const char *results_dir, const char *out_base, QbErr *err);

/* decided[i] (cs->n flags): whether claim i is decided at 1x in the reference results placed
 * by matrix position (the committed verdicts the ladder re-examines). */
int ladder_decided(const ClaimSet *cs, const char *reference, int *decided, QbErr *err);

/* `make ladder`'s fragment: at 1x and every rung, the cells of every claim `decided`
 * marks (cs->n flags) and the ladder's rows, with every rule they need, results under
 * $(RESULTS) by cell id. Prints one line counting them to out. */
int ladder_make(const ClaimSet *cs, const int *decided, const char *results_dir,
                const char *path, FILE *out, QbErr *err);

#endif
