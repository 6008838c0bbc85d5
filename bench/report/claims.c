/* Loading and validating experiments/claims.yaml (see claims.h): which fields each kind and
 * quantity takes, the cells and level sets they name, the paper's numbers. */
#include "claims.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "quantizers/registry.h"
#include "harness/ydoc.h"
#include "int/intdot.h"

static const char *const claim_keys[] = {
    "id", "claim", "source", "note", "kind", "quantity", "experiment", "versus_experiment", "net",
    "bits", "versus_bits", "base_bits", "method", "versus", "claimed", "threshold", "margin",
    "margin_source", "property", "range", "over", "paper", "paper_note", "paper_regime", "data",
    NULL};
static const char *const claim_required[] = {"id", "claim", "source", "method", "versus",
                                             "bits", NULL};

#define KIND(k) (1u << (k))
#define QTY(q) (1u << (q))
#define ANY_KIND 0xfu
#define ANY_QTY 0x3fu
#define ACCURACY (QTY(CLAIM_TOP1) | QTY(CLAIM_TOP5))
#define PROBE (QTY(CLAIM_BLOCK_ERROR) | QTY(CLAIM_LAYER_ERROR))
#define SIDED (KIND(CLAIM_DIFFERENCE) | KIND(CLAIM_DIFF_OF_DIFFS) | KIND(CLAIM_ABLATION))

/* A field the claims of some kinds and quantities take (or need), and who they are. */
typedef struct {
    const char *key;
    unsigned kinds, quantities;
    const char *who;
} FieldRule;

static const FieldRule field_takers[] = {
    {"claimed", SIDED, ANY_QTY, "difference, difference_of_differences and ablation claims"},
    {"margin", KIND(CLAIM_EQUIVALENCE), ANY_QTY, "equivalence claims"},
    {"margin_source", KIND(CLAIM_EQUIVALENCE), ANY_QTY, "equivalence claims"},
    {"base_bits", KIND(CLAIM_DIFF_OF_DIFFS), ANY_QTY, "difference_of_differences claims"},
    {"versus_experiment", KIND(CLAIM_ABLATION), ANY_QTY, "ablation claims"},
    {"experiment", ANY_KIND, ACCURACY | PROBE,
     "accuracy claims (top1, top5) and probe claims (block_error, layer_error)"},
    {"net", ANY_KIND, ACCURACY | PROBE,
     "accuracy claims (top1, top5) and probe claims (block_error, layer_error)"},
    {"property", ANY_KIND, QTY(CLAIM_LEVELS), "level-set claims (quantity levels)"},
    {"range", ANY_KIND, QTY(CLAIM_LEVELS), "level-set claims (quantity levels)"},
    {"versus_bits", ANY_KIND, QTY(CLAIM_LEVELS), "level-set claims (quantity levels)"},
    {"over", ANY_KIND, PROBE, "probe claims (block_error, layer_error)"},
    {"data", ANY_KIND, PROBE, "probe claims (block_error, layer_error)"},
};

static const FieldRule field_needers[] = {
    {"claimed", SIDED, ANY_QTY, "a difference-kind claim"},
    {"threshold", SIDED, ANY_QTY, "a difference-kind claim"},
    {"margin", KIND(CLAIM_EQUIVALENCE), ANY_QTY, "an equivalence claim"},
    {"margin_source", KIND(CLAIM_EQUIVALENCE), ANY_QTY, "an equivalence claim (where the margin comes from)"},
    {"base_bits", KIND(CLAIM_DIFF_OF_DIFFS), ANY_QTY, "a difference_of_differences claim"},
    {"versus_experiment", KIND(CLAIM_ABLATION), ANY_QTY, "an ablation claim"},
    {"experiment", ANY_KIND, ACCURACY | PROBE, "an accuracy or probe claim (a probe's data counts only "
     "when measured on the claim's cells)"},
    {"net", ANY_KIND, ACCURACY | PROBE, "an accuracy or probe claim"},
    {"property", ANY_KIND, QTY(CLAIM_LEVELS), "a level-set claim"},
};

/* The quantities each kind compares. */
static const unsigned kind_quantities[] = {
    [CLAIM_DIFFERENCE] = ANY_QTY,
    [CLAIM_EQUIVALENCE] = ACCURACY | QTY(CLAIM_INT_OPS) | QTY(CLAIM_LEVELS),
    [CLAIM_DIFF_OF_DIFFS] = ACCURACY,
    [CLAIM_ABLATION] = ACCURACY,
};

static const char *const kind_names[] = {
    [CLAIM_DIFFERENCE] = "difference", [CLAIM_EQUIVALENCE] = "equivalence",
    [CLAIM_DIFF_OF_DIFFS] = "difference_of_differences", [CLAIM_ABLATION] = "ablation"};
static const char *const quantity_names[] = {
    [CLAIM_TOP1] = "top1", [CLAIM_TOP5] = "top5", [CLAIM_BLOCK_ERROR] = "block_error",
    [CLAIM_LAYER_ERROR] = "layer_error", [CLAIM_INT_OPS] = "int_ops", [CLAIM_LEVELS] = "levels"};

/* Every field present is one this claim's kind and quantity take; every field they need is
 * present. */
static int check_fields(YDoc *d, const YNode *m, const char *field, const Claim *c, QbErr *err)
{
    char path[256];
    const unsigned k = KIND(c->kind), q = QTY(c->quantity);
    for (size_t i = 0; i < sizeof field_takers / sizeof *field_takers; i++) {
        const FieldRule *r = &field_takers[i];
        const YNode *n = ydoc_map_get(d, m, r->key);
        ydoc_field(path, sizeof path, field, r->key);
        if (n && (!(r->kinds & k) || !(r->quantities & q)))
            return ydoc_fail(d, n, path, err, "%s belongs to %s; this claim is of kind %s, "
                             "quantity %s", r->key, r->who, kind_names[c->kind],
                             quantity_names[c->quantity]);
    }
    for (size_t i = 0; i < sizeof field_needers / sizeof *field_needers; i++) {
        const FieldRule *r = &field_needers[i];
        if ((r->kinds & k) && (r->quantities & q) && !ydoc_map_get(d, m, r->key))
            return ydoc_fail(d, m, field, err, "%s needs %s", r->who, r->key);
    }
    return 0;
}

/* A string field of the claim (optional when not required). */
static int claim_str(YDoc *d, const YNode *m, const char *field, const char *key, char *out,
                     size_t cap, QbErr *err)
{
    char path[256];
    const YNode *n = ydoc_map_get(d, m, key);
    ydoc_field(path, sizeof path, field, key);
    return n ? ydoc_str(d, n, path, out, cap, err) : 0;
}

/* An optional number of the claim within [min, max]; *out keeps its value when absent. */
static int claim_num(YDoc *d, const YNode *m, const char *field, const char *key, double min,
                     double max, double *out, QbErr *err)
{
    char path[256];
    const YNode *n = ydoc_map_get(d, m, key);
    ydoc_field(path, sizeof path, field, key);
    return n ? ydoc_float(d, n, path, min, max, out, err) : 0;
}

static int claim_bits(YDoc *d, const YNode *m, const char *field, const char *key, int *out,
                      QbErr *err)
{
    char path[256];
    long long v;
    const YNode *n = ydoc_map_get(d, m, key);
    ydoc_field(path, sizeof path, field, key);
    if (n && ydoc_int(d, n, path, 2, 8, &v, err) < 0)
        return -1;
    if (n)
        *out = (int)v;
    return 0;
}

/* A keyword field: its position in names, dflt when absent. */
static int claim_enum(YDoc *d, const YNode *m, const char *field, const char *key,
                      NameTable names, int dflt, int *out, QbErr *err)
{
    char path[256];
    const YNode *n = ydoc_map_get(d, m, key);
    ydoc_field(path, sizeof path, field, key);
    *out = dflt;
    return n ? ydoc_enum(d, n, path, names, out, err) : 0;
}

/* A method (or scheme) whose weights run as shifts on integer hardware: its weight method
 * declares a shift path (QuantizerOps.int_path). */
static int shift_method(const char *name)
{
    const Scheme *s = scheme_find(name);
    const QuantizerOps *w = quantizer_find(s ? s->wmethod : name);
    return w && int_has_shift_path(w);
}

/* A method whose weight level set exists at `bits` (its own range and constraints). */
static int check_levels(YDoc *d, const YNode *m, const char *field, const char *key,
                        const char *name, int bits, QbErr *err)
{
    char path[256], known[512];
    const YNode *n = ydoc_map_get(d, m, key);
    const QuantizerOps *ops = quantizer_find(name);
    QbErr inner;
    ydoc_field(path, sizeof path, field, key);
    if (!ops || !(ops->roles & (1u << QROLE_WEIGHT)) || !ops->levels) {
        quantizer_names(known, sizeof known);
        return ydoc_fail(d, n, path, err, "level-set claims compare weight quantizers; '%s' is "
                         "none (known methods: %s)", name, known);
    }
    if (ops->levels(bits, QROLE_WEIGHT, NULL, 0, NULL, 0, &inner) < 1)
        return ydoc_fail(d, n, path, err, "no %d-bit weight levels: %s", bits, inner.msg);
    return 0;
}

/* method and versus: schemes of the matrix (or fp); for operation counts a shift-weight method
 * against uniform or another; for level sets weight quantizers at their bit-widths. */
static int check_scheme(YDoc *d, const YNode *m, const char *field, const char *key,
                        const Claim *c, QbErr *err)
{
    char path[256], known[512];
    const int is_method = !strcmp(key, "method");
    const char *name = is_method ? c->method : c->versus;
    const YNode *n = ydoc_map_get(d, m, key);
    ydoc_field(path, sizeof path, field, key);
    if (c->quantity == CLAIM_LEVELS)
        return check_levels(d, m, field, key, name, is_method ? c->bits : c->versus_bits, err);
    if (c->quantity == CLAIM_INT_OPS) {
        char shifts[128];
        int ok = shift_method(name) || (!is_method && claim_versus_is_uniform(name));
        int_shift_methods(shifts, sizeof shifts);
        return ok ? 0 : ydoc_fail(d, n, path, err, "operation counts compare a method with "
                                  "shift weights (%s, or a scheme using them) against uniform "
                                  "or another such method; got '%s'", shifts, name);
    }
    if (scheme_is_fp(name) || scheme_find(name))
        return 0;
    scheme_unknown(name, 1, known, sizeof known);
    return ydoc_fail(d, n, path, err, "%s", known);
}

static int read_paper(YDoc *d, const YNode *m, const char *field, Claim *c, QbErr *err)
{
    static const char *const keys[] = {"method", "versus", "base_method", "base_versus", "value",
                                       NULL};
    double *const out[] = {&c->paper_method, &c->paper_versus, &c->paper_base_method,
                           &c->paper_base_versus, &c->paper_value};
    char path[256];
    const YNode *p = ydoc_map_get(d, m, "paper");
    for (int i = 0; i < 5; i++)
        *out[i] = NAN;
    if (!p)
        return 0;
    ydoc_field(path, sizeof path, field, "paper");
    if (ydoc_want_map(d, p, path, err) < 0 || ydoc_check_keys(d, p, path, keys, err) < 0)
        return -1;
    for (int i = 0; i < 5; i++)
        if (claim_num(d, p, path, keys[i], -1e12, 1e12, out[i], err) < 0)
            return -1;
    const char *base = ydoc_map_get(d, p, "base_method") ? "base_method"
                       : ydoc_map_get(d, p, "base_versus") ? "base_versus" : NULL;
    char sub[300];
    if (base && c->kind != CLAIM_DIFF_OF_DIFFS) {
        ydoc_field(sub, sizeof sub, path, base);
        return ydoc_fail(d, ydoc_map_get(d, p, base), sub, err, "base_method and base_versus "
                         "belong to difference_of_differences claims");
    }
    ydoc_field(sub, sizeof sub, path, "value");
    if (ydoc_map_get(d, p, "value") && (ydoc_map_get(d, p, "method") ||
                                        ydoc_map_get(d, p, "versus") || base))
        return ydoc_fail(d, ydoc_map_get(d, p, "value"), sub, err, "the paper's value of the "
                         "comparison, for a paper that gives no sides: not with method, versus or "
                         "base_*");
    return 0;
}

static int experiment_index(ClaimSet *cs, const char *dir, const char *name, YDoc *d,
                            const YNode *n, const char *field, QbErr *err)
{
    for (int i = 0; i < cs->nexps; i++)
        if (!strcmp(cs->exps[i].name, name))
            return i;
    if (cs->nexps == cs->capexps) {
        int cap = cs->capexps ? 2 * cs->capexps : 8;
        Experiment *grown = realloc(cs->exps, sizeof *grown * (size_t)cap);
        if (!grown)
            return ydoc_fail(d, n, field, err, "out of memory for experiment '%s'", name);
        cs->exps = grown, cs->capexps = cap;
    }
    char path[1024];
    snprintf(path, sizeof path, "%s/%s.yaml", dir, name);
    QbErr inner;
    if (experiment_load(&cs->exps[cs->nexps], path, cs->profile, &inner) < 0)
        return experiment_free(&cs->exps[cs->nexps]),
               ydoc_fail(d, n, field, err, "experiment '%s' does not load: %s", name, inner.msg);
    return cs->nexps++;
}

/* The experiment named by `key`, or -1 in *out when the claim has none. */
static int read_experiment(ClaimSet *cs, const char *dir, YDoc *d, const YNode *m,
                           const char *field, const char *key, int *out, QbErr *err)
{
    char path[256], name[64];
    const YNode *n = ydoc_map_get(d, m, key);
    *out = -1;
    if (!n)
        return 0;
    ydoc_field(path, sizeof path, field, key);
    if (ydoc_str(d, n, path, name, sizeof name, err) < 0 ||
        (*out = experiment_index(cs, dir, name, d, n, path, err)) < 0)
        return -1;
    return 0;
}

/* The cell (net, scheme, bits) must be one the experiment's matrix measures. */
static int check_cell(YDoc *d, const YNode *n, const char *field, const Experiment *e,
                      const char *net, const char *scheme, int bits, QbErr *err)
{
    const int fp = scheme_is_fp(scheme);
    int has_net = 0, has_scheme = 0, has_bits = fp;
    for (int i = 0; i < e->nnets; i++)
        has_net |= !strcmp(e->nets[i], net);
    for (int i = 0; i < e->nschemes; i++)
        has_scheme |= !strcmp(e->schemes[i], scheme);
    for (int i = 0; i < e->nbits; i++)
        has_bits |= e->bits[i] == bits;
    if (has_net && has_scheme && has_bits &&
        (fp || !experiment_excluded(e, net, scheme, bits)))
        return 0;
    return ydoc_fail(d, n, field, err, "%s %s%s%.0d%s is not a cell of %s (profile %s): no "
                     "experiment result can measure this claim", net, scheme,
                     fp ? "" : " ", fp ? 0 : bits, fp ? "" : "-bit", e->path, e->profile);
}

/* Accuracy claims: every cell the claim reads is one its experiment measures. */
static int check_cells(const ClaimSet *cs, YDoc *d, const YNode *m, const char *field,
                       const Claim *c, QbErr *err)
{
    const int nbits = c->kind == CLAIM_DIFF_OF_DIFFS ? 2 : 1;
    const int bits[2] = {c->bits, c->base_bits};
    char path[256];
    for (int b = 0; b < nbits; b++)
        for (int side = 0; side < 2; side++) {
            const char *key = side ? "versus" : "method";
            ydoc_field(path, sizeof path, field, b ? "base_bits" : key);
            if (check_cell(d, ydoc_map_get(d, m, b ? "base_bits" : key), path,
                           &cs->exps[side ? c->versus_exp : c->exp], c->net,
                           side ? c->versus : c->method, bits[b], err) < 0)
                return -1;
        }
    return 0;
}

/* The fields that name things: experiments and their cells, the level sets, the schemes. */
static int read_cells(ClaimSet *cs, const char *dir, YDoc *d, const YNode *m, const char *field,
                      Claim *c, QbErr *err)
{
    if (read_experiment(cs, dir, d, m, field, "experiment", &c->exp, err) < 0 ||
        read_experiment(cs, dir, d, m, field, "versus_experiment", &c->versus_exp, err) < 0 ||
        claim_str(d, m, field, "net", c->net, sizeof c->net, err) < 0 ||
        check_scheme(d, m, field, "method", c, err) < 0 ||
        check_scheme(d, m, field, "versus", c, err) < 0)
        return -1;
    char path[256];
    ydoc_field(path, sizeof path, field, "versus_experiment");
    if (c->versus_exp < 0)
        c->versus_exp = c->exp;
    else if (c->versus_exp == c->exp)
        return ydoc_fail(d, ydoc_map_get(d, m, "versus_experiment"), path, err, "the ablated "
                         "cells' experiment, another than `experiment`");
    return c->quantity == CLAIM_TOP1 || c->quantity == CLAIM_TOP5
               ? check_cells(cs, d, m, field, c, err) : 0;
}

/* kind, quantity and the fields they take. */
static int read_kind(YDoc *d, const YNode *m, const char *field, Claim *c, QbErr *err)
{
    int k, q;
    if (claim_enum(d, m, field, "kind", NAMETABLE_STRINGS(kind_names), CLAIM_DIFFERENCE, &k,
                   err) < 0 ||
        claim_enum(d, m, field, "quantity", NAMETABLE_STRINGS(quantity_names), CLAIM_TOP1, &q,
                   err) < 0)
        return -1;
    c->kind = (ClaimKind)k, c->quantity = (ClaimQuantity)q;
    if (!(kind_quantities[k] & QTY(q)))
        return ydoc_fail(d, ydoc_map_get(d, m, "quantity"), field, err, "%s claims do not "
                         "compare %s", kind_names[k], quantity_names[q]);
    return check_fields(d, m, field, c, err);
}

/* What is claimed: the side of a threshold, or the margin around a centre. */
static int read_claimed(YDoc *d, const YNode *m, const char *field, Claim *c, QbErr *err)
{
    static const char *const sides[] = {"less", "greater"};
    char path[256];
    if (claim_enum(d, m, field, "claimed", NAMETABLE_STRINGS(sides), 1, &c->greater, err) < 0 ||
        claim_num(d, m, field, "threshold", -100, 100, &c->threshold, err) < 0 ||
        claim_num(d, m, field, "margin", 0, 100, &c->margin, err) < 0 ||
        claim_str(d, m, field, "margin_source", c->margin_source, sizeof c->margin_source,
                  err) < 0)
        return -1;
    ydoc_field(path, sizeof path, field, "margin");
    if (c->kind == CLAIM_EQUIVALENCE && !(c->margin > 0))
        return ydoc_fail(d, ydoc_map_get(d, m, "margin"), path, err, "a margin above 0 (an "
                         "equivalence within ±0 can never hold)");
    return 0;
}

/* bits, versus_bits, base_bits; the level-set property and range; every or some block. */
static int read_shape(YDoc *d, const YNode *m, const char *field, Claim *c, QbErr *err)
{
    static const char *const props[] = {[LEVELS_SMALLEST_STEP] = "smallest_step",
                                        [LEVELS_LARGEST_GAP] = "largest_gap",
                                        [LEVELS_NEAR_ZERO] = "near_zero"};
    static const char *const overs[] = {"some", "every"}; /* Claim.every: 0, 1 */
    char path[256];
    int prop;
    if (claim_bits(d, m, field, "bits", &c->bits, err) < 0)
        return -1;
    c->versus_bits = c->bits;
    if (claim_bits(d, m, field, "versus_bits", &c->versus_bits, err) < 0 ||
        claim_bits(d, m, field, "base_bits", &c->base_bits, err) < 0 ||
        claim_enum(d, m, field, "property", NAMETABLE_STRINGS(props), LEVELS_SMALLEST_STEP,
                   &prop, err) < 0 ||
        claim_num(d, m, field, "range", 0, 1, &c->range, err) < 0 ||
        claim_enum(d, m, field, "over", NAMETABLE_STRINGS(overs), 1, &c->every, err) < 0)
        return -1;
    c->property = (LevelProperty)prop;
    ydoc_field(path, sizeof path, field, "base_bits");
    if (c->kind == CLAIM_DIFF_OF_DIFFS && c->base_bits == c->bits)
        return ydoc_fail(d, ydoc_map_get(d, m, "base_bits"), path, err, "another bit-width than "
                         "bits (%d): the difference at one bit-width minus that at another",
                         c->bits);
    ydoc_field(path, sizeof path, field, "range");
    if (c->quantity == CLAIM_LEVELS && (c->property == LEVELS_NEAR_ZERO) != (c->range > 0))
        return ydoc_fail(d, ydoc_map_get(d, m, "range") ? ydoc_map_get(d, m, "range") : m, path,
                         err, "property near_zero counts the levels in (0, range] and needs a "
                         "range in (0, 1]; the other properties take none");
    return 0;
}

static int read_text(YDoc *d, const YNode *m, const char *field, Claim *c, QbErr *err)
{
    snprintf(c->data, sizeof c->data, "plots/data/%s", c->quantity == CLAIM_LAYER_ERROR
                                                           ? "layer_error.dat" : "block_error.dat");
    return claim_str(d, m, field, "id", c->id, sizeof c->id, err) < 0 ||
                   claim_str(d, m, field, "claim", c->text, sizeof c->text, err) < 0 ||
                   claim_str(d, m, field, "source", c->source, sizeof c->source, err) < 0 ||
                   claim_str(d, m, field, "note", c->note, sizeof c->note, err) < 0 ||
                   claim_str(d, m, field, "paper_note", c->paper_note, sizeof c->paper_note,
                             err) < 0 ||
                   claim_str(d, m, field, "paper_regime", c->paper_regime,
                             sizeof c->paper_regime, err) < 0 ||
                   claim_str(d, m, field, "method", c->method, sizeof c->method, err) < 0 ||
                   claim_str(d, m, field, "versus", c->versus, sizeof c->versus, err) < 0 ||
                   claim_str(d, m, field, "data", c->data, sizeof c->data, err) < 0
               ? -1 : 0;
}

static int read_claim(ClaimSet *cs, const char *dir, YDoc *d, const YNode *m, const char *field,
                      Claim *c, QbErr *err)
{
    memset(c, 0, sizeof *c);
    c->exp = c->versus_exp = -1;
    if (ydoc_want_map(d, m, field, err) < 0 || ydoc_check_keys(d, m, field, claim_keys, err) < 0 ||
        ydoc_require(d, m, field, claim_required, err) < 0 || read_kind(d, m, field, c, err) < 0 ||
        read_text(d, m, field, c, err) < 0 || read_shape(d, m, field, c, err) < 0 ||
        read_claimed(d, m, field, c, err) < 0 || read_paper(d, m, field, c, err) < 0)
        return -1;
    return read_cells(cs, dir, d, m, field, c, err);
}

static int claims_grow(ClaimSet *cs, int n, QbErr *err)
{
    Claim *grown = realloc(cs->claims, sizeof *grown * (size_t)n);
    if (!grown)
        return qb_fail(err, "%s: out of memory for %d claims", cs->path, n);
    cs->claims = grown, cs->cap = n;
    return 0;
}

static int read_rung(ClaimSet *cs, YDoc *d, const YNode *m, const char *field, QbErr *err)
{
    static const char *const keys[] = {"budget", "seeds", NULL};
    LadderRung *r = &cs->rungs[cs->nrungs];
    char f[96];
    long long budget, seeds;
    if (ydoc_want_map(d, m, field, err) < 0 || ydoc_check_keys(d, m, field, keys, err) < 0 ||
        ydoc_require(d, m, field, keys, err) < 0)
        return -1;
    ydoc_field(f, sizeof f, field, "budget");
    if (ydoc_int(d, ydoc_map_get(d, m, "budget"), f, 2, EXP_BUDGET_MAX, &budget, err) < 0)
        return -1;
    if (cs->nrungs && budget <= cs->rungs[cs->nrungs - 1].budget)
        return ydoc_fail(d, ydoc_map_get(d, m, "budget"), f, err, "expected budgets in "
                         "ascending order, each above the one before (%d)",
                         cs->rungs[cs->nrungs - 1].budget);
    ydoc_field(f, sizeof f, field, "seeds");
    if (ydoc_int(d, ydoc_map_get(d, m, "seeds"), f, 1, EXP_SEED_COUNT_MAX, &seeds, err) < 0)
        return -1;
    *r = (LadderRung){(int)budget, (int)seeds};
    cs->nrungs++;
    return 0;
}

/* `ladder: {rows_bits: B, rungs: [{budget: K, seeds: N}, ...]}` */
static int read_ladder(ClaimSet *cs, YDoc *d, const YNode *m, QbErr *err)
{
    static const char *const keys[] = {"rows_bits", "rungs", NULL};
    static const char *const required[] = {"rungs", NULL};
    long long bits = 0;
    if (ydoc_want_map(d, m, "ladder", err) < 0 || ydoc_check_keys(d, m, "ladder", keys, err) < 0 ||
        ydoc_require(d, m, "ladder", required, err) < 0)
        return -1;
    const YNode *b = ydoc_map_get(d, m, "rows_bits"), *list = ydoc_map_get(d, m, "rungs");
    if (b && ydoc_int(d, b, "ladder.rows_bits", 1, 32, &bits, err) < 0)
        return -1;
    cs->ladder_bits = (int)bits;
    if (ydoc_want_seq(d, list, "ladder.rungs", err) < 0)
        return -1;
    if (ydoc_seq_count(list) < 1)
        return ydoc_fail(d, list, "ladder.rungs", err, "expected at least one rung");
    if (!(cs->rungs = calloc((size_t)ydoc_seq_count(list), sizeof *cs->rungs)))
        return qb_fail(err, "%s: out of memory for the ladder", cs->path);
    for (int i = 0; i < ydoc_seq_count(list); i++) {
        char field[64];
        ydoc_index(field, sizeof field, "ladder.rungs", i);
        if (read_rung(cs, d, ydoc_seq_at(d, list, i), field, err) < 0)
            return -1;
    }
    return 0;
}

static int read_claims(ClaimSet *cs, YDoc *d, const YNode *root, QbErr *err)
{
    static const char *const keys[] = {"description", "ladder", "claims", NULL};
    static const char *const required[] = {"claims", NULL};
    char dir[512];
    snprintf(dir, sizeof dir, "%s", cs->path);
    char *slash = strrchr(dir, '/');
    if (slash)
        *slash = '\0';
    else
        snprintf(dir, sizeof dir, ".");
    if (ydoc_want_map(d, root, NULL, err) < 0 || ydoc_check_keys(d, root, NULL, keys, err) < 0 ||
        ydoc_require(d, root, NULL, required, err) < 0)
        return -1;
    const YNode *list = ydoc_map_get(d, root, "claims"), *ladder = ydoc_map_get(d, root, "ladder");
    if (ladder && read_ladder(cs, d, ladder, err) < 0)
        return -1;
    if (ydoc_want_seq(d, list, "claims", err) < 0)
        return -1;
    if (ydoc_seq_count(list) < 1)
        return ydoc_fail(d, list, "claims", err, "expected at least one claim");
    if (claims_grow(cs, ydoc_seq_count(list), err) < 0)
        return -1;
    for (int i = 0; i < ydoc_seq_count(list); i++) {
        char field[64];
        ydoc_index(field, sizeof field, "claims", i);
        if (read_claim(cs, dir, d, ydoc_seq_at(d, list, i), field, &cs->claims[cs->n], err) < 0)
            return -1;
        for (int j = 0; j < cs->n; j++)
            if (!strcmp(cs->claims[j].id, cs->claims[cs->n].id))
                return ydoc_fail(d, ydoc_map_get(d, ydoc_seq_at(d, list, i), "id"), field, err,
                                 "duplicate claim id '%s'", cs->claims[j].id);
        cs->n++;
    }
    return 0;
}

int claims_load(ClaimSet *cs, const char *path, const char *profile, QbErr *err)
{
    memset(cs, 0, sizeof *cs);
    snprintf(cs->path, sizeof cs->path, "%s", path);
    snprintf(cs->profile, sizeof cs->profile, "%s", profile);
    YDoc d;
    if (ydoc_load(&d, path, err) < 0)
        return -1;
    const YNode *root = ydoc_root(&d);
    int rc = root ? read_claims(cs, &d, root, err)
                  : qb_fail(err, "%s: empty file; expected a mapping with claims", path);
    ydoc_free(&d);
    if (rc < 0)
        claims_free(cs);
    return rc;
}

void claims_free(ClaimSet *cs)
{
    free(cs->rungs);
    cs->rungs = NULL, cs->nrungs = 0;
    for (int i = 0; i < cs->nexps; i++)
        experiment_free(&cs->exps[i]);
    free(cs->exps);
    free(cs->claims);
    cs->exps = NULL, cs->claims = NULL;
    cs->nexps = cs->capexps = cs->n = cs->cap = 0;
}

const char *claim_kind_name(ClaimKind k)
{
    return kind_names[k];
}

const char *claim_quantity_name(ClaimQuantity q)
{
    return quantity_names[q];
}

int claim_versus_is_uniform(const char *versus)
{
    return strcmp(versus, CLAIM_VERSUS_UNIFORM) == 0;
}

int claim_quantity_index(const char *name)
{
    return nametable_index(NAMETABLE_STRINGS(quantity_names), name);
}

double claim_paper_value(const Claim *c)
{
    if (!isnan(c->paper_value))
        return c->paper_value;
    if (c->quantity == CLAIM_INT_OPS)
        return c->paper_method / c->paper_versus;
    double d = c->paper_method - c->paper_versus;
    return c->kind == CLAIM_DIFF_OF_DIFFS ? d - (c->paper_base_method - c->paper_base_versus) : d;
}

const DiffScale *claim_diff_scale(const Claim *c)
{
    static const DiffScale diff_of_diffs = {-200, 200, 2};
    return c->kind == CLAIM_DIFF_OF_DIFFS ? &diff_of_diffs : &DIFF_POINTS;
}
