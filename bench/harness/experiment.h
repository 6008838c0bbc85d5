/* An experiment file (experiments/<name>.yaml) loaded for one profile: the matrix axes,
 * the resolved base RunConfig (train + quant sections, then the profile's overrides), the
 * table layout, and the papers' reported numbers for the same rows. */
#ifndef QB_EXPERIMENT_H
#define QB_EXPERIMENT_H

#include "run/runcfg.h"

/* A name the file gives a network, scheme or profile: longer names are a located error
 * (ydoc_str), never cut. */
#define EXP_NAME_LEN 32
typedef char ExpName[EXP_NAME_LEN];

/* The widest bit-width the harness reads anywhere (matrix, exclusions, chains, paper keys):
 * past 32 bits a quantizer of float32 values leaves them as they are. Below it each method
 * declares its own range (QuantizerOps.min_bits/max_bits), which the loader checks for every
 * cell. */
#define EXP_BITS_WIDEST 32

/* The range of a seed count asked for by number (--seeds N, a ladder rung's seeds): the
 * matrix's list grows to it, so it is bounded only to keep counts of cells in an int. */
#define EXP_SEED_COUNT_MAX (1 << 20)

typedef struct {
    ExpName net, scheme;       /* "" = any */
    int bits;                  /* 0 = any */
} ExpExclude;

/* The paper's numbers of one row at one bit-width; NAN where the paper has none. */
typedef struct {
    int bits;
    double top1, top5;
    double param_pct, compute_pct;  /* cost tables */
} PaperAtBits;

typedef enum { PAPER_TOP1, PAPER_TOP5, PAPER_PARAM_PCT, PAPER_COMPUTE_PCT } PaperMetric;

/* One reported row of a paper table; NAN where the paper has no number. */
typedef struct {
    char label[96];            /* as the table prints it */
    ExpName net;
    ExpName scheme;            /* the matrix scheme it corresponds to, "" for paper-only rows */
    double fp, fp_top5;
    PaperAtBits *at;           /* by bit-width, in the order the file first names them (owned) */
    int nat, cap_at;
} PaperRow;

/* Row p's number `m` at `bits`; NAN when the paper gives none. */
double paper_row_at(const PaperRow *p, PaperMetric m, int bits);

/* A progressive schedule (`progressive:`): the scheme's cells at these bit-widths train in
 * this order, each starting from the previous link's final checkpoint (start: best: from the
 * weights of its best test epoch, APoT's recipe) and the first from train.from; one chain per
 * network and seed of the matrix. */
typedef struct {
    ExpName scheme;
    int *bits;                 /* owned */
    int nbits, cap_bits;
    int from_best;
} ExpChain;

/* The link index of `bits` in chain c (0 = the first link), or -1 when c has none there. */
int exp_chain_index(const ExpChain *c, int bits);

/* One link's own settings (`links: {B: {train, quant}}`), resolved onto the profile's base. */
typedef struct {
    int chain, bits;
    RunConfig cfg;
} ExpLinkConfig;

typedef enum { LAYOUT_BITS, LAYOUT_ABLATION, LAYOUT_COST } TableLayout;
typedef enum { METRIC_FINAL, METRIC_BEST } TableMetric;

/* Every list is a growable array the Experiment owns (core/grow.h: the count beside it, then
 * its capacity); experiment_free releases them. */
typedef struct {
    char path[512];
    char name[64], title[256], description[512];
    ExpName profile;
    char profile_description[1024];       /* the description says what --set changed */
    ExpName *profiles;                    /* every profile the file defines */
    int nprofiles, cap_profiles;
    TableLayout layout;
    TableMetric metric;
    ExpName baseline;                     /* table.baseline: the scheme paired differences
                                             are taken against; "" = none */
    double tolerance;                     /* table.tolerance of this profile (points): how far
                                             a one-seed cell may lie from the reference's; NAN
                                             when the file gives none (then measured from the
                                             reference's seeds: report/refcheck.h) */
    ExpName *nets;
    int nnets, cap_nets;
    ExpName *schemes;                     /* SCHEME_FP = full precision */
    int nschemes, cap_schemes;
    int *bits;
    int nbits, cap_bits;
    long long *seeds;
    int nseeds, cap_seeds;
    int seed_count;                        /* set by experiment_seed_count (0: the file's) */
    int budget;                            /* training-length multiplier over the profile's
                                              (experiment_budget; 1 = the profile as written) */
    ExpExclude *exclude;
    int nexclude, cap_exclude;
    RunConfig base;                       /* net, scheme, bits and seed are set per cell */
    char paper_source[256], paper_note[1024];
    char paper_regime[256];               /* paper.regime: the paper's data set, network sizes
                                             and schedule in words; "" when the file gives none */
    PaperRow *paper;
    int npaper, cap_paper;
    ExpChain *chains;                     /* progressive.h reads them, chain.h asks them */
    int nchains, cap_chains;
    ExpLinkConfig *link_configs;
    int nlink_configs, cap_link_configs;
    char **sets;                          /* experiment_set's settings, in order (each owned) */
    int nsets, cap_sets;
} Experiment;

/* The profile make runs when none is given (PROFILE=quick), the default of every command that
 * takes one: its tables and plot data are named after the experiment alone (others get
 * -PROFILE) and the make command that runs it needs no PROFILE=. */
#define EXP_DEFAULT_PROFILE "quick"
int experiment_profile_is_default(const char *profile);
/* The profile of the papers' own schedule: a table made under it at 1x, full width and on
 * the whole training set is in the paper's regime (report/regime.c). */
#define EXP_PAPER_PROFILE "paper"

/* Loads `path` and applies `profile` ("" = none; otherwise it must be defined in the file).
 * Errors name file:line:col, the field path and what was expected. On success and on
 * failure alike e owns its lists afterwards: the caller frees it with experiment_free. */
int experiment_load(Experiment *e, const char *path, const char *profile, QbErr *err);
/* Releases every list of e and empties it; safe on a zeroed or already freed Experiment. */
void experiment_free(Experiment *e);
/* Whether any paper row gives a top-5 number (the tables then show top-5 too). */
int paper_has_top5(const Experiment *e);
/* dst as a copy of src with lists of its own, to be changed apart from src (a claims
 * ladder's rung at another budget and seed count); free it with experiment_free. */
void experiment_copy(Experiment *dst, const Experiment *src);

/* The names of the profiles `path` defines (none without a profiles section) into *names
 * (allocated, the caller frees it), without loading the rest: a file whose base matrix is
 * incomplete still lists them. A name too long for ExpName is a located error. */
int experiment_profiles(const char *path, ExpName **names, int *n, QbErr *err);
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
 * the next ones (1 <= n <= EXP_SEED_COUNT_MAX): `--seeds N` of expand and report (make SEEDS=N). */
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
