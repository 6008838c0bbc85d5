/* Text tables from the grid: the bits layout (per method a qbench row, the paper's row, the
 * difference to the paper in the paper's own regime only, the paired difference to the
 * baseline beside the paper's own difference to it by sign and magnitude, and with a
 * reference its numbers and the difference to them: refcheck.h), the ablation layout (the
 * same as columns), the legend of those rows and the resolution statement. */
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "conv_note.h"
#include "paired_note.h"
#include "refcheck.h"
#include "render.h"

const PaperRow *paper_find(const Experiment *e, const char *net, const char *scheme)
{
    for (int i = 0; i < e->npaper; i++)
        if (!strcmp(e->paper[i].net, net) && !strcmp(e->paper[i].scheme, scheme))
            return &e->paper[i];
    return NULL;
}

const char *scheme_label(const Experiment *e, const char *net, const char *scheme)
{
    const PaperRow *p = paper_find(e, net, scheme);
    return p ? p->label : scheme_is_fp(scheme) ? "full precision" : scheme;
}

double paper_number(const PaperRow *p, int bits, int top5)
{
    if (!p)
        return NAN;
    return bits ? paper_row_at(p, top5 ? PAPER_TOP5 : PAPER_TOP1, bits) : top5 ? p->fp_top5 : p->fp;
}

double paper_paired(const Experiment *e, const char *net, const char *scheme, int bits, int top5)
{
    const PaperRow *m = paper_find(e, net, scheme), *b = paper_find(e, net, e->baseline);
    if (!m || !bits || !e->baseline[0] || !strcmp(scheme, e->baseline))
        return NAN;
    double base = scheme_is_fp(e->baseline) ? paper_number(b ? b : m, 0, top5)
                                            : paper_number(b, bits, top5);
    return paper_number(m, bits, top5) - base;
}

void num_text(double v, const char *fmt, char *out)
{
    if (isnan(v))
        snprintf(out, TTEXT, "–");
    else
        snprintf(out, TTEXT, fmt, v);
}

/* "92.31 ± 0.12", "92.31", "pending", "failed", "92.31 (1 of 2)"; ↘ after it when a run had
 * not converged (conv_note.h). */
static void stat_text(const GridCell *s, int top5, char *out)
{
    if (!s->ok) {
        snprintf(out, TTEXT, "%s", s->failed ? "failed" : s->missing ? "pending" : "–");
        return;
    }
    int n = snprintf(out, TTEXT, "%.2f", grid_mean(s, top5));
    if (s->ok > 1)
        n += snprintf(out + n, TTEXT - (size_t)n, " ± %.2f", grid_std(s, top5));
    if (s->failed || s->missing)
        snprintf(out + n, TTEXT - (size_t)n, " (%d of %d)", s->ok, s->ok + s->failed + s->missing);
    conv_mark_append(s, out, TTEXT);
}

/* The reference's cell, marked † when one of its runs has another cell id. */
static void ref_text(const Grid *g, const GridCell *user, const GridCell *ref, int top5,
                     char *out)
{
    RefCheck rc;
    refcheck_cell(g, user, ref, top5, &rc);
    if (!ref->ok && !ref->failed) {
        snprintf(out, TTEXT, "none");
        return;
    }
    stat_text(ref, top5, out);
    if (rc.other_code)
        snprintf(out + strlen(out), TTEXT - strlen(out), " †");
}

#define CELL(t, c) ((t)->rows[(t)->nrows - 1][c])

/* The reference row and the difference row of one method (bits layout). */
static void ref_rows(const Grid *g, TextTable *t, int net, int scheme, int top5)
{
    const Experiment *e = g->e;
    int fpi = grid_scheme_index(e, SCHEME_FP);
    const GridCell *fp = grid_cell_or_empty(g, net, fpi, 0);
    const GridCell *rfp = fpi < 0 ? fp : grid_ref_cell(g, net, fpi, 0);
    table_row(t);
    snprintf(CELL(t, 2), TTEXT, "reference");
    ref_text(g, fp, rfp, top5, CELL(t, 3));
    table_row(t);
    snprintf(CELL(t, 2), TTEXT, "− reference");
    refcheck_diff_text(g, fp, rfp, top5, CELL(t, 3), TTEXT);
    for (int b = 0; b < e->nbits; b++) {
        const GridCell *u = grid_cell_or_empty(g, net, scheme, g->bits[b]);
        const GridCell *r = grid_ref_cell(g, net, scheme, g->bits[b]);
        if (experiment_excluded(e, e->nets[net], e->schemes[scheme], g->bits[b]))
            continue;
        ref_text(g, u, r, top5, t->rows[t->nrows - 2][4 + b]);
        refcheck_diff_text(g, u, r, top5, CELL(t, 4 + b), TTEXT);
    }
    for (int c = 4; c < t->ncols; c++)
        for (int r = 1; r <= 2; r++)
            if (!t->rows[t->nrows - r][c][0])
                snprintf(t->rows[t->nrows - r][c], TTEXT, "–");
}

static void paired_row(const Grid *g, TextTable *t, int net, int scheme, int top5)
{
    const Experiment *e = g->e;
    table_row(t);
    snprintf(CELL(t, 2), TTEXT, "− %s (paired)", e->baseline);
    snprintf(CELL(t, 3), TTEXT, "–");
    for (int b = 0; b < e->nbits; b++) {
        Paired p;
        grid_paired(g, net, scheme, g->bits[b], top5, &p);
        paired_text(&p, CELL(t, 4 + b), TTEXT);
    }
}

/* The paper's own method − baseline beside qbench's paired interval: "-1.90: sign agrees,
 * outside". */
static void check_text(const Grid *g, int net, int scheme, int bits, int top5, char *out)
{
    const Experiment *e = g->e;
    Paired p;
    RegimeCheck c;
    grid_paired(g, net, scheme, bits, top5, &p);
    regime_check(&p, paper_paired(e, e->nets[net], e->schemes[scheme], bits, top5), &c);
    regime_check_text(&c, out, TTEXT);
}

/* qbench − paper at (net, scheme, bits), for the paper's own regime only. */
static void delta_text(const Grid *g, int net, int scheme, int bits, int top5, double paper,
                       char *out)
{
    const GridCell *c = grid_cell_or_empty(g, net, scheme, bits);
    num_text(c->ok && !isnan(paper) ? grid_mean(c, top5) - paper : NAN, "%+.2f", out);
}

/* The paper's numbers and, in the paper's own regime, the difference to them. */
static void paper_rows(const Grid *g, const Regime *r, TextTable *t, int net, const PaperRow *p,
                       int top5)
{
    const Experiment *e = g->e;
    table_row(t);
    snprintf(CELL(t, 2), TTEXT, "paper");
    num_text(paper_number(p, 0, top5), "%.1f", CELL(t, 3));
    for (int b = 0; b < e->nbits; b++)
        num_text(paper_number(p, g->bits[b], top5), "%.1f", CELL(t, 4 + b));
    if (r->kind != REGIME_PAPER)
        return;
    table_row(t);
    snprintf(CELL(t, 2), TTEXT, "Δ");
    delta_text(g, net, grid_scheme_index(e, SCHEME_FP), 0, top5, paper_number(p, 0, top5),
               CELL(t, 3));
    for (int b = 0; b < e->nbits; b++)
        delta_text(g, net, grid_scheme_index(e, p->scheme), g->bits[b], top5,
                   paper_number(p, g->bits[b], top5), CELL(t, 4 + b));
}

/* The paper's own difference to the baseline, checked against the paired row above it; no
 * row where the paper gives no such difference at any bit-width. */
static void paper_check_row(const Grid *g, TextTable *t, int net, int scheme, int top5)
{
    const Experiment *e = g->e;
    int any = 0;
    for (int b = 0; b < e->nbits; b++)
        any |= !isnan(paper_paired(e, e->nets[net], e->schemes[scheme], g->bits[b], top5));
    if (!any)
        return;
    table_row(t);
    snprintf(CELL(t, 2), TTEXT, "paper − %s", e->baseline);
    snprintf(CELL(t, 3), TTEXT, "–");
    for (int b = 0; b < e->nbits; b++)
        if (experiment_excluded(e, e->nets[net], e->schemes[scheme], g->bits[b]))
            snprintf(CELL(t, 4 + b), TTEXT, "–");
        else
            check_text(g, net, scheme, g->bits[b], top5, CELL(t, 4 + b));
}

/* The rows of one method of a net. */
static void bits_rows(const Grid *g, const Regime *r, TextTable *t, int net, int scheme,
                      int top5)
{
    const Experiment *e = g->e;
    const char *name = e->nets[net], *sch = e->schemes[scheme];
    const GridCell *fp = grid_cell_or_empty(g, net, grid_scheme_index(e, SCHEME_FP), 0);
    table_row(t);
    snprintf(CELL(t, 0), TTEXT, "%s", name);
    snprintf(CELL(t, 1), TTEXT, "%s", scheme_label(e, name, sch));
    snprintf(CELL(t, 2), TTEXT, "qbench");
    stat_text(fp, top5, CELL(t, 3));
    for (int b = 0; b < e->nbits; b++)
        if (experiment_excluded(e, name, sch, g->bits[b]))
            snprintf(CELL(t, 4 + b), TTEXT, "–");
        else
            stat_text(grid_cell_or_empty(g, net, scheme, g->bits[b]), top5, CELL(t, 4 + b));
    if (g->ref)
        ref_rows(g, t, net, scheme, top5);
    const PaperRow *p = paper_find(e, name, sch);
    if (p)
        paper_rows(g, r, t, net, p, top5);
    if (e->baseline[0] && strcmp(sch, e->baseline)) {
        paired_row(g, t, net, scheme, top5);
        paper_check_row(g, t, net, scheme, top5);
    }
    t->rule_after[t->nrows - 1] = 1;
}

static void paper_only_rows(const Grid *g, TextTable *t, const char *net, int top5)
{
    const Experiment *e = g->e;
    for (int i = 0; i < e->npaper; i++) {
        const PaperRow *p = &e->paper[i];
        if (strcmp(p->net, net) || p->scheme[0])
            continue;
        table_row(t);
        snprintf(CELL(t, 0), TTEXT, "%s", net);
        snprintf(CELL(t, 1), TTEXT, "%s", p->label);
        snprintf(CELL(t, 2), TTEXT, "paper only");
        num_text(top5 ? p->fp_top5 : p->fp, "%.1f", CELL(t, 3));
        for (int b = 0; b < e->nbits; b++)
            num_text(paper_number(p, g->bits[b], top5), "%.1f", CELL(t, 4 + b));
        t->rule_after[t->nrows - 1] = 1;
    }
}

/* BitOPs of each bit-width (from the first scheme with a result) and of the fp cell. */
static void bitops_row(const Grid *g, TextTable *t, int net)
{
    const Experiment *e = g->e;
    table_row(t);
    snprintf(CELL(t, 0), TTEXT, "%s", e->nets[net]);
    snprintf(CELL(t, 1), TTEXT, "BitOPs (×10⁹)");
    snprintf(CELL(t, 2), TTEXT, "qbench");
    num_text(grid_cell_or_empty(g, net, grid_scheme_index(e, SCHEME_FP), 0)->bitops / 1e9, "%.3f",
             CELL(t, 3));
    for (int b = 0; b < e->nbits; b++) {
        double v = NAN;
        for (int s = 0; s < e->nschemes && isnan(v); s++)
            if (!scheme_is_fp(e->schemes[s]))
                v = grid_cell_or_empty(g, net, s, g->bits[b])->bitops;
        num_text(v / 1e9, "%.3f", CELL(t, 4 + b));
    }
    t->rule_after[t->nrows - 1] = 1;
}

void layout_bits(const Grid *g, const Regime *r, TextTable *t, int top5)
{
    const Experiment *e = g->e;
    const char *head[] = {"net", "method", "source", "FP"};
    for (int i = 0; i < 4; i++)
        table_head(t, head[i]);
    for (int b = 0; b < e->nbits; b++) {
        char text[16];
        snprintf(text, sizeof text, "%d-bit", g->bits[b]);
        table_head(t, text);
    }
    snprintf(t->caption, sizeof t->caption, "%s, %s top-%d (%%)", e->title,
             e->metric == METRIC_BEST ? "best-epoch" : "final", top5 ? 5 : 1);
    for (int n = 0; n < e->nnets; n++) {
        for (int s = 0; s < e->nschemes; s++)
            if (!scheme_is_fp(e->schemes[s]))
                bits_rows(g, r, t, n, s, top5);
        paper_only_rows(g, t, e->nets[n], top5);
        if (!top5)
            bitops_row(g, t, n);
    }
}

void layout_ablation(const Grid *g, const Regime *r, TextTable *t)
{
    const Experiment *e = g->e;
    int delta = r->kind == REGIME_PAPER;
    const char *head[] = {"net", "method", "qbench", "paper", "Δ"};
    char text[TTEXT];
    for (int i = 0; i < 4 + delta; i++)
        table_head(t, head[i]);
    table_head(t, "BitOPs (×10⁹)");
    if (e->baseline[0]) {
        snprintf(text, sizeof text, "− %s (paired)", e->baseline);
        table_head(t, text);
        snprintf(text, sizeof text, "paper − %s", e->baseline);
        table_head(t, text);
    }
    if (g->ref) {
        table_head(t, "reference");
        table_head(t, "− reference");
    }
    snprintf(t->caption, sizeof t->caption, "%s, %d-bit, %s top-1 (%%)", e->title, e->bits[0],
             e->metric == METRIC_BEST ? "best-epoch" : "final");
    for (int n = 0; n < e->nnets; n++)
        for (int s = 0; s < e->nschemes; s++) {
            const char *net = e->nets[n], *scheme = e->schemes[s];
            int fp = scheme_is_fp(scheme), bits = fp ? 0 : e->bits[0];
            const GridCell *st = grid_cell_or_empty(g, n, s, bits);
            double pv = paper_number(paper_find(e, net, scheme), bits, 0);
            table_row(t);
            snprintf(CELL(t, 0), TTEXT, "%s", net);
            snprintf(CELL(t, 1), TTEXT, "%s", scheme_label(e, net, scheme));
            stat_text(st, 0, CELL(t, 2));
            num_text(pv, "%.1f", CELL(t, 3));
            int c = 4;
            if (delta)
                delta_text(g, n, s, bits, 0, pv, CELL(t, c++));
            num_text(st->bitops / 1e9, "%.3f", CELL(t, c++));
            if (e->baseline[0]) {
                Paired pd;
                grid_paired(g, n, s, bits, 0, &pd);
                paired_text(&pd, CELL(t, c++), TTEXT);
                check_text(g, n, s, bits, 0, CELL(t, c++));
            }
            if (g->ref) {
                ref_text(g, st, grid_ref_cell(g, n, s, bits), 0, CELL(t, c++));
                refcheck_diff_text(g, st, grid_ref_cell(g, n, s, bits), 0, CELL(t, c++), TTEXT);
            }
        }
}

/* Whether the paper gives a method − baseline difference anywhere in the table. */
static int paper_has_paired(const Experiment *e, int top5)
{
    for (int n = 0; n < e->nnets; n++)
        for (int s = 0; s < e->nschemes; s++)
            for (int b = 0; b < e->nbits; b++)
                if (!isnan(paper_paired(e, e->nets[n], e->schemes[s], e->bits[b], top5)))
                    return 1;
    return 0;
}

void layout_legend(const Grid *g, const Regime *r, char *out, size_t cap)
{
    const Experiment *e = g->e;
    size_t at = (size_t)snprintf(out, cap, "%s", r->kind == REGIME_PAPER
        ? "Δ = qbench − paper: qbench ran in the paper's own regime, so its numbers compare "
          "with the paper's directly."
        : "qbench − paper is not shown: qbench ran in another regime than the paper (above), "
          "so the absolute numbers differ by regime, not only by method.");
    if (!e->baseline[0] || at >= cap)
        return;
    if (!paper_has_paired(e, 0))
        snprintf(out + at, cap - at, " The paper has no %s number beside these methods, so "
                 "there is no `paper − %s` comparison.", e->baseline, e->baseline);
    else
        snprintf(out + at, cap - at, " `paper − %s`: the paper's own difference between the "
                 "method and %s (same net and bits), checked against qbench's paired "
                 "difference `− %s (paired)`: sign agrees when qbench's 95%% interval lies "
                 "wholly on the paper's side of zero (opposite: wholly on the other side; "
                 "unresolved: the interval holds zero, or one seed gives none); inside or "
                 "outside: whether the paper's difference lies within that interval "
                 "(magnitude).", e->baseline, e->baseline, e->baseline);
}

void layout_resolution(const Grid *g, char *out, size_t cap)
{
    const Experiment *e = g->e;
    double lo = INFINITY, hi = -INFINITY;
    int nmin = INT_MAX, nmax = 0;
    for (int n = 0; n < e->nnets; n++)
        for (int s = 0; s < e->nschemes; s++)
            for (int b = 0; b < (e->nbits ? e->nbits : 1); b++) {
                Paired p;
                grid_paired(g, n, s, e->nbits ? g->bits[b] : 0, 0, &p);
                if (p.n >= 2)
                    lo = fmin(lo, p.half), hi = fmax(hi, p.half);
                if (p.n)
                    nmin = p.n < nmin ? p.n : nmin, nmax = p.n > nmax ? p.n : nmax;
            }
    if (!e->baseline[0])
        snprintf(out, cap, "No baseline row (table.baseline), so no paired differences.");
    else if (!nmax)
        snprintf(out, cap, "Paired differences (method − %s, same net, bits and seed, 95%% "
                 "Student-t interval): no pairs yet.", e->baseline);
    else if (isinf(lo) && nmax >= 2)
        snprintf(out, cap, "Paired differences (method − %s, same net, bits and seed): no cell's "
                 "differences spread, so no interval exists.", e->baseline);
    else if (isinf(lo))
        snprintf(out, cap, "Paired differences (method − %s, same net, bits and seed): one seed "
                 "per cell, so no interval exists and no difference is resolved; a 95%% interval "
                 "needs at least 2 seeds.", e->baseline);
    else {
        char ns[32], hw[48];
        snprintf(ns, sizeof ns, nmin == nmax ? "%d" : "%d to %d", nmin, nmax);
        snprintf(hw, sizeof hw, hi - lo < 0.005 ? "%.2f" : "%.2f to %.2f", lo, hi);
        snprintf(out, cap, "Paired differences (method − %s, same net, bits and seed, 95%% "
                 "Student-t interval over n = %s seeds): the smallest difference these seeds "
                 "resolve is the interval's half-width, %s points here.", e->baseline, ns, hw);
    }
    paired_note_append(g, out, cap);
}
