/* The regime of an experiment profile, in words: data set, networks and width, training
 * budget and starting point, all derived from the loaded experiment (its resolved RunConfig,
 * nets and layout), and whether it is the paper's own regime or a scaled replica; beside it
 * the paper's regime as the experiment file states it (paper.regime). Table headers name
 * both, so a number or verdict never travels without its regime.
 *
 * Also the comparison that survives a change of regime: the paper's own difference between
 * two methods against qbench's paired difference of the same two, by sign (does qbench's 95%
 * interval lie on the paper's side of zero?) and by magnitude (does the paper's difference
 * lie inside qbench's interval?). Absolute numbers (qbench − paper) compare only within the
 * paper's own regime. */
#ifndef QB_REGIME_H
#define QB_REGIME_H

#include <stddef.h>

#include "harness/experiment.h"
#include "paired.h"

typedef enum {
    REGIME_PAPER,      /* the `paper` profile at full width on the whole training set and
                          its own length (1x): the paper's data set and schedule, so its
                          numbers compare with the paper's */
    REGIME_REPLICA,    /* any other profile or budget: smaller data, networks, or another
                          training length */
    REGIME_UNTRAINED   /* a cost table (table.layout cost): computed from the network
                          definitions, nothing trained */
} RegimeKind;

typedef struct {
    RegimeKind kind;
    /* "Fashion-MNIST", "synthetic gratings 16x16", "CIFAR-10 (data/cifar-10-batches-bin)";
       untrained: the input shape counted */
    char data[RUN_PATH_MAX + 96];
    char nets[160];    /* "quarter-width ResNet-18/34" */
    char budget[200];  /* "1 epoch of a 3200-image subset at batch 64 (50 steps)", "300 epochs
                          of the full training set at batch 128"; "" when untrained */
    char start[64];    /* "from pretrained full-precision checkpoints", "from scratch"; "" when
                          untrained */
    char detail[1200]; /* data, nets, budget and start in one line: "Fashion-MNIST,
                          quarter-width ResNet-18/34, 1 epoch of ..., from pretrained ..." */
    char text[1280];   /* the kind, then the detail: "scaled replica: Fashion-MNIST, ..." */
    char paper[256];   /* the paper's regime (paper.regime), "" when the file states none */
} Regime;

/* The regime of e as loaded (its profile applied). Never fails: every field comes from e. */
void regime_describe(const Experiment *e, Regime *out);
/* "paper's own regime", "scaled replica", "no training". */
const char *regime_kind_name(RegimeKind k);

typedef enum {
    SIGN_NONE,        /* no paper difference, a paper difference of 0, or no pairs */
    SIGN_AGREES,      /* qbench's whole interval is on the paper's side of 0 */
    SIGN_OPPOSITE,    /* qbench's whole interval is on the other side */
    SIGN_UNRESOLVED   /* qbench's interval spans 0, or one pair gives no interval */
} RegimeSign;

typedef enum {
    MAGNITUDE_NONE,         /* no paper difference or no pairs */
    MAGNITUDE_INSIDE,       /* lo <= paper difference <= hi */
    MAGNITUDE_OUTSIDE,
    MAGNITUDE_NO_INTERVAL   /* one pair: no interval to hold it */
} RegimeMagnitude;

typedef struct {
    double paper;              /* the paper's method − baseline; NAN without both numbers */
    RegimeSign sign;
    RegimeMagnitude magnitude;
} RegimeCheck;

/* The paper's difference `paper_diff` (points, NAN: none) against qbench's paired difference
 * q of the same two methods. */
void regime_check(const Paired *q, double paper_diff, RegimeCheck *out);
/* "agrees", "opposite", "unresolved", "" (SIGN_NONE). */
const char *regime_sign_name(RegimeSign s);
/* "inside", "outside", "no interval", "" (MAGNITUDE_NONE). */
const char *regime_magnitude_name(RegimeMagnitude m);
/* "-1.90: sign agrees, outside", "+0.20: sign unresolved, inside", "+0.00: paper has no
 * sign, inside", "+0.50 (no pairs)", or "–" without a paper difference. */
void regime_check_text(const RegimeCheck *c, char *out, size_t cap);

#endif
