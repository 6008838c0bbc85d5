/* Measuring the claims (see claims.h, claims_check.h): accuracy claims from the experiments'
 * results paired by seed (across two experiments for an ablation, over four cells for a
 * difference of differences), block and layer errors from the probe's .dat files, operation
 * counts from the integer path run in process, level-set properties from the quantizers'
 * level sets; and the verdict rule of each kind. */
#include "claims_check.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "quantizers/registry.h"
#include "core/atomic_file.h"
#include "int/intcheck.h"
#include "probe_source.h"

static void result_missing(ClaimResult *r, const char *fmt, const char *a, const char *b)
{
    memset(&r->d, 0, sizeof r->d);
    r->d.mean = r->d.lo = r->d.hi = r->a = r->b = NAN;
    r->v = VERDICT_MISSING;
    snprintf(r->missing, sizeof r->missing, fmt, a, b);
}

/* An exact value: no noise, one "pair". */
static void result_exact(ClaimResult *r, double a, double b, double value, const char *kind)
{
    r->a = a, r->b = b;
    r->d = (Paired){1, value, NAN, value, value, 0};
    r->exact = 1;
    snprintf(r->interval_kind, sizeof r->interval_kind, "%s", kind);
}

/* lo..hi against a threshold: the whole interval on one side decides, one touching it not. */
static Verdict side_verdict(double lo, double hi, double threshold, int greater)
{
    if (lo > threshold)
        return greater ? VERDICT_HOLDS : VERDICT_CONTRADICTED;
    if (hi < threshold)
        return greater ? VERDICT_CONTRADICTED : VERDICT_HOLDS;
    return VERDICT_UNRESOLVED;
}

Verdict claim_verdict(const Claim *c, const Paired *d, int exact)
{
    if (d->n == 0)
        return VERDICT_MISSING;
    if (!exact && d->n < 2)
        return VERDICT_UNRESOLVED;
    double lo = d->lo, hi = d->hi;
    if (c->quantity == CLAIM_BLOCK_ERROR || c->quantity == CLAIM_LAYER_ERROR)
        /* every block on the claimed side (its worst block decides), or some (its best) */
        lo = hi = c->every == c->greater ? d->lo : d->hi;
    if (c->kind != CLAIM_EQUIVALENCE)
        return side_verdict(lo, hi, c->threshold, c->greater);
    if (lo > c->threshold - c->margin && hi < c->threshold + c->margin)
        return VERDICT_HOLDS;
    if (lo > c->threshold + c->margin || hi < c->threshold - c->margin)
        return VERDICT_CONTRADICTED;
    return VERDICT_UNRESOLVED;
}

static int net_index(const Experiment *e, const char *net)
{
    for (int i = 0; i < e->nnets; i++)
        if (!strcmp(e->nets[i], net))
            return i;
    return -1;
}

/* One cell an accuracy claim reads: its experiment and grid position. */
typedef struct {
    int exp;
    const GridCell *cell;
} CellRef;

static CellRef cell_ref(const ClaimSet *cs, const ClaimGrids *g, int exp, const char *net,
                        const char *scheme, int bits)
{
    const Experiment *e = &cs->exps[exp];
    return (CellRef){exp, grid_cell(&g->grids[exp], net_index(e, net), grid_scheme_index(e, scheme),
                                    scheme_is_fp(scheme) ? 0 : bits)};
}

/* method and versus at bits, then (difference of differences) at base_bits; returns the count. */
static int claim_refs(const ClaimSet *cs, const Claim *c, const ClaimGrids *g, CellRef refs[4])
{
    refs[0] = cell_ref(cs, g, c->exp, c->net, c->method, c->bits);
    refs[1] = cell_ref(cs, g, c->versus_exp, c->net, c->versus, c->bits);
    if (c->kind != CLAIM_DIFF_OF_DIFFS)
        return 2;
    refs[2] = cell_ref(cs, g, c->exp, c->net, c->method, c->base_bits);
    refs[3] = cell_ref(cs, g, c->versus_exp, c->net, c->versus, c->base_bits);
    return 4;
}

/* The index of seed `seed` in experiment exp's list, or -1: an ablation pairs two experiments
 * by seed value. */
static int seed_index(const ClaimSet *cs, int exp, long long seed)
{
    const Experiment *e = &cs->exps[exp];
    for (int i = 0; i < e->nseeds; i++)
        if (e->seeds[i] == seed)
            return i;
    return -1;
}

static double ref_value(const ClaimSet *cs, const CellRef *ref, long long seed, int top5)
{
    int i = seed_index(cs, ref->exp, seed);
    return i < 0 ? NAN : top5 ? ref->cell->top5[i] : ref->cell->top1[i];
}

/* The recorded convergence verdicts of the runs one seed's pair rests on, counted into r. */
static void count_convergence(const ClaimSet *cs, const CellRef *refs, int nrefs,
                              long long seed, ClaimResult *r)
{
    for (int k = 0; k < nrefs; k++) {
        int i = seed_index(cs, refs[k].exp, seed);
        r->unconverged += refs[k].cell->conv[i] == CONV_UNCONVERGED;
        r->unrecorded += refs[k].cell->conv[i] == CONV_NOT_RECORDED;
    }
}

static double finite_mean(const double *v, const double *w, int n)
{
    double sum = 0;
    int k = 0;
    for (int i = 0; i < n; i++)
        if (isfinite(v[i]) && isfinite(w[i]))
            sum += v[i], k++;
    return k ? sum / k : NAN;
}

/* "`make reproduce-table4`", one per experiment whose cells have no result at all. */
static void accuracy_missing(const ClaimSet *cs, const CellRef *refs, int nrefs, ClaimResult *r)
{
    char targets[400] = "";
    size_t at = 0;
    const int plain = experiment_profile_is_default(cs->profile);
    for (int i = 0; i < nrefs; i++) {
        const char *name = cs->exps[refs[i].exp].name;
        int seen = 0;
        for (int j = 0; j < i; j++)
            seen |= refs[j].exp == refs[i].exp;
        if (!seen && at < sizeof targets && refs[i].cell->ok == 0)
            at += (size_t)snprintf(targets + at, sizeof targets - at, "%s`make reproduce-%s%s%s`",
                                   at ? ", " : "", name, plain ? "" : " PROFILE=",
                                   plain ? "" : cs->profile);
    }
    result_missing(r, "cells missing: %s%s", targets[0] ? targets : "no seed has every cell",
                   "");
}

/* Per seed of the method's experiment: method − versus (and, for a difference of differences,
 * minus the same at base_bits), paired wherever every cell has that seed; the two sides shown
 * are their means over the same pairs. */
static void measure_accuracy(const ClaimSet *cs, const Claim *c, const ClaimGrids *g,
                             ClaimResult *r)
{
    const Experiment *e = &cs->exps[c->exp];
    const int top5 = c->quantity == CLAIM_TOP5;
    CellRef refs[4];
    int nrefs = claim_refs(cs, c, g, refs);
    size_t n = (size_t)e->nseeds + 1; /* + 1: never malloc(0) */
    double *x = malloc(sizeof *x * n), *y = malloc(sizeof *y * n);
    QB_ASSERT(x && y);
    for (int s = 0; s < e->nseeds; s++) {
        double v[4];
        for (int k = 0; k < nrefs; k++)
            v[k] = ref_value(cs, &refs[k], e->seeds[s], top5);
        x[s] = nrefs == 4 ? v[0] - v[1] : v[0];
        y[s] = nrefs == 4 ? v[2] - v[3] : v[1];
        if (isfinite(x[s]) && isfinite(y[s]))
            count_convergence(cs, refs, nrefs, e->seeds[s], r);
    }
    paired_diff(x, y, e->nseeds, &r->d);
    r->a = finite_mean(x, y, e->nseeds), r->b = finite_mean(y, x, e->nseeds);
    free(x), free(y);
    r->v = claim_verdict(c, &r->d, 0);
    snprintf(r->interval_kind, sizeof r->interval_kind, "95%% CI");
    if (r->v == VERDICT_MISSING)
        accuracy_missing(cs, refs, nrefs, r);
}

/* n blocks or layers' differences: their range lo..hi, their sum, and the sums of the two
 * sides' values; the claim decided on them exactly. */
static void range_result(const Claim *c, int n, double lo, double hi, double sum,
                         const double sides[2], const char *kind, ClaimResult *r)
{
    r->d = (Paired){n, sum / n, NAN, lo, hi, NAN};
    r->a = sides[0] / n, r->b = sides[1] / n;
    r->exact = 1;
    snprintf(r->interval_kind, sizeof r->interval_kind, "%s", kind);
    r->v = claim_verdict(c, &r->d, 1);
}

/* The probe data a block or layer claim reads, and the two cells of this table it must have
 * been measured on (probe_source.h). */
static BlockSource probe_source_of(const ClaimSet *cs, const Claim *c, const ClaimGrids *g,
                                   const char *results_dir)
{
    CellRef refs[4];
    claim_refs(cs, c, g, refs);
    return (BlockSource){c->data, cs->profile, results_dir, cs->by_position, &cs->exps[c->exp],
                         c->net, c->method, c->versus, c->bits, refs[0].cell, refs[1].cell};
}

/* Every block: method's relative error − versus's; the interval is their range. */
static void measure_blocks(const ClaimSet *cs, const Claim *c, const ClaimGrids *g,
                           const char *results_dir, ClaimResult *r)
{
    BlockSource s = probe_source_of(cs, c, g, results_dir);
    BlockDiff d;
    char why[sizeof r->missing];
    if (!block_source_read(&s, &d, why, sizeof why))
        return result_missing(r, "%s%s", why, "");
    range_result(c, d.n, d.lo, d.hi, d.mean * d.n, (double[2]){d.a * d.n, d.b * d.n},
                 "range over blocks", r);
}

/* A layer's activation error (rounding + clipping) of `scheme`, from the columns of
 * layer_error.dat; NAN where the layer has no input quantizer. */
typedef struct {
    int round, clip;
} ActColumns;

static int act_columns(const ProbeHeader *h, const char *scheme, ActColumns *out)
{
    char name[64];
    snprintf(name, sizeof name, "%s_a_round", scheme);
    out->round = probe_column(h, name);
    snprintf(name, sizeof name, "%s_a_clip", scheme);
    out->clip = probe_column(h, name);
    return out->round >= 0 && out->clip >= 0 ? 0 : -1;
}

/* One row's fields as numbers, by column (the index and the layer's name, columns 0 and 1,
 * as NAN); the count of columns read. */
static int layer_fields(const char *line, double *v, int cap)
{
    int skip = 0, k = 2;
    if (line[0] == '#' || sscanf(line, "%*s %*s%n", &skip) < 0 || skip == 0)
        return 0;
    v[0] = v[1] = NAN;
    for (const char *at = line + skip; k < cap; k++) {
        char *end;
        v[k] = strtod(at, &end);
        if (end == at)
            break;
        at = end;
    }
    return k;
}

/* Every layer with an input quantizer in both: method's activation error − versus's (ASQ
 * paper Fig. 6: rounding and clipping together); the interval is their range. The file counts
 * only when its provenance is this table's (probe_source_open). */
static void measure_layers(const ClaimSet *cs, const Claim *c, const ClaimGrids *g,
                           const char *results_dir, ClaimResult *r)
{
    BlockSource s = probe_source_of(cs, c, g, results_dir);
    char why[sizeof r->missing], line[1024];
    FILE *f;
    ProbeHeader h;
    if (!probe_source_open(&s, &f, &h, why, sizeof why))
        return result_missing(r, "%s%s", why, "");
    int n = 0;
    ActColumns ca, cb;
    int ok = h.bits == c->bits && act_columns(&h, c->method, &ca) == 0 &&
             act_columns(&h, c->versus, &cb) == 0;
    double lo = INFINITY, hi = -INFINITY, sum = 0, sa = 0, sb = 0, v[64];
    while (ok && fgets(line, sizeof line, f)) {
        int k = layer_fields(line, v, 64);
        if (k <= ca.round || k <= ca.clip || k <= cb.round || k <= cb.clip)
            continue;
        double a = v[ca.round] + v[ca.clip], b = v[cb.round] + v[cb.clip], d = a - b;
        if (isnan(d))
            continue;
        lo = fmin(lo, d), hi = fmax(hi, d), sum += d, sa += a, sb += b, n++;
    }
    probe_source_close(f, &h);
    if (!n)
        return result_missing(r, "%s: no layer of both schemes at these bits; %s", c->data,
                              "regenerate it with make plots-probe");
    range_result(c, n, lo, hi, sum, (double[2]){sa, sb}, "range over layers", r);
}

static double ops_total(const IntOps *o)
{
    return (double)(o->mul + o->shift + o->add + o->lut + o->rescale);
}

/* One method's integer layer as `qbench intcheck --scheme` runs it: a scheme whose activations
 * have integer codes (a uniform int_path: LSQ's, ASQ's), else the weight method with LSQ
 * activations. */
static int method_check(const char *method, int bits, IntCheckReport *rep, QbErr *err)
{
    const Scheme *s = scheme_find(method);
    const QuantizerOps *act = s ? quantizer_find(s->amethod) : NULL;
    int uniform_acts = act && act->int_path[QROLE_ACT] == QINT_UNIFORM;
    IntCheckSpec spec = {.wmethod = uniform_acts ? s->wmethod : method,
                         .amethod = uniform_acts ? s->amethod : "lsq", .wbits = bits,
                         .abits = bits, .k = 64, .n = 576, .lut_frac = -1, .seed = 1};
    return int_check_run(&spec, rep, err);
}

/* A method's own path: POST's is its look-up table (the paper's), the others' the exact one. */
static double path_ops(const IntCheckReport *rep)
{
    return ops_total(rep->has_lut ? &rep->lut.ops : &rep->exact.ops);
}

/* method / versus, versus the uniform layer of the same shape or another method's layer. */
static int measure_ops(const Claim *c, ClaimResult *r, QbErr *err)
{
    IntCheckReport *rep = malloc(2 * sizeof *rep);
    if (!rep)
        return qb_fail(err, "claim %s: out of memory", c->id);
    const int uniform = claim_versus_is_uniform(c->versus);
    int rc = method_check(c->method, c->bits, &rep[0], err);
    if (rc == 0 && !uniform)
        rc = method_check(c->versus, c->bits, &rep[1], err);
    if (rc == 0) {
        double a = path_ops(&rep[0]), b = uniform ? ops_total(&rep[0].uniform.ops)
                                                  : path_ops(&rep[1]);
        result_exact(r, a, b, a / b, "exact count");
        r->v = claim_verdict(c, &r->d, 1);
    }
    free(rep);
    return rc < 0 ? qb_wrap(err, "claim %s: ", c->id) : 0;
}

/* The property of a weight level set (its non-negative half, ascending from 0). */
static int level_property(const Claim *c, const char *method, int bits, double *out, QbErr *err)
{
    const QuantizerOps *ops = quantizer_find(method);
    int n = ops->levels(bits, QROLE_WEIGHT, NULL, 0, NULL, 0, err);
    double *lv = n > 0 ? malloc(sizeof *lv * (size_t)n) : NULL;
    if (!lv)
        return qb_wrap(err, "claim %s: levels of %s at %d bits: ", c->id, method, bits);
    ops->levels(bits, QROLE_WEIGHT, NULL, 0, lv, n, err);
    double prev = 0, smallest = INFINITY, gap = 0;
    int near = 0;
    for (int i = 0; i < n; i++) {
        if (lv[i] <= 0)
            continue;
        smallest = fmin(smallest, lv[i]);
        gap = fmax(gap, lv[i] - prev);
        near += lv[i] <= c->range;
        prev = lv[i];
    }
    free(lv);
    *out = c->property == LEVELS_SMALLEST_STEP ? smallest
           : c->property == LEVELS_LARGEST_GAP ? gap : (double)near;
    return 0;
}

static int measure_levels(const Claim *c, ClaimResult *r, QbErr *err)
{
    double a, b;
    if (level_property(c, c->method, c->bits, &a, err) < 0 ||
        level_property(c, c->versus, c->versus_bits, &b, err) < 0)
        return -1;
    result_exact(r, a, b, a - b, "exact (level sets)");
    r->v = claim_verdict(c, &r->d, 1);
    return 0;
}

int claim_measure(const ClaimSet *cs, const Claim *c, const ClaimGrids *g,
                  const char *results_dir, ClaimResult *r, QbErr *err)
{
    memset(r, 0, sizeof *r);
    switch (c->quantity) {
    case CLAIM_TOP1:
    case CLAIM_TOP5:
        measure_accuracy(cs, c, g, r);
        return 0;
    case CLAIM_BLOCK_ERROR:
        measure_blocks(cs, c, g, results_dir, r);
        return 0;
    case CLAIM_LAYER_ERROR:
        measure_layers(cs, c, g, results_dir, r);
        return 0;
    case CLAIM_INT_OPS:
        return measure_ops(c, r, err);
    case CLAIM_LEVELS:
        return measure_levels(c, r, err);
    }
    return 0;
}

/* One experiment's grid: the reference by matrix position, unless it has no directory for the
 * experiment (one the reference has not measured yet: its cells read as missing). */
static int grid_load_one(const ClaimSet *cs, int i, const char *results_dir, Grid *g,
                         CellList *l, QbErr *err)
{
    char dir[1024];
    snprintf(dir, sizeof dir, "%s/%s", results_dir, cs->exps[i].name);
    if (cells_expand(&cs->exps[i], l, err) < 0)
        return -1;
    return cs->by_position && file_exists(dir)
               ? grid_load_by_position(g, &cs->exps[i], l, results_dir, err)
               : grid_load(g, &cs->exps[i], l, results_dir, err);
}

int claim_grids_load(const ClaimSet *cs, const char *results_dir, ClaimGrids *g, QbErr *err)
{
    g->n = cs->nexps;
    g->grids = calloc((size_t)g->n + 1, sizeof *g->grids);
    g->cells = calloc((size_t)g->n + 1, sizeof *g->cells);
    if (!g->grids || !g->cells)
        return claim_grids_free(g), qb_fail(err, "%s: out of memory for %d grids", cs->path, g->n);
    for (int i = 0; i < g->n; i++)
        if (grid_load_one(cs, i, results_dir, &g->grids[i], &g->cells[i], err) < 0)
            return claim_grids_free(g), -1;
    return 0;
}

void claim_grids_free(ClaimGrids *g)
{
    for (int i = 0; g->grids && g->cells && i < g->n; i++) {
        grid_free(&g->grids[i]);
        cells_free(&g->cells[i]);
    }
    free(g->grids);
    free(g->cells);
    g->grids = NULL, g->cells = NULL, g->n = 0;
}

int claims_seeds_max(ClaimSet *cs, int n, QbErr *err)
{
    for (int i = 0; i < cs->nexps; i++)
        if (cs->exps[i].nseeds < n && experiment_seed_count(&cs->exps[i], n, err) < 0)
            return -1;
    return 0;
}

int claims_block_data(ClaimSet *cs, const char *path, QbErr *err)
{
    char layers[sizeof cs->claims[0].data + 32];
    const char *slash = strrchr(path, '/');
    snprintf(layers, sizeof layers, "%.*slayer_error.dat", slash ? (int)(slash - path + 1) : 0,
             path);
    if (strlen(path) >= sizeof cs->claims[0].data || strlen(layers) >= sizeof cs->claims[0].data)
        return qb_fail(err, "--block-data %s: path too long (at most %zu characters)", path,
                       sizeof cs->claims[0].data - 1);
    for (int i = 0; i < cs->n; i++)
        if (cs->claims[i].quantity == CLAIM_BLOCK_ERROR)
            snprintf(cs->claims[i].data, sizeof cs->claims[i].data, "%s", path);
        else if (cs->claims[i].quantity == CLAIM_LAYER_ERROR)
            snprintf(cs->claims[i].data, sizeof cs->claims[i].data, "%s", layers);
    snprintf(cs->block_data, sizeof cs->block_data, "%s", path);
    return 0;
}

static int result_exists(const char *results_dir, const Experiment *e, const char *id)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s/%s.json", results_dir, e->name, id);
    return file_exists(path);
}

/* The first seed at which the claim's cells are incomplete and can still be completed (a seed
 * with a failed run is skipped: its result file stays); that seed's missing results. */
static int claim_next(const ClaimSet *cs, const Claim *c, const ClaimGrids *g,
                      const char *results_dir, FILE *out)
{
    const Experiment *e = &cs->exps[c->exp];
    CellRef refs[4];
    const int nrefs = claim_refs(cs, c, g, refs);
    for (int s = 0; s < e->nseeds; s++) {
        int absent[4] = {0}, idx[4], failed = 0, any = 0;
        for (int k = 0; k < nrefs; k++) {
            int dup = 0;
            for (int j = 0; j < k; j++)
                dup |= refs[j].cell == refs[k].cell;
            idx[k] = seed_index(cs, refs[k].exp, e->seeds[s]);
            if (dup || idx[k] < 0 || !isnan(refs[k].cell->top1[idx[k]]) ||
                !refs[k].cell->id[idx[k]][0])
                continue;
            absent[k] = !result_exists(results_dir, &cs->exps[refs[k].exp],
                                       refs[k].cell->id[idx[k]]);
            failed |= !absent[k];
            any |= absent[k];
        }
        if (failed || !any)
            continue;
        int lines = 0;
        for (int k = 0; k < nrefs; k++)
            if (absent[k]) {
                const Experiment *ek = &cs->exps[refs[k].exp];
                fprintf(out, "%s %s/%s.json\n", ek->path, ek->name, refs[k].cell->id[idx[k]]);
                lines++;
            }
        return lines;
    }
    return 0;
}

void claim_cells(const ClaimSet *cs, const Claim *c, const ClaimGrids *g, ClaimCellVisit visit,
                 void *user)
{
    CellRef refs[4];
    if (c->quantity != CLAIM_TOP1 && c->quantity != CLAIM_TOP5)
        return;
    const int nrefs = claim_refs(cs, c, g, refs);
    const Experiment *e = &cs->exps[c->exp];
    for (int s = 0; s < e->nseeds; s++)
        for (int k = 0; k < nrefs; k++) {
            int i = seed_index(cs, refs[k].exp, e->seeds[s]);
            if (i >= 0 && refs[k].cell && refs[k].cell->id[i][0])
                visit(user, refs[k].exp, refs[k].cell->id[i]);
        }
}

int claims_next_cells(const ClaimSet *cs, const char *results_dir, FILE *out, QbErr *err)
{
    ClaimGrids g;
    int lines = claim_grids_load(cs, results_dir, &g, err) < 0 ? -1 : 0;
    for (int i = 0; lines >= 0 && i < cs->n; i++) {
        const Claim *c = &cs->claims[i];
        ClaimResult r;
        if (c->quantity != CLAIM_TOP1 && c->quantity != CLAIM_TOP5)
            continue;
        memset(&r, 0, sizeof r);
        measure_accuracy(cs, c, &g, &r);
        if (r.v == VERDICT_UNRESOLVED)
            lines += claim_next(cs, c, &g, results_dir, out);
    }
    if (lines >= 0)
        claim_grids_free(&g);
    return lines;
}
