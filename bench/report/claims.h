/* The papers' claims as checkable comparisons (experiments/claims.yaml). Each claim compares a
 * method with what it is compared with: cells of an experiment's matrix at a net and bit-width
 * (accuracy), the probe's block or layer errors, the integer path's operation counts, or the
 * quantizers' level sets. Its kind says what is claimed about `method − versus` (operation
 * counts: `method / versus`):
 *   difference                 on the claimed side of a threshold;
 *   equivalence                within ±margin of a centre (the margin's source is stated);
 *   difference_of_differences  (method − versus at bits) − (the same at base_bits), per seed;
 *   ablation                   a difference whose versus cell is another experiment's (the
 *                              method without one of its parts), paired by seed.
 * Loading validates the file like every experiment file (file:line:col errors): unknown kinds,
 * schemes or properties, cells no experiment measures, malformed thresholds and margins, fields
 * a kind does not take. Rendering gives each claim qbench's measured difference, its 95%
 * interval and n, the verdict (holds, contradicted or unresolved) as a statement about the
 * regime measured, and, where the paper gives numbers, whether the paper's own difference lies
 * inside qbench's interval. */
#ifndef QB_CLAIMS_H
#define QB_CLAIMS_H

#include <stdio.h>

#include "harness/experiment.h"
#include "paired.h"

typedef enum {
    CLAIM_TOP1, CLAIM_TOP5, CLAIM_BLOCK_ERROR, CLAIM_LAYER_ERROR, CLAIM_INT_OPS, CLAIM_LEVELS
} ClaimQuantity;

typedef enum {
    CLAIM_DIFFERENCE, CLAIM_EQUIVALENCE, CLAIM_DIFF_OF_DIFFS, CLAIM_ABLATION
} ClaimKind;

/* Level-set claims: a property of a method's normalised weight levels (non-negative half). */
typedef enum { LEVELS_SMALLEST_STEP, LEVELS_LARGEST_GAP, LEVELS_NEAR_ZERO } LevelProperty;

typedef struct {
    char id[64], text[256], source[256], note[256];
    ClaimKind kind;
    ClaimQuantity quantity;
    int exp;         /* index into ClaimSet.exps: the accuracy cells' experiment, or the one
                        whose checkpoints a probe claim's data came from; -1 for none */
    int versus_exp;  /* the versus cells' experiment: exp, or an ablation's own */
    char net[32], method[32], versus[32];
    int bits;
    int versus_bits; /* level sets: versus's bit-width (default bits) */
    int base_bits;   /* difference of differences: the other bit-width */
    int greater;     /* difference kinds: method − versus > threshold (else <) */
    double threshold;/* difference kinds: the bound; equivalence: the centre */
    double margin;   /* equivalence: the half-width around the centre (> 0) */
    char margin_source[256];
    LevelProperty property;
    double range;    /* LEVELS_NEAR_ZERO: levels in (0, range] */
    int every;       /* block/layer error: the claim is about every block (1) or some (0) */
    /* the paper's numbers, NAN where it gives none: its two sides (and, for a difference of
     * differences, the two sides at base_bits), or only the value of the comparison */
    double paper_method, paper_versus, paper_base_method, paper_base_versus, paper_value;
    char paper_note[256];
    char paper_regime[256]; /* the regime of the paper's number, "" = the experiment's */
    char data[256];         /* block/layer error: the probe's .dat file, used only when
                               measured on the claim's cells (probe_source.h) */
} Claim;

/* One rung of the budget ladder (`ladder:` in the claims file): the claims' cells trained at
 * `budget` times the profile's length (experiment_budget) with the first `seeds` seeds. */
typedef struct {
    int budget, seeds;
} LadderRung;

typedef struct {
    char path[512], profile[32];
    LadderRung *rungs;       /* nrungs of them above 1x, ascending budgets (owned) */
    int nrungs;
    int ladder_bits;         /* every bits-layout table's rows at this bit-width are laddered
                                too (0: none) */
    Claim *claims;           /* n of them (owned) */
    int n, cap;
    Experiment *exps;        /* the experiments the claims read (owned) */
    int nexps, capexps;
    int by_position;   /* set by the caller: results placed by matrix position (the reference) */
    char block_data[256]; /* claims_block_data's file, "" when each claim reads its own */
} ClaimSet;

/* Loads `path` for `profile`; experiments are <dir of path>/<experiment>.yaml. */
int claims_load(ClaimSet *cs, const char *path, const char *profile, QbErr *err);
void claims_free(ClaimSet *cs);

/* "difference", ..., and "top1", ... as the file spells them. */
const char *claim_kind_name(ClaimKind k);
const char *claim_quantity_name(ClaimQuantity q);
/* What an operation-count claim's versus names when it compares with the uniform layer of
 * the same shape rather than with another method. */
#define CLAIM_VERSUS_UNIFORM "uniform"
int claim_versus_is_uniform(const char *versus);
/* The quantity called name (as claim_quantity_name spells it), or -1. */
int claim_quantity_index(const char *name);

/* The paper's own value of the comparison (method − versus, method / versus for operation
 * counts, the difference of differences, or the stated value); NAN where it gives none. */
double claim_paper_value(const Claim *c);

/* The range a sampled difference can take: two accuracies differ by at most 100 points, two
 * such differences by at most 200; bounds past it are cut and marked (paired.h). */
const DiffScale *claim_diff_scale(const Claim *c);

/* The verdict of claim c on the measured difference d (d->lo, d->hi its interval; exact: a
 * computed value or range, decided even with n = 1). Missing when n == 0; an interval needs
 * n >= 2 unless exact. Difference kinds as verdict_of: holds when the whole interval is on the
 * claimed side, contradicted when wholly on the other. Equivalence: holds when the whole
 * interval lies strictly inside centre ± margin, contradicted when it lies wholly outside;
 * an interval touching the margin is unresolved. */
Verdict claim_verdict(const Claim *c, const Paired *d, int exact);

/* Measures every claim from results_dir (and the probe data, the integer path and the level
 * sets) and writes <out_base>.md and .csv atomically; prints one line per claim to `out`. */
int claims_write(const ClaimSet *cs, const char *results_dir, const char *out_base, FILE *out,
                 QbErr *err);

/* Extends every experiment's seed list to n seeds (never shortens it), so the claims pair
 * every seed up to n that has results (`make claims SEEDS_MAX=n`). */
int claims_seeds_max(ClaimSet *cs, int n, QbErr *err);
/* Every block-error claim reads `path` instead of its own `data:` file, every layer-error claim
 * the layer_error.dat beside it (the probe writes both into one directory; the committed
 * reference keeps its probe data beside its results). Returns -1 when a path is too long. */
int claims_block_data(ClaimSet *cs, const char *path, QbErr *err);
/* For every accuracy claim still unresolved: the missing result files of the first seed whose
 * cells are incomplete, one line "EXPERIMENT_FILE RESULT" each (RESULT relative to
 * results_dir), duplicates possible when claims share a cell. Returns the number of lines, or
 * -1. A claim with no seed left to add prints nothing. */
int claims_next_cells(const ClaimSet *cs, const char *results_dir, FILE *out, QbErr *err);

#endif
