/* The claims table (claims.h): every claim measured (claims_check.c) and written as Markdown
 * and CSV, each row naming the regime it was measured in beside the paper's, its verdict
 * worded as a statement about that regime (and marked when it rests on an unconverged run),
 * and the paper's own difference against qbench's interval (the magnitude check). */
#include <math.h>
#include <string.h>

#include "core/atomic_file.h"
#include "core/data/dataset.h"
#include "claims_check.h"
#include "conv_note.h"
#include "regime.h"
#include "render.h"

static const char *const property_names[] = {"smallest step", "largest gap"};

/* Where a claim was measured, in words, and the verdict's wording of it. */
typedef struct {
    char measured[1600];  /* "scaled replica: Fashion-MNIST, full-width ResNet-20, ..." */
    char paper[256];      /* the paper's regime, "" when unstated */
    char where[96];       /* "in the Fashion-MNIST replica", "in the paper's regime", ... */
} ClaimRegime;

static void experiment_regime(const Experiment *e, ClaimRegime *out, const char *prefix)
{
    Regime rg;
    regime_describe(e, &rg);
    snprintf(out->measured, sizeof out->measured, "%s%s", prefix, rg.text);
    snprintf(out->paper, sizeof out->paper, "%s", rg.paper);
    if (rg.kind == REGIME_PAPER)
        snprintf(out->where, sizeof out->where, "in the paper's regime");
    else
        snprintf(out->where, sizeof out->where, "in the %s replica", dataset_title(e->base.data)
                                                                         ? dataset_title(e->base.data)
                                                                         : e->base.data);
}

static void claim_regime(const ClaimSet *cs, const Claim *c, ClaimRegime *out)
{
    char prefix[512];
    memset(out, 0, sizeof *out);
    if (c->quantity == CLAIM_INT_OPS) {
        snprintf(out->measured, sizeof out->measured, "computed, no training: one integer "
                 "linear layer (64 outputs, fan-in 576, weights drawn from N(0, 2/576)) at %d "
                 "bits, its operations counted", c->bits);
        snprintf(out->where, sizeof out->where, "exactly (operation counts)");
    } else if (c->quantity == CLAIM_LEVELS) {
        snprintf(out->measured, sizeof out->measured, "computed, no training: the quantizers' "
                 "normalised weight level sets (the same in every regime)");
        snprintf(out->where, sizeof out->where, "exactly (level sets)");
    } else if (c->exp < 0) {
        snprintf(out->measured, sizeof out->measured, "the probe data in %s, from checkpoints "
                 "the claim does not name", c->data);
        snprintf(out->where, sizeof out->where, "in the probe data's regime");
    } else if (c->quantity == CLAIM_BLOCK_ERROR || c->quantity == CLAIM_LAYER_ERROR) {
        snprintf(prefix, sizeof prefix, "the probe on %s's %d-bit checkpoints (%s), trained in "
                 "the ", cs->exps[c->exp].name, c->bits, c->data);
        experiment_regime(&cs->exps[c->exp], out, prefix);
    } else {
        experiment_regime(&cs->exps[c->exp], out, "");
    }
    if (c->paper_regime[0])
        snprintf(out->paper, sizeof out->paper, "%s", c->paper_regime);
    else if (c->quantity == CLAIM_INT_OPS || c->quantity == CLAIM_LEVELS)
        snprintf(out->paper, sizeof out->paper, "the paper's own analysis, no training");
}

/* "asq − lsq > 0 (resnet20 2-bit top1)", "asq − fp ∈ (-1, 1) (...)", "(a − b)@4 − (a − b)@3 > 0". */
static void comparison_text(const ClaimSet *cs, const Claim *c, char *out, size_t cap)
{
    const char *op = c->quantity == CLAIM_INT_OPS ? "/" : "−";
    char lhs[160], where[160], bits[16] = "";
    if (c->versus_bits == c->bits)
        snprintf(bits, sizeof bits, "%d-bit ", c->bits);
    if (c->kind == CLAIM_DIFF_OF_DIFFS)
        snprintf(lhs, sizeof lhs, "(%s − %s)@%d − (%s − %s)@%d", c->method, c->versus, c->bits,
                 c->method, c->versus, c->base_bits);
    else if (c->kind == CLAIM_ABLATION)
        snprintf(lhs, sizeof lhs, "%s − %s [%s]", c->method, c->versus,
                 cs->exps[c->versus_exp].name);
    else if (c->versus_bits != c->bits)
        snprintf(lhs, sizeof lhs, "%s@%d %s %s@%d", c->method, c->bits, op, c->versus,
                 c->versus_bits);
    else
        snprintf(lhs, sizeof lhs, "%s %s %s", c->method, op, c->versus);
    if (c->quantity == CLAIM_LEVELS && c->property == LEVELS_NEAR_ZERO)
        snprintf(where, sizeof where, "%sweight levels: levels in (0, %g]", bits, c->range);
    else if (c->quantity == CLAIM_LEVELS)
        snprintf(where, sizeof where, "%sweight levels: %s", bits, property_names[c->property]);
    else if (c->quantity == CLAIM_TOP1 || c->quantity == CLAIM_TOP5)
        snprintf(where, sizeof where, "%s%s%.0d%s %s", c->net,
                 c->kind == CLAIM_DIFF_OF_DIFFS ? "" : " ",
                 c->kind == CLAIM_DIFF_OF_DIFFS ? 0 : c->bits,
                 c->kind == CLAIM_DIFF_OF_DIFFS ? "" : "-bit", claim_quantity_name(c->quantity));
    else
        snprintf(where, sizeof where, "%d-bit %s%s", c->bits, claim_quantity_name(c->quantity),
                 c->quantity == CLAIM_INT_OPS ? "" : c->every ? ", every one" : ", some one");
    if (c->kind == CLAIM_EQUIVALENCE)
        snprintf(out, cap, "%s ∈ (%g, %g) (%s)", lhs, c->threshold - c->margin,
                 c->threshold + c->margin, where);
    else
        snprintf(out, cap, "%s %s %g (%s)", lhs, c->greater ? ">" : "<", c->threshold, where);
}

static void paper_text(const Claim *c, char *out, size_t cap)
{
    size_t at = 0;
    const double v = claim_paper_value(c);
    out[0] = '\0';
    if (!isnan(c->paper_value))
        at = (size_t)snprintf(out, cap, c->quantity == CLAIM_INT_OPS ? "%.2f" : "%+.2f", v);
    else if (c->kind == CLAIM_DIFF_OF_DIFFS && !isnan(v))
        at = (size_t)snprintf(out, cap, "(%.2f − %.2f) − (%.2f − %.2f) = %+.2f", c->paper_method,
                              c->paper_versus, c->paper_base_method, c->paper_base_versus, v);
    else if (!isnan(v))
        at = (size_t)snprintf(out, cap, c->quantity == CLAIM_INT_OPS ? "%g vs %g (ratio %.2f)"
                              : "%.2f vs %.2f (%+.2f)", c->paper_method, c->paper_versus, v);
    if (c->paper_note[0])
        snprintf(out + at, cap - at, "%s%s", at ? "; " : "", c->paper_note);
    if (!out[0])
        snprintf(out, cap, "–");
}

/* The range a sampled difference can take: two accuracies differ by at most 100 points, two
 * such differences by at most 200; bounds past it are cut and marked (paired.h). */
static const DiffScale *claim_scale(const Claim *c)
{
    static const DiffScale diff_of_diffs = {-200, 200, 2};
    return c->kind == CLAIM_DIFF_OF_DIFFS ? &diff_of_diffs : &DIFF_POINTS;
}

static void measured_text(const Claim *c, const ClaimResult *r, char *value, char *interval,
                          size_t cap)
{
    const int probe = c->quantity == CLAIM_BLOCK_ERROR || c->quantity == CLAIM_LAYER_ERROR;
    if (r->v == VERDICT_MISSING) {
        snprintf(value, cap, "missing");
        snprintf(interval, cap, "–");
        return;
    }
    if (c->quantity == CLAIM_INT_OPS)
        snprintf(value, cap, "%.3f (%.0f vs %.0f operations)", r->d.mean, r->a, r->b);
    else if (c->quantity == CLAIM_LEVELS)
        snprintf(value, cap, "%+.4g (%.4g vs %.4g)", r->d.mean, r->a, r->b);
    else if (c->kind == CLAIM_DIFF_OF_DIFFS)
        snprintf(value, cap, "%+.2f (%+.2f at %d bits, %+.2f at %d)", r->d.mean, r->a, c->bits,
                 r->b, c->base_bits);
    else
        snprintf(value, cap, probe ? "%+.4f (%.4f vs %.4f)" : "%+.2f (%.2f vs %.2f)", r->d.mean,
                 r->a, r->b);
    if (r->exact && !probe)
        snprintf(interval, cap, "%s", r->interval_kind);
    else if (probe)
        snprintf(interval, cap, "[%+.4f, %+.4f] %s", r->d.lo, r->d.hi, r->interval_kind);
    else
        interval_text(&r->d, claim_scale(c), r->interval_kind, interval, cap);
}

/* The paper's own value against qbench's interval (an exact value: equal to it, or within the
 * range over blocks). */
static void magnitude_text(const Claim *c, const ClaimResult *r, char *out, size_t cap)
{
    const double v = claim_paper_value(c);
    const char *fmt = c->quantity == CLAIM_INT_OPS ? "%.2f: %s" : "%+.2f: %s";
    RegimeCheck chk;
    if (isnan(v)) {
        snprintf(out, cap, "–");
        return;
    }
    if (r->exact) {
        double tol = 1e-9 * fmax(1, fabs(v));
        snprintf(out, cap, fmt, v, r->d.n == 0 ? "no value" : r->d.lo - tol <= v &&
                 v <= r->d.hi + tol ? "inside (exact)" : "outside (exact)");
        return;
    }
    regime_check(&r->d, v, &chk);
    snprintf(out, cap, fmt, v, chk.magnitude == MAGNITUDE_NONE
                                   ? "no pairs" : regime_magnitude_name(chk.magnitude));
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

static const char csv_head[] =
    "id,claim,source,kind,quantity,experiment,versus_experiment,net,bits,base_bits,method,"
    "versus,claimed,threshold,margin,margin_source,paper_method,paper_versus,paper_value,"
    "measured,lo,hi,n,verdict,regime,paper_regime,magnitude,measure_with,unconverged,"
    "convergence_not_recorded\n";

static void csv_claim(FILE *f, const ClaimSet *cs, const Claim *c, const ClaimResult *r,
                      const ClaimRegime *rg)
{
    char mag[96];
    magnitude_text(c, r, mag, sizeof mag);
    csv_field(f, c->id, ",");
    csv_field(f, c->text, ",");
    csv_field(f, c->source, ",");
    fprintf(f, "%s,%s,%s,%s,%s,", claim_kind_name(c->kind), claim_quantity_name(c->quantity),
            c->exp >= 0 ? cs->exps[c->exp].name : "",
            c->kind == CLAIM_ABLATION ? cs->exps[c->versus_exp].name : "", c->net);
    fprintf(f, "%d,%.0d,%s,%s,%s,%g,", c->bits, c->base_bits, c->method, c->versus,
            c->kind == CLAIM_EQUIVALENCE ? "equivalent" : c->greater ? "greater" : "less",
            c->threshold);
    csv_num(f, c->kind == CLAIM_EQUIVALENCE ? c->margin : NAN, ",");
    csv_field(f, c->margin_source, ",");
    csv_num(f, c->paper_method, ",");
    csv_num(f, c->paper_versus, ",");
    csv_num(f, claim_paper_value(c), ",");
    csv_num(f, r->d.mean, ",");
    double lo = r->d.lo, hi = r->d.hi;
    if (!r->exact && c->quantity != CLAIM_BLOCK_ERROR && c->quantity != CLAIM_LAYER_ERROR)
        interval_shown(&r->d, claim_scale(c), &lo, &hi);
    csv_num(f, lo, ",");
    csv_num(f, hi, ",");
    fprintf(f, "%d,%s,", r->d.n, verdict_name(r->v));
    csv_field(f, rg->measured, ",");
    csv_field(f, rg->paper, ",");
    csv_field(f, mag, ",");
    csv_field(f, r->missing, ",");
    fprintf(f, "%d,%d\n", r->unconverged, r->unrecorded);
}

/* The verdict's note when it rests on runs whose training had not converged. */
static void unconverged_text(const ClaimResult *r, char *out, size_t cap)
{
    out[0] = '\0';
    if (r->unconverged)
        snprintf(out, cap, "<br>%s rests on %d unconverged run%s", CONV_MARK, r->unconverged,
                 r->unconverged > 1 ? "s" : "");
}

static void md_claim(FILE *f, const ClaimSet *cs, const Claim *c, const ClaimResult *r,
                     const ClaimRegime *rg)
{
    char cmp[400], paper[400], value[128], interval[128], mag[96], conv[64];
    comparison_text(cs, c, cmp, sizeof cmp);
    paper_text(c, paper, sizeof paper);
    measured_text(c, r, value, interval, sizeof value);
    magnitude_text(c, r, mag, sizeof mag);
    unconverged_text(r, conv, sizeof conv);
    fprintf(f, "| %s | %s<br>`%s`%s%s%s%s | %s | %s | **measured:** %s<br>**paper:** %s | %s | %s "
            "| %d | **%s** %s%s%s%s | %s |\n", c->id, c->text, cmp,
            c->kind == CLAIM_EQUIVALENCE ? "<br>margin: " : "", c->margin_source,
            c->note[0] ? "<br>" : "", c->note, c->source, paper, rg->measured,
            rg->paper[0] ? rg->paper : "not stated", value, interval, r->d.n,
            verdict_name(r->v), rg->where, r->missing[0] ? ": " : "", r->missing, conv, mag);
}

/* One line per experiment the claims read: its regime beside the paper's. */
static void md_regimes(FILE *f, const ClaimSet *cs)
{
    for (int i = 0; i < cs->nexps; i++) {
        ClaimRegime rg;
        experiment_regime(&cs->exps[i], &rg, "");
        fprintf(f, "- `%s`: **%s**; the paper's: %s\n", cs->exps[i].name, rg.measured,
                rg.paper[0] ? rg.paper : "not stated");
    }
    for (int i = 0; i < cs->n; i++)
        if (cs->claims[i].quantity == CLAIM_LEVELS || cs->claims[i].quantity == CLAIM_INT_OPS) {
            fprintf(f, "- level sets and operation counts: computed exactly from the quantizers, "
                       "no training: the same in every regime\n");
            return;
        }
}

static void md_header(FILE *f, const ClaimSet *cs, const char *results_dir)
{
    fprintf(f, "# The papers' claims, checked\n\n**Every verdict is a statement about the regime "
               "its row names**, the one qbench measured (profile `%s`, results from `%s/`); a "
               "verdict from a scaled replica is not a verdict on the paper's regime, which each "
               "row names beside it. The regimes measured:\n\n", cs->profile, results_dir);
    md_regimes(f, cs);
    fprintf(f, "\nEach claim compares `method − versus` (operation counts: `method / versus`). "
               "Kinds: a **difference** on the claimed side of a threshold; an **equivalence** "
               "within ±margin (its source stated); a **difference of differences** (the "
               "difference at one bit-width minus that at another, per seed); an **ablation** "
               "(versus: the same method without one of its parts, another experiment's cells, "
               "paired by seed). Accuracy claims pair by seed (same net, bits and seed) and give "
               "the 95%% Student-t interval of the per-seed differences; block and layer errors "
               "give the range over the blocks or layers (the claim is about every one, or some "
               "one); operation counts and level sets are exact. Verdict: **holds** when the "
               "interval lies entirely on the claimed side (equivalence: strictly inside "
               "±margin), **contradicted** when entirely on the other side (equivalence: wholly "
               "outside), **unresolved** when it touches or spans the bound or does not exist "
               "(one seed, or equal differences: no spread); ‡ marks a bound cut at the widest "
               "difference possible (±100 points). Magnitude: the paper's own value of the "
               "comparison, and whether it lies inside qbench's interval.\n\n| id | claim | source | paper | regime | "
               "qbench | interval | n | verdict | paper's value in qbench's interval |\n"
               "|---|---|---|---|---|---:|---:|---:|---|---|\n");
}

/* Every claim measured into both open files, then the counts of each verdict. */
static int claims_rows(const ClaimSet *cs, const ClaimGrids *g, const char *results_dir,
                       const char *out_base, FILE *md, FILE *csv, FILE *out, QbErr *err)
{
    int count[4] = {0}, unconverged = 0, unrecorded = 0, measured = 0;
    md_header(md, cs, results_dir);
    fputs(csv_head, csv);
    for (int i = 0; i < cs->n; i++) {
        const Claim *c = &cs->claims[i];
        ClaimResult r;
        ClaimRegime rg;
        if (claim_measure(cs, c, g, results_dir, &r, err) < 0)
            return -1;
        claim_regime(cs, c, &rg);
        md_claim(md, cs, c, &r, &rg);
        csv_claim(csv, cs, c, &r, &rg);
        count[r.v]++;
        unconverged += r.unconverged > 0, unrecorded += r.unrecorded > 0;
        measured += (c->quantity == CLAIM_TOP1 || c->quantity == CLAIM_TOP5) && r.d.n > 0;
        fprintf(out, "%s: %s %s (n=%d)%s%s\n", c->id, verdict_name(r.v), rg.where, r.d.n,
                r.missing[0] ? ": " : "", r.missing);
    }
    char counts[160], conv[512];
    snprintf(counts, sizeof counts, "%d claims: %d hold, %d contradicted, %d unresolved, %d missing",
             cs->n, count[VERDICT_HOLDS], count[VERDICT_CONTRADICTED], count[VERDICT_UNRESOLVED],
             count[VERDICT_MISSING]);
    fprintf(md, "\n%s, each in the regime its row names.\n", counts);
    conv_claims_note(measured, unconverged, unrecorded, conv, sizeof conv);
    if (conv[0])
        fprintf(md, "\n%s\n", conv);
    fprintf(md, "\nGenerated by `bin/qbench report %s "
            "--claims%s --profile %s --results %s%s%s`.\n", cs->path,
            cs->by_position ? " --by-position" : "", cs->profile, results_dir,
            cs->block_data[0] ? " --block-data " : "", cs->block_data);
    fprintf(out, "%s -> %s.md, .csv\n", counts, out_base);
    return 0;
}

int claims_write(const ClaimSet *cs, const char *results_dir, const char *out_base, FILE *out,
                 QbErr *err)
{
    ClaimGrids g;
    char path[1024];
    AtomicFile md, csv;
    if (claim_grids_load(cs, results_dir, &g, err) < 0)
        return -1;
    snprintf(path, sizeof path, "%s.md", out_base);
    if (atomic_open(&md, path, err) < 0)
        return claim_grids_free(&g), -1;
    snprintf(path, sizeof path, "%s.csv", out_base);
    if (atomic_open(&csv, path, err) < 0)
        return atomic_abort(&md), claim_grids_free(&g), -1;
    int rc = claims_rows(cs, &g, results_dir, out_base, md.f, csv.f, out, err);
    if (rc < 0)
        atomic_abort(&md);
    else
        rc = atomic_commit(&md, err);
    if (rc < 0)
        atomic_abort(&csv);
    else
        rc = atomic_commit(&csv, err);
    claim_grids_free(&g);
    return rc;
}
