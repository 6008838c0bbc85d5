/* Measuring the claims (see claims.h): accuracy claims from the experiments' results paired
 * by seed, block-error claims from the probe's block_error.dat when it was measured on the
 * table's regime (probe_source.h), operation-count claims from
 * the integer path run in process; then the claims table as Markdown and CSV. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "quantizers/registry.h"
#include "core/atomic_file.h"
#include "int/intcheck.h"
#include "claims.h"
#include "grid.h"
#include "render.h"
#include "probe_source.h"

typedef struct {
    Paired d;              /* method − versus (int_ops: method / versus); lo/hi a range for
                              block errors, equal to the mean for exact counts */
    Verdict v;
    double a, b;           /* the two measured values (means) */
    char interval_kind[32];
    char missing[2048];    /* how to measure it, when it could not be */
} ClaimResult;

static void result_missing(ClaimResult *r, const char *fmt, const char *a, const char *b)
{
    memset(&r->d, 0, sizeof r->d);
    r->d.mean = r->d.lo = r->d.hi = r->a = r->b = NAN;
    r->v = VERDICT_MISSING;
    snprintf(r->missing, sizeof r->missing, fmt, a, b);
}

/* A deterministic value (an operation count) has no noise: it is on one side. */
static Verdict exact_verdict(double v, const Claim *c)
{
    return (c->greater ? v > c->threshold : v < c->threshold) ? VERDICT_HOLDS
                                                              : VERDICT_CONTRADICTED;
}

static int net_index(const Experiment *e, const char *net)
{
    for (int i = 0; i < e->nnets; i++)
        if (!strcmp(e->nets[i], net))
            return i;
    return -1;
}

/* The two grid positions an accuracy claim compares. */
static void claim_cells(const ClaimSet *cs, const Claim *c, const Grid *g, const GridCell **a,
                        const GridCell **b)
{
    const Experiment *e = &cs->exps[c->exp];
    int n = net_index(e, c->net);
    *a = grid_cell(g, n, grid_scheme_index(e, c->method), strcmp(c->method, "fp") ? c->bits : 0);
    *b = grid_cell(g, n, grid_scheme_index(e, c->versus), strcmp(c->versus, "fp") ? c->bits : 0);
}

static void measure_accuracy(const ClaimSet *cs, const Claim *c, const Grid *g, ClaimResult *r)
{
    const Experiment *e = &cs->exps[c->exp];
    int top5 = c->quantity == CLAIM_TOP5;
    const GridCell *a, *b;
    claim_cells(cs, c, g, &a, &b);
    grid_paired_cells(g, a, b, top5, &r->d);
    r->a = grid_mean(a, top5), r->b = grid_mean(b, top5);
    r->v = verdict_of(&r->d, c->threshold, c->greater);
    snprintf(r->interval_kind, sizeof r->interval_kind, "95%% CI");
    if (r->v == VERDICT_MISSING) {
        char target[128];
        snprintf(target, sizeof target, "make reproduce-%s%s%s", e->name,
                 strcmp(cs->profile, "quick") ? " PROFILE=" : "",
                 strcmp(cs->profile, "quick") ? cs->profile : "");
        result_missing(r, "cells missing: `%s`%s", target, "");
    }
}

/* Every block: method's relative error − versus's; the interval is their range. The probe
 * data counts only when measured on this table's regime (probe_source.h). */
static void measure_blocks(const ClaimSet *cs, const Claim *c, const Grid *g,
                           const char *results_dir, ClaimResult *r)
{
    BlockSource s = {c->data, cs->profile, results_dir, cs->by_position, &cs->exps[c->exp],
                     c->net, c->method, c->versus, c->bits, NULL, NULL};
    BlockDiff d;
    char why[sizeof r->missing];
    claim_cells(cs, c, g, &s.a, &s.b);
    if (!block_source_read(&s, &d, why, sizeof why)) {
        result_missing(r, "%s%s", why, "");
        return;
    }
    r->d = (Paired){d.n, d.mean, NAN, d.lo, d.hi, NAN};
    r->a = d.a, r->b = d.b;
    snprintf(r->interval_kind, sizeof r->interval_kind, "range over blocks");
    /* "every block": one block on the wrong side contradicts it */
    r->v = exact_verdict(c->greater ? d.lo : d.hi, c);
}

static double ops_total(const IntOps *o)
{
    return (double)(o->mul + o->shift + o->add + o->lut + o->rescale);
}

static int measure_ops(const Claim *c, ClaimResult *r, QbErr *err)
{
    /* as `qbench intcheck --scheme`: a scheme with uniform activations, else the weight
     * method with LSQ activations */
    const Scheme *s = scheme_find(c->method);
    int uniform_acts = s && (!strcmp(s->amethod, "lsq") || !strcmp(s->amethod, "asq"));
    IntCheckSpec spec = {.wmethod = uniform_acts ? s->wmethod : c->method,
                         .amethod = uniform_acts ? s->amethod : "lsq", .wbits = c->bits,
                         .abits = c->bits, .k = 64, .n = 576, .lut_frac = -1, .seed = 1};
    IntCheckReport rep;
    if (int_check_run(&spec, &rep, err) < 0)
        return qb_wrap(err, "claim %s: ", c->id);
    r->a = ops_total(&rep.exact.ops), r->b = ops_total(&rep.uniform.ops);
    double ratio = r->a / r->b;
    r->d = (Paired){1, ratio, NAN, ratio, ratio, 0};
    r->v = exact_verdict(ratio, c);
    snprintf(r->interval_kind, sizeof r->interval_kind, "exact count");
    return 0;
}

static int measure(const ClaimSet *cs, const Claim *c, const Grid *grids,
                   const char *results_dir, ClaimResult *r, QbErr *err)
{
    memset(r, 0, sizeof *r);
    switch (c->quantity) {
    case CLAIM_TOP1:
    case CLAIM_TOP5:
        measure_accuracy(cs, c, &grids[c->exp], r);
        return 0;
    case CLAIM_BLOCK_ERROR:
        measure_blocks(cs, c, &grids[c->exp], results_dir, r);
        return 0;
    case CLAIM_INT_OPS:
        return measure_ops(c, r, err);
    }
    return 0;
}

static const char *quantity_name(ClaimQuantity q)
{
    static const char *const names[] = {"top1", "top5", "block_error", "int_ops"};
    return names[q];
}

/* "asq − lsq > 0 (resnet20 2-bit top-1)" */
static void comparison_text(const Claim *c, char *out, size_t cap)
{
    const char *op = c->quantity == CLAIM_INT_OPS ? "/" : "−";
    if (c->quantity == CLAIM_TOP1 || c->quantity == CLAIM_TOP5)
        snprintf(out, cap, "%s %s %s %s %g (%s %d-bit %s)", c->method, op, c->versus,
                 c->greater ? ">" : "<", c->threshold, c->net, c->bits, quantity_name(c->quantity));
    else
        snprintf(out, cap, "%s %s %s %s %g (%d-bit %s)", c->method, op, c->versus,
                 c->greater ? ">" : "<", c->threshold, c->bits, quantity_name(c->quantity));
}

static void paper_text(const Claim *c, char *out, size_t cap)
{
    size_t at = 0;
    out[0] = '\0';
    if (!isnan(c->paper_method) && !isnan(c->paper_versus))
        at = (size_t)snprintf(out, cap, "%.2f vs %.2f (%+.2f)", c->paper_method, c->paper_versus,
                              c->paper_method - c->paper_versus);
    if (c->paper_note[0])
        snprintf(out + at, cap - at, "%s%s", at ? "; " : "", c->paper_note);
    if (!out[0])
        snprintf(out, cap, "–");
}

/* The range and decimals of a claim's difference: accuracies in points; block errors and
 * operation counts unbounded, to four decimals. */
static const DiffScale *claim_scale(const Claim *c)
{
    static const DiffScale unbounded = {-INFINITY, INFINITY, 4};
    return c->quantity == CLAIM_TOP1 || c->quantity == CLAIM_TOP5 ? &DIFF_POINTS : &unbounded;
}

static void measured_text(const Claim *c, const ClaimResult *r, char *value, char *interval,
                          size_t cap)
{
    if (r->v == VERDICT_MISSING) {
        snprintf(value, cap, "missing");
        snprintf(interval, cap, "–");
    } else if (c->quantity == CLAIM_INT_OPS) {
        snprintf(value, cap, "%.3f (%.0f vs %.0f operations)", r->d.mean, r->a, r->b);
        snprintf(interval, cap, "exact count");
    } else {
        snprintf(value, cap, c->quantity == CLAIM_BLOCK_ERROR ? "%+.4f (%.4f vs %.4f)"
                 : "%+.2f (%.2f vs %.2f)", r->d.mean, r->a, r->b);
        interval_text(&r->d, claim_scale(c), r->interval_kind, interval, cap);
    }
}

static void csv_field(FILE *f, const char *s, const char *end)
{
    csv_text(f, s);
    fputs(end, f);
}

static void csv_num(FILE *f, double v, const char *end)
{
    if (!isnan(v))
        fprintf(f, "%.6g", v);
    fputs(end, f);
}

static void csv_claim(FILE *f, const Claim *c, const ClaimResult *r)
{
    csv_field(f, c->id, ",");
    csv_field(f, c->text, ",");
    csv_field(f, c->source, ",");
    fprintf(f, "%s,%s,%d,%s,%s,%s,%g,", quantity_name(c->quantity), c->net, c->bits, c->method,
            c->versus, c->greater ? "greater" : "less", c->threshold);
    csv_num(f, c->paper_method, ",");
    csv_num(f, c->paper_versus, ",");
    csv_num(f, r->d.mean, ",");
    double lo, hi;
    interval_shown(&r->d, claim_scale(c), &lo, &hi);
    csv_num(f, lo, ",");
    csv_num(f, hi, ",");
    fprintf(f, "%d,%s,", r->d.n, verdict_name(r->v));
    csv_field(f, r->missing, "\n");
}

static void md_claim(FILE *f, const Claim *c, const ClaimResult *r)
{
    char cmp[256], paper[320], value[128], interval[128];
    comparison_text(c, cmp, sizeof cmp);
    paper_text(c, paper, sizeof paper);
    measured_text(c, r, value, interval, sizeof value);
    fprintf(f, "| %s | %s<br>`%s` | %s | %s | %s | %s | %d | **%s**%s%s |\n", c->id, c->text, cmp,
            c->source, paper, value, interval, r->d.n, verdict_name(r->v),
            r->missing[0] ? ": " : "", r->missing);
}

static int load_grids(const ClaimSet *cs, const char *results_dir, Grid *grids,
                      CellList *cells, QbErr *err)
{
    for (int i = 0; i < cs->nexps; i++)
        if (cells_expand(&cs->exps[i], &cells[i], err) < 0 ||
            (cs->by_position
                 ? grid_load_by_position(&grids[i], &cs->exps[i], &cells[i], results_dir, err)
                 : grid_load(&grids[i], &cs->exps[i], &cells[i], results_dir, err)) < 0)
            return -1;
    return 0;
}

static void free_grids(const ClaimSet *cs, Grid *grids, CellList *cells)
{
    for (int i = 0; i < cs->nexps; i++) {
        grid_free(&grids[i]);
        cells_free(&cells[i]);
    }
}

static void md_header(FILE *f, const ClaimSet *cs, const char *results_dir)
{
    fprintf(f, "# The papers' claims, checked\n\nEach claim is a comparison `method − versus` "
               "(operation counts: `method / versus`) on the claimed side of a threshold. Profile "
               "`%s`, results from `%s/`. Accuracy claims pair the two methods by seed (same "
               "net, bits and seed) and give the 95%% Student-t interval of the per-seed "
               "differences; block errors give the range over the residual blocks (the claim is "
               "about every block); operation counts are exact. Verdict: **holds** when the "
               "interval lies entirely on the claimed side, **contradicted** when entirely on "
               "the other side, **unresolved** when it spans the threshold or does not exist "
               "(one seed, or equal differences: no spread); ‡ marks a bound cut at ±100 points."
               "\n\n| id | claim | source | paper | qbench | interval | n | verdict |\n"
               "|---|---|---|---|---:|---:|---:|---|\n", cs->profile, results_dir);
}

/* Every claim measured into both open files, then the counts of each verdict. */
static int claims_rows(const ClaimSet *cs, const Grid *grids, const char *results_dir,
                       const char *out_base, FILE *md, FILE *csv, FILE *out, QbErr *err)
{
    int count[4] = {0};
    md_header(md, cs, results_dir);
    fprintf(csv, "id,claim,source,quantity,net,bits,method,versus,claimed,threshold,"
                 "paper_method,paper_versus,measured,lo,hi,n,verdict,measure_with\n");
    for (int i = 0; i < cs->n; i++) {
        ClaimResult r;
        if (measure(cs, &cs->claims[i], grids, results_dir, &r, err) < 0)
            return -1;
        md_claim(md, &cs->claims[i], &r);
        csv_claim(csv, &cs->claims[i], &r);
        count[r.v]++;
        fprintf(out, "%s: %s (n=%d)%s%s\n", cs->claims[i].id, verdict_name(r.v), r.d.n,
                r.missing[0] ? ": " : "", r.missing);
    }
    char counts[160];
    snprintf(counts, sizeof counts, "%d claims: %d hold, %d contradicted, %d unresolved, %d missing",
             cs->n, count[VERDICT_HOLDS], count[VERDICT_CONTRADICTED], count[VERDICT_UNRESOLVED],
             count[VERDICT_MISSING]);
    fprintf(md, "\n%s.\n\nGenerated by `bin/qbench report %s --claims%s --profile %s "
            "--results %s%s%s`.\n", counts, cs->path, cs->by_position ? " --by-position" : "",
            cs->profile, results_dir, cs->block_data[0] ? " --block-data " : "", cs->block_data);
    fprintf(out, "%s -> %s.md, .csv\n", counts, out_base);
    return 0;
}

int claims_write(const ClaimSet *cs, const char *results_dir, const char *out_base, FILE *out,
                 QbErr *err)
{
    Grid grids[CLAIM_EXPS_MAX];
    CellList cells[CLAIM_EXPS_MAX];
    memset(grids, 0, sizeof grids);
    memset(cells, 0, sizeof cells);
    char path[1024];
    AtomicFile md, csv;
    snprintf(path, sizeof path, "%s.md", out_base);
    if (load_grids(cs, results_dir, grids, cells, err) < 0 || atomic_open(&md, path, err) < 0)
        return free_grids(cs, grids, cells), -1;
    snprintf(path, sizeof path, "%s.csv", out_base);
    if (atomic_open(&csv, path, err) < 0)
        return atomic_abort(&md), free_grids(cs, grids, cells), -1;
    int rc = claims_rows(cs, grids, results_dir, out_base, md.f, csv.f, out, err);
    if (rc < 0)
        atomic_abort(&md);
    else
        rc = atomic_commit(&md, err);
    if (rc < 0)
        atomic_abort(&csv);
    else
        rc = atomic_commit(&csv, err);
    free_grids(cs, grids, cells);
    return rc;
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
    if (strlen(path) >= sizeof cs->claims[0].data)
        return qb_fail(err, "--block-data %s: path too long (at most %zu characters)", path,
                       sizeof cs->claims[0].data - 1);
    for (int i = 0; i < cs->n; i++)
        if (cs->claims[i].quantity == CLAIM_BLOCK_ERROR)
            snprintf(cs->claims[i].data, sizeof cs->claims[i].data, "%s", path);
    snprintf(cs->block_data, sizeof cs->block_data, "%s", path);
    return 0;
}

static int result_exists(const char *results_dir, const Experiment *e, const char *id)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s/%s.json", results_dir, e->name, id);
    return file_exists(path);
}

/* The first seed at which the claim's pair is incomplete and can still be completed (a seed
 * with a failed run is skipped: its result file stays); that seed's missing results. */
static int claim_next(const ClaimSet *cs, const Claim *c, const Grid *g, const char *results_dir,
                      FILE *out)
{
    const Experiment *e = &cs->exps[c->exp];
    const GridCell *pair[2];
    claim_cells(cs, c, g, &pair[0], &pair[1]);
    const int distinct = pair[1] != pair[0] ? 2 : 1;
    for (int s = 0; s < e->nseeds; s++) {
        int absent[2] = {0, 0}, failed = 0;
        for (int k = 0; k < distinct; k++)
            if (isnan(pair[k]->top1[s]) && pair[k]->id[s][0]) {
                absent[k] = !result_exists(results_dir, e, pair[k]->id[s]);
                failed |= !absent[k];
            }
        if (failed || !(absent[0] || absent[1]))
            continue;
        for (int k = 0; k < distinct; k++)
            if (absent[k])
                fprintf(out, "%s %s/%s.json\n", e->path, e->name, pair[k]->id[s]);
        return absent[0] + absent[1];
    }
    return 0;
}

int claims_next_cells(const ClaimSet *cs, const char *results_dir, FILE *out, QbErr *err)
{
    Grid grids[CLAIM_EXPS_MAX];
    CellList cells[CLAIM_EXPS_MAX];
    memset(grids, 0, sizeof grids);
    memset(cells, 0, sizeof cells);
    int lines = load_grids(cs, results_dir, grids, cells, err) < 0 ? -1 : 0;
    for (int i = 0; lines >= 0 && i < cs->n; i++) {
        const Claim *c = &cs->claims[i];
        ClaimResult r;
        if (c->quantity != CLAIM_TOP1 && c->quantity != CLAIM_TOP5)
            continue;
        measure_accuracy(cs, c, &grids[c->exp], &r);
        if (r.v == VERDICT_UNRESOLVED)
            lines += claim_next(cs, c, &grids[c->exp], results_dir, out);
    }
    free_grids(cs, grids, cells);
    return lines;
}
