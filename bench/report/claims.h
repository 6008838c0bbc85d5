/* The papers' claims as checkable comparisons (experiments/claims.yaml): each claim names a
 * method and what it is compared with (a scheme of an experiment's matrix at a net and
 * bit-width, the probe's block errors, or the integer path's operation counts), the claimed
 * side of a threshold, the paper's own numbers and its source. Loading validates the file
 * like every experiment file (file:line:col errors): unknown schemes, cells no experiment
 * measures, malformed thresholds. Rendering gives each claim qbench's measured difference,
 * its 95% interval and n, and the verdict: holds, contradicted or unresolved. */
#ifndef QB_CLAIMS_H
#define QB_CLAIMS_H

#include <stdio.h>

#include "harness/experiment.h"

typedef enum { CLAIM_TOP1, CLAIM_TOP5, CLAIM_BLOCK_ERROR, CLAIM_INT_OPS } ClaimQuantity;

typedef struct {
    char id[64], text[256], source[256], note[256];
    ClaimQuantity quantity;
    int exp;                       /* index into ClaimSet.exps (accuracy and block-error
                                      claims) */
    char net[32], method[32], versus[32];
    int bits;
    int greater;                   /* the claim: method − versus > threshold (else <) */
    double threshold;
    double paper_method, paper_versus;  /* NAN where the paper gives none */
    char paper_note[256];
    char data[256];                /* block error: the probe's block_error.dat, used only
                                      when measured on the claim's cells (probe_source.h) */
} Claim;

#define CLAIMS_MAX 64
#define CLAIM_EXPS_MAX 16

typedef struct {
    char path[512], profile[32];
    Claim claims[CLAIMS_MAX];
    int n;
    Experiment *exps;              /* the experiments the claims read (owned) */
    int nexps;
    int by_position;   /* set by the caller: results placed by matrix position (the reference) */
    char block_data[256]; /* claims_block_data's file, "" when each claim reads its own */
} ClaimSet;

/* Loads `path` for `profile`; experiments are <dir of path>/<experiment>.yaml. */
int claims_load(ClaimSet *cs, const char *path, const char *profile, QbErr *err);
void claims_free(ClaimSet *cs);

/* Measures every claim from results_dir (and the probe data, and the integer path) and
 * writes <out_base>.md and .csv atomically; prints one line per claim to `out`. */
int claims_write(const ClaimSet *cs, const char *results_dir, const char *out_base, FILE *out,
                 QbErr *err);

/* Extends every experiment's seed list to n seeds (never shortens it), so the claims pair
 * every seed up to n that has results (`make claims SEEDS_MAX=n`). */
int claims_seeds_max(ClaimSet *cs, int n, QbErr *err);
/* Every block-error claim reads `path` instead of its own `data:` file (the committed
 * reference keeps its probe data beside its results). Returns -1 when the path is too long. */
int claims_block_data(ClaimSet *cs, const char *path, QbErr *err);
/* For every accuracy claim still unresolved: the missing result files of the first seed whose
 * pair is incomplete, one line "EXPERIMENT_FILE RESULT" each (RESULT relative to results_dir),
 * duplicates possible when claims share a cell. Returns the number of lines, or -1. A claim
 * with no seed left to add prints nothing. */
int claims_next_cells(const ClaimSet *cs, const char *results_dir, FILE *out, QbErr *err);

#endif
