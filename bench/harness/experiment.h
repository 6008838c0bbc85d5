/* An experiment file (experiments/<name>.yaml) loaded for one profile: the matrix axes,
 * the resolved base RunConfig (train + quant sections, then the profile's overrides), the
 * table layout, and the papers' reported numbers for the same rows. */
#ifndef QB_EXPERIMENT_H
#define QB_EXPERIMENT_H

#include "run/runcfg.h"

#define EXP_LIST_MAX 16
#define EXP_EXCLUDE_MAX 32
#define EXP_PAPER_MAX 48
#define EXP_PROFILES_MAX 8
#define EXP_BITS_MAX 8    /* bit-widths index 2..8 */

typedef struct {
    char net[32], scheme[32];  /* "" = any */
    int bits;                  /* 0 = any */
} ExpExclude;

/* One reported row of a paper table; NAN where the paper has no number. */
typedef struct {
    char label[96];            /* as the table prints it */
    char net[32];
    char scheme[32];           /* the matrix scheme it corresponds to, "" for paper-only rows */
    double fp, fp_top5;
    double top1[EXP_BITS_MAX + 1], top5[EXP_BITS_MAX + 1];
    double param_pct[EXP_BITS_MAX + 1], compute_pct[EXP_BITS_MAX + 1];  /* cost tables */
} PaperRow;

/* A progressive schedule (`progressive:`): the scheme's cells at these bit-widths train in
 * this order, each starting from the previous link's final checkpoint (start: best: from the
 * weights of its best test epoch, APoT's recipe) and the first from train.from; one chain per
 * network and seed of the matrix. */
typedef struct {
    char scheme[32];
    int bits[EXP_BITS_MAX];
    int nbits;
    int from_best;
} ExpChain;

/* One link's own settings (`links: {B: {train, quant}}`), resolved onto the profile's base. */
typedef struct {
    int chain, bits;
    RunConfig cfg;
} ExpLinkConfig;

#define EXP_CHAINS_MAX 8
#define EXP_SETS_MAX 16
#define EXP_SET_LEN 640
#define EXP_LINK_CONFIGS_MAX 8

typedef enum { LAYOUT_BITS, LAYOUT_ABLATION, LAYOUT_COST } TableLayout;
typedef enum { METRIC_FINAL, METRIC_BEST } TableMetric;

typedef struct {
    char path[512];
    char name[64], title[256], description[512];
    char profile[32], profile_description[1024];  /* the description says what --set changed */
    char profiles[EXP_PROFILES_MAX][32];  /* every profile the file defines */
    int nprofiles;
    TableLayout layout;
    TableMetric metric;
    char baseline[32];                    /* table.baseline: the scheme paired differences
                                             are taken against; "" = none */
    double tolerance;                     /* table.tolerance of this profile (points): how far
                                             a one-seed cell may lie from the reference's; NAN
                                             when the file gives none (then measured from the
                                             reference's seeds: report/refcheck.h) */
    char nets[EXP_LIST_MAX][32];
    int nnets;
    char schemes[EXP_LIST_MAX][32];       /* "fp" = full precision */
    int nschemes;
    int bits[EXP_LIST_MAX];
    int nbits;
    long long seeds[EXP_LIST_MAX];
    int nseeds;
    int seed_count;                        /* set by experiment_seed_count (0: the file's) */
    int budget;                            /* training-length multiplier over the profile's
                                              (experiment_budget; 1 = the profile as written) */
    ExpExclude exclude[EXP_EXCLUDE_MAX];
    int nexclude;
    RunConfig base;                       /* net, scheme, bits and seed are set per cell */
    char paper_source[256], paper_note[1024];
    char paper_regime[256];               /* paper.regime: the paper's data set, network sizes
                                             and schedule in words; "" when the file gives none */
    PaperRow paper[EXP_PAPER_MAX];
    int npaper;
    ExpChain chains[EXP_CHAINS_MAX];      /* chain.h */
    int nchains;
    ExpLinkConfig link_configs[EXP_LINK_CONFIGS_MAX];
    int nlink_configs;
    char sets[EXP_SETS_MAX][EXP_SET_LEN]; /* experiment_set's settings, in order */
    int nsets;
} Experiment;

/* Loads `path` and applies `profile` ("" = none; otherwise it must be defined in the file).
 * Errors name file:line:col, the field path and what was expected. */
int experiment_load(Experiment *e, const char *path, const char *profile, QbErr *err);

/* The names of the profiles `path` defines (at most EXP_PROFILES_MAX; none without a
 * profiles section), without loading the rest: a file whose base matrix is incomplete
 * still lists them. */
int experiment_profiles(const char *path, char (*names)[32], int *n, QbErr *err);
/* One setting over the loaded file, "train.KEY=VALUE" or "quant.KEY=VALUE" (KEY a field of
 * that section, VALUE as its `qbench train` flag takes it): `--set` of the harness commands
 * (make SET=...). It wins over the profile and every chain link's own settings, and the
 * profile's description records it, so a table made under it says so. The list fields
 * (quant.overrides, quant.options) are the file's to set. */
int experiment_set(Experiment *e, const char *setting, QbErr *err);
/* The field and value text of a setting as experiment_set takes it. */
int experiment_setting(const char *setting, const RunField **field, const char **value,
                       QbErr *err);

/* Keeps the first n seeds of the matrix's list, or extends the list past its last seed with
 * the next ones (1 <= n <= EXP_LIST_MAX): `--seeds N` of expand and report (make SEEDS=N). */
int experiment_seed_count(Experiment *e, int n, QbErr *err);

/* Multiplies the training length of every cell and chain link by k (1 <= k <=
 * EXP_BUDGET_MAX): epochs, and with them the schedule's warm-up and milestones, so a cosine or
 * step schedule keeps its shape over k times the steps on the same data: `--budget K` of the
 * harness commands (make BUDGET=K), the budget ladder's rungs. Epochs enter the cell id, so
 * each budget's cells are distinct results; the profile's description says the budget. */
#define EXP_BUDGET_MAX 1000
int experiment_budget(Experiment *e, int k, QbErr *err);

/* Whether the matrix excludes (net, scheme, bits). */
int experiment_excluded(const Experiment *e, const char *net, const char *scheme, int bits);

#endif
