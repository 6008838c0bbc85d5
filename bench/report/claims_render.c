/* The claims table (claims.h): every claim measured (claims_check.c) and written as Markdown
 * and CSV, each row naming the regime it was measured in beside the paper's, its verdict
 * worded as a statement about that regime (and marked when it rests on an unconverged run),
 * and the paper's own difference against qbench's interval (the magnitude check). */
#include <math.h>
#include <string.h>

#include "core/atomic_file.h"
#include "core/data/dataset.h"
#include "claims_ladder.h"
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
        interval_text(&r->d, claim_diff_scale(c), r->interval_kind, interval, cap);
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
    "measured,lo,hi,n,verdict,regime,paper_regime,magnitude,measure_with,ladder,ladder_stability,"
    "unconverged,convergence_not_recorded\n";

/* A claim's row beside its ladder: the rungs' text (Markdown, and CSV without its line
 * breaks) and the stability. */
typedef struct {
    char text[600];       /* Markdown, one rung per line */
    char plain[600];      /* CSV, rungs separated by "; " */
    LadderStability st;
} ClaimRungs;

static void csv_claim(FILE *f, const ClaimSet *cs, const Claim *c, const ClaimResult *r,
                      const ClaimRegime *rg, const ClaimRungs *lr)
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
        interval_shown(&r->d, claim_diff_scale(c), &lo, &hi);
    csv_num(f, lo, ",");
    csv_num(f, hi, ",");
    fprintf(f, "%d,%s,", r->d.n, verdict_name(r->v));
    csv_field(f, rg->measured, ",");
    csv_field(f, rg->paper, ",");
    csv_field(f, mag, ",");
    csv_field(f, r->missing, ",");
    csv_field(f, lr->st == LADDER_NONE ? "" : lr->plain, ",");
    csv_field(f, lr->st == LADDER_NONE ? "" : ladder_stability_name(lr->st), ",");
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
                     const ClaimRegime *rg, const ClaimRungs *lr)
{
    char cmp[400], paper[400], value[128], interval[128], mag[96], verdict[160], conv[64];
    comparison_text(cs, c, cmp, sizeof cmp);
    paper_text(c, paper, sizeof paper);
    measured_text(c, r, value, interval, sizeof value);
    magnitude_text(c, r, mag, sizeof mag);
    unconverged_text(r, conv, sizeof conv);
    /* a verdict that moves with the budget is never shown as plain holds or contradicted */
    if (lr->st == LADDER_SENSITIVE)
        snprintf(verdict, sizeof verdict, "**budget-sensitive**: %s at 1x", verdict_name(r->v));
    else
        snprintf(verdict, sizeof verdict, "**%s**", verdict_name(r->v));
    fprintf(f, "| %s | %s<br>`%s`%s%s%s%s | %s | %s | **measured:** %s<br>**paper:** %s | %s | %s "
            "| %d | %s %s%s%s%s | %s |", c->id, c->text, cmp,
            c->kind == CLAIM_EQUIVALENCE ? "<br>margin: " : "", c->margin_source,
            c->note[0] ? "<br>" : "", c->note, c->source, paper, rg->measured,
            rg->paper[0] ? rg->paper : "not stated", value, interval, r->d.n,
            verdict, rg->where, r->missing[0] ? ": " : "", r->missing, conv, mag);
    if (cs->nrungs)
        fprintf(f, " %s |", lr->text);
    fputs("\n", f);
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

/* What the ladder column says, and what each rung can resolve. */
static void md_ladder_header(FILE *f, const ClaimSet *cs)
{
    if (!cs->nrungs)
        return;
    fprintf(f, "**Budget ladder.** Every accuracy claim decided (holds or contradicted) at the "
               "profile's own length, 1x, is measured again on its cells trained longer, with "
               "the same data and schedule shape (`make ladder`):");
    for (int r = 0; r < cs->nrungs; r++)
        fprintf(f, "%s %dx with %d seed%s (%s)", r ? ";" : "", cs->rungs[r].budget,
                cs->rungs[r].seeds, cs->rungs[r].seeds == 1 ? "" : "s",
                cs->rungs[r].seeds >= LADDER_DECIDING_SEEDS
                    ? "a verdict of its own"
                    : "the side of the bound its mean lies on, no verdict: a 95% interval of so "
                      "few seeds spans many standard deviations");
    fprintf(f, ". **budget-stable**: every rung agrees with 1x and one of them decides "
               "(\"to 3x\": a rung too small to decide has no cells yet, and the verdict is "
               "stable up to the budget named); **budget-sensitive**: a rung with %d or more "
               "seeds gives another verdict, or a rung's mean lies on the other side of the "
               "bound, and then the verdict column never reads plain holds or contradicted; "
               "**ladder incomplete**: a deciding rung's cells are missing, or a rung is short "
               "of its seeds.\n\n", LADDER_DECIDING_SEEDS);
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
               "comparison, and whether it lies inside qbench's interval.\n\n");
    md_ladder_header(f, cs);
    fprintf(f, "| id | claim | source | paper | regime | qbench | interval | n | verdict | "
               "paper's value in qbench's interval |%s\n|---|---|---|---|---|---:|---:|---:|---|---|%s\n",
            cs->nrungs ? " budget ladder |" : "", cs->nrungs ? "---|" : "");
}

/* The verdicts and the ladder's stabilities counted, for the summary line. */
typedef struct {
    int verdict[4], stability[4];
    int stable_to, stable_short;  /* stable ones a rung too small to decide has not reached
                                     yet, and the largest budget they were measured at */
    int measured, unconverged, unrecorded; /* accuracy claims with pairs; resting on an
                                              unconverged run, on runs without a verdict */
} ClaimCounts;

/* Claim i measured at 1x and on the ladder. */
static int claim_row(const ClaimSet *cs, int i, const ClaimGrids *g, const Ladder *l,
                     const char *results_dir, ClaimResult *r, ClaimResult *at, ClaimRungs *lr,
                     QbErr *err)
{
    const Claim *c = &cs->claims[i];
    if (claim_measure(cs, c, g, results_dir, r, err) < 0 ||
        ladder_measure(l, i, r, results_dir, at, &lr->st, err) < 0)
        return -1;
    ladder_text(cs, c, r, at, lr->st, "<br>", 1, lr->text, sizeof lr->text);
    ladder_text(cs, c, r, at, lr->st, "; ", 0, lr->plain, sizeof lr->plain);
    return 0;
}

static void counts_text(const ClaimSet *cs, const ClaimCounts *k, char *out, size_t cap)
{
    size_t at = (size_t)snprintf(out, cap, "%d claims: %d hold, %d contradicted, %d unresolved, "
                                 "%d missing", cs->n, k->verdict[VERDICT_HOLDS],
                                 k->verdict[VERDICT_CONTRADICTED],
                                 k->verdict[VERDICT_UNRESOLVED], k->verdict[VERDICT_MISSING]);
    if (cs->nrungs && at < cap)
        at += (size_t)snprintf(out + at, cap - at, "; of the decided accuracy claims, %d "
                               "budget-stable", k->stability[LADDER_STABLE]);
    if (cs->nrungs && k->stable_short == k->stability[LADDER_STABLE] && k->stable_short &&
        at < cap)
        at += (size_t)snprintf(out + at, cap - at, " to %dx", k->stable_to);
    else if (cs->nrungs && k->stable_short && at < cap)
        at += (size_t)snprintf(out + at, cap - at, " (%d of them to %dx only)", k->stable_short,
                               k->stable_to);
    if (cs->nrungs && at < cap)
        snprintf(out + at, cap - at, ", %d budget-sensitive, %d with the ladder incomplete",
                 k->stability[LADDER_SENSITIVE], k->stability[LADDER_INCOMPLETE]);
}

/* Every claim measured into both open files, then the counts of each verdict. */
static int claims_rows(const ClaimSet *cs, const ClaimGrids *g, const Ladder *l,
                       const char *results_dir, const char *out_base, FILE *md, FILE *csv,
                       FILE *out, QbErr *err)
{
    ClaimCounts k = {{0}, {0}, 0, 0, 0, 0, 0};
    ClaimResult *at = calloc((size_t)cs->nrungs + 1, sizeof *at);
    if (!at)
        return qb_fail(err, "%s: out of memory for the ladder", cs->path);
    md_header(md, cs, results_dir);
    fputs(csv_head, csv);
    for (int i = 0; i < cs->n; i++) {
        const Claim *c = &cs->claims[i];
        ClaimResult r;
        ClaimRegime rg;
        ClaimRungs lr;
        if (claim_row(cs, i, g, l, results_dir, &r, at, &lr, err) < 0)
            return free(at), -1;
        claim_regime(cs, c, &rg);
        md_claim(md, cs, c, &r, &rg, &lr);
        csv_claim(csv, cs, c, &r, &rg, &lr);
        k.verdict[r.v]++, k.stability[lr.st]++;
        int to = ladder_stable_to(cs, at, lr.st);
        k.stable_short += to > 0, k.stable_to = to > k.stable_to ? to : k.stable_to;
        k.measured += (c->quantity == CLAIM_TOP1 || c->quantity == CLAIM_TOP5) && r.d.n > 0;
        k.unconverged += r.unconverged > 0, k.unrecorded += r.unrecorded > 0;
        fprintf(out, "%s: %s %s (n=%d)%s%s%s%s\n", c->id, verdict_name(r.v), rg.where, r.d.n,
                r.missing[0] ? ": " : "", r.missing, lr.st == LADDER_NONE ? "" : "; ",
                lr.st == LADDER_NONE ? "" : ladder_stability_name(lr.st));
    }
    free(at);
    char counts[400], conv[512];
    counts_text(cs, &k, counts, sizeof counts);
    fprintf(md, "\n%s, each in the regime its row names.\n", counts);
    conv_claims_note(k.measured, k.unconverged, k.unrecorded, conv, sizeof conv);
    if (conv[0])
        fprintf(md, "\n%s\n", conv);
    fprintf(md, "\nGenerated by `bin/qbench claims %s%s --profile %s --results %s%s%s`.\n",
            cs->path,
            cs->by_position ? " --by-position" : "", cs->profile, results_dir,
            cs->block_data[0] ? " --block-data " : "", cs->block_data);
    fprintf(out, "%s -> %s.md, .csv\n", counts, out_base);
    return 0;
}

/* claims_rows' arguments, through md_csv_write. */
typedef struct {
    const ClaimSet *cs;
    const ClaimGrids *g;
    const Ladder *l;
    const char *results_dir, *out_base;
    FILE *out;
} ClaimsFiles;

static int claims_files(FILE *md, FILE *csv, void *user, QbErr *err)
{
    const ClaimsFiles *a = user;
    return claims_rows(a->cs, a->g, a->l, a->results_dir, a->out_base, md, csv, a->out, err);
}

int claims_write(const ClaimSet *cs, const char *results_dir, const char *out_base, FILE *out,
                 QbErr *err)
{
    ClaimGrids g;
    Ladder l = {0};
    if (claim_grids_load(cs, results_dir, &g, err) < 0)
        return -1;
    int rc = ladder_load(cs, results_dir, &l, err);
    if (rc == 0)
        rc = md_csv_write(out_base, claims_files,
                          &(ClaimsFiles){cs, &g, &l, results_dir, out_base, out}, err);
    if (rc == 0 && cs->nrungs && cs->ladder_bits)
        rc = ladder_rows_write(cs, &g, &l, results_dir, out_base, err);
    ladder_free(&l);
    claim_grids_free(&g);
    return rc;
}
