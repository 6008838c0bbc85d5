#include "table.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "../../quantizers/asq.h"
#include "../core/atomic_file.h"
#include "../core/cost.h"
#include "../harness/chain.h"
#include "../harness/result.h"
#include "../run/run.h"

#define TCOLS 12
#define TROWS 320
#define TTEXT 96

/* A rendered table: header and rows of text cells, shared by the Markdown and LaTeX writers. */
typedef struct {
    char head[TCOLS][TTEXT];
    int ncols;
    char rows[TROWS][TCOLS][TTEXT];
    int rule_after[TROWS];        /* a midrule after this row (group boundary) */
    int nrows;
    char caption[320];
} TextTable;

/* One matrix position (net, scheme, bits) over its seeds. */
typedef struct {
    int ok, failed, missing;
    double top1[EXP_LIST_MAX], top5[EXP_LIST_MAX];
    double bitops;
    char reason[256];
} Stat;

typedef struct {
    const Experiment *e;
    const CellList *cells;
    const char *results_dir;
    int missing;
    int counting;                 /* stat_collect counts pending cells and notes failures */
    char notes[16][400];
    int nnotes;
    FILE *csv;
    QbErr *err;
} Report;

static void note(Report *r, const char *fmt, const char *a, const char *b)
{
    if (r->nnotes < 16)
        snprintf(r->notes[r->nnotes++], sizeof r->notes[0], fmt, a, b);
}

static int stat_collect(Report *r, const char *net, const char *scheme, int bits, Stat *s)
{
    memset(s, 0, sizeof *s);
    s->bitops = NAN;
    for (int i = 0; i < r->cells->n; i++) {
        const Cell *c = &r->cells->cells[i];
        if (strcmp(c->net, net) || strcmp(c->scheme, scheme) || c->bits != bits)
            continue;
        char path[1024];
        snprintf(path, sizeof path, "%s/%s/%s.json", r->results_dir, r->e->name, c->id);
        FILE *f = fopen(path, "r");
        if (!f) {
            s->missing++;
            r->missing += r->counting;
            continue;
        }
        fclose(f);
        ResultSummary rs;
        if (result_read(path, &rs, r->err) < 0)
            return -1;
        if (!rs.ok) {
            s->failed++;
            snprintf(s->reason, sizeof s->reason, "%s", rs.reason);
            if (r->counting)
                note(r, "failed: %s (%s)", c->id, rs.reason);
            continue;
        }
        int best = r->e->metric == METRIC_BEST;
        s->top1[s->ok] = best ? rs.best_top1 : rs.final_top1;
        s->top5[s->ok] = best ? rs.best_top5 : rs.final_top5;
        s->bitops = rs.bitops;
        s->ok++;
    }
    return 0;
}

static double mean_of(const double *v, int n)
{
    double m = 0;
    for (int i = 0; i < n; i++)
        m += v[i];
    return n ? m / n : NAN;
}

static double std_of(const double *v, int n)
{
    double m = mean_of(v, n), ss = 0;
    for (int i = 0; i < n; i++)
        ss += (v[i] - m) * (v[i] - m);
    return n > 1 ? sqrt(ss / (n - 1)) : NAN;
}

/* "92.31 ± 0.12", "92.31", "pending", "failed", "92.31 (1 failed)". */
static void stat_text(const Stat *s, int top5, char *out)
{
    const double *v = top5 ? s->top5 : s->top1;
    if (!s->ok) {
        snprintf(out, TTEXT, "%s", s->failed ? "failed" : s->missing ? "pending" : "–");
        return;
    }
    int n = snprintf(out, TTEXT, "%.2f", mean_of(v, s->ok));
    if (s->ok > 1)
        n += snprintf(out + n, TTEXT - (size_t)n, " ± %.2f", std_of(v, s->ok));
    if (s->failed || s->missing)
        snprintf(out + n, TTEXT - (size_t)n, " (%d of %d)", s->ok, s->ok + s->failed + s->missing);
}

static void num_text(double v, const char *fmt, char *out)
{
    if (isnan(v))
        snprintf(out, TTEXT, "–");
    else
        snprintf(out, TTEXT, fmt, v);
}

static const PaperRow *paper_find(const Experiment *e, const char *net, const char *scheme)
{
    for (int i = 0; i < e->npaper; i++)
        if (!strcmp(e->paper[i].net, net) && !strcmp(e->paper[i].scheme, scheme))
            return &e->paper[i];
    return NULL;
}

static void csv_row(Report *r, const char *net, const char *label, const char *scheme, int bits,
                    const char *metric, const Stat *s, int top5, double paper)
{
    const double *v = top5 ? s->top5 : s->top1;
    double m = s->ok ? mean_of(v, s->ok) : NAN, sd = std_of(v, s->ok);
    fprintf(r->csv, "%s,\"%s\",%s,%d,%s,", net, label, scheme, bits, metric);
    fprintf(r->csv, isnan(m) ? "," : "%.4f,", m);
    fprintf(r->csv, isnan(sd) ? "," : "%.4f,", sd);
    fprintf(r->csv, "%d,%d,%d,", s->ok, s->failed, s->missing);
    fprintf(r->csv, isnan(paper) ? "," : "%.2f,", paper);
    fprintf(r->csv, isnan(paper) || isnan(m) ? "," : "%.2f,", m - paper);
    fprintf(r->csv, isnan(s->bitops) ? "\n" : "%.6g\n", s->bitops);
}

static char *row_add(TextTable *t)
{
    QB_ASSERT(t->nrows < TROWS);
    memset(t->rows[t->nrows], 0, sizeof t->rows[0]);
    t->rule_after[t->nrows] = 0;
    return t->rows[t->nrows++][0];
}

#define CELL(t, c) ((t)->rows[(t)->nrows - 1][c])

static const char *scheme_label(const Experiment *e, const char *net, const char *scheme)
{
    const PaperRow *p = paper_find(e, net, scheme);
    return p ? p->label : !strcmp(scheme, "fp") ? "full precision" : scheme;
}

static void sorted_bits(const Experiment *e, int *bits)
{
    memcpy(bits, e->bits, sizeof e->bits);
    for (int i = 1; i < e->nbits; i++)
        for (int j = i; j > 0 && bits[j - 1] > bits[j]; j--) {
            int x = bits[j];
            bits[j] = bits[j - 1], bits[j - 1] = x;
        }
}

static int has_fp(const Experiment *e)
{
    for (int i = 0; i < e->nschemes; i++)
        if (!strcmp(e->schemes[i], "fp"))
            return 1;
    return 0;
}

/* Rows of one scheme (qbench, paper, Δ) for a net in the bits layout. */
static int bits_rows(Report *r, TextTable *t, const char *net, const char *scheme,
                     const Stat *fp, int top5)
{
    const Experiment *e = r->e;
    int bits[EXP_LIST_MAX];
    sorted_bits(e, bits);
    const PaperRow *p = paper_find(e, net, scheme);
    Stat st[EXP_LIST_MAX];
    const char *label = scheme_label(e, net, scheme);
    row_add(t);
    snprintf(CELL(t, 0), TTEXT, "%s", net);
    snprintf(CELL(t, 1), TTEXT, "%s", label);
    snprintf(CELL(t, 2), TTEXT, "qbench");
    stat_text(fp, top5, CELL(t, 3));
    for (int b = 0; b < e->nbits; b++) {
        if (stat_collect(r, net, scheme, bits[b], &st[b]) < 0)
            return -1;
        if (experiment_excluded(e, net, scheme, bits[b]))
            snprintf(CELL(t, 4 + b), TTEXT, "–");
        else
            stat_text(&st[b], top5, CELL(t, 4 + b));
        csv_row(r, net, label, scheme, bits[b], top5 ? "top5" : "top1", &st[b], top5,
                p ? (top5 ? p->top5 : p->top1)[bits[b]] : NAN);
    }
    if (!p)
        return t->rule_after[t->nrows - 1] = 1, 0;
    row_add(t);
    snprintf(CELL(t, 2), TTEXT, "paper");
    num_text(top5 ? p->fp_top5 : p->fp, "%.1f", CELL(t, 3));
    row_add(t);
    snprintf(CELL(t, 2), TTEXT, "Δ");
    const double *fpv = top5 ? fp->top5 : fp->top1;
    double pfp = top5 ? p->fp_top5 : p->fp;
    num_text(fp->ok && !isnan(pfp) ? mean_of(fpv, fp->ok) - pfp : NAN, "%+.2f", CELL(t, 3));
    for (int b = 0; b < e->nbits; b++) {
        double pv = (top5 ? p->top5 : p->top1)[bits[b]];
        const double *v = top5 ? st[b].top5 : st[b].top1;
        num_text(pv, "%.1f", t->rows[t->nrows - 2][4 + b]);
        num_text(st[b].ok && !isnan(pv) ? mean_of(v, st[b].ok) - pv : NAN, "%+.2f", CELL(t, 4 + b));
    }
    t->rule_after[t->nrows - 1] = 1;
    return 0;
}

static void paper_only_rows(const Experiment *e, TextTable *t, const char *net, int top5)
{
    int bits[EXP_LIST_MAX];
    sorted_bits(e, bits);
    for (int i = 0; i < e->npaper; i++) {
        const PaperRow *p = &e->paper[i];
        if (strcmp(p->net, net) || p->scheme[0])
            continue;
        row_add(t);
        snprintf(CELL(t, 0), TTEXT, "%s", net);
        snprintf(CELL(t, 1), TTEXT, "%s", p->label);
        snprintf(CELL(t, 2), TTEXT, "paper only");
        num_text(top5 ? p->fp_top5 : p->fp, "%.1f", CELL(t, 3));
        for (int b = 0; b < e->nbits; b++)
            num_text((top5 ? p->top5 : p->top1)[bits[b]], "%.1f", CELL(t, 4 + b));
        t->rule_after[t->nrows - 1] = 1;
    }
}

/* BitOPs of each bit-width (from the first scheme with a result) and of the fp cell. */
static int bitops_row(Report *r, TextTable *t, const char *net, const Stat *fp)
{
    const Experiment *e = r->e;
    int bits[EXP_LIST_MAX];
    sorted_bits(e, bits);
    row_add(t);
    snprintf(CELL(t, 0), TTEXT, "%s", net);
    snprintf(CELL(t, 1), TTEXT, "BitOPs (×10⁹)");
    snprintf(CELL(t, 2), TTEXT, "qbench");
    num_text(fp->bitops / 1e9, "%.3f", CELL(t, 3));
    for (int b = 0; b < e->nbits; b++) {
        double v = NAN;
        for (int s = 0; s < e->nschemes && isnan(v); s++) {
            Stat st;
            r->counting = 0;
            int rc = stat_collect(r, net, e->schemes[s], bits[b], &st);
            r->counting = 1;
            if (rc < 0)
                return -1;
            v = st.bitops;
        }
        num_text(v / 1e9, "%.3f", CELL(t, 4 + b));
    }
    t->rule_after[t->nrows - 1] = 1;
    return 0;
}

static int bits_table(Report *r, TextTable *t, int top5)
{
    const Experiment *e = r->e;
    int bits[EXP_LIST_MAX];
    sorted_bits(e, bits);
    const char *head[] = {"net", "method", "source", "FP"};
    for (int i = 0; i < 4; i++)
        snprintf(t->head[i], TTEXT, "%s", head[i]);
    for (int b = 0; b < e->nbits; b++)
        snprintf(t->head[4 + b], TTEXT, "%d-bit", bits[b]);
    t->ncols = 4 + e->nbits;
    snprintf(t->caption, sizeof t->caption, "%s, %s top-%d (%%)", e->title,
             e->metric == METRIC_BEST ? "best-epoch" : "final", top5 ? 5 : 1);
    for (int n = 0; n < e->nnets; n++) {
        Stat fp;
        if (stat_collect(r, e->nets[n], "fp", 0, &fp) < 0)
            return -1;
        for (int s = 0; s < e->nschemes; s++)
            if (strcmp(e->schemes[s], "fp") && bits_rows(r, t, e->nets[n], e->schemes[s], &fp, top5) < 0)
                return -1;
        paper_only_rows(e, t, e->nets[n], top5);
        if (!top5 && has_fp(e)) {
            const PaperRow *p = paper_find(e, e->nets[n], "fp");
            csv_row(r, e->nets[n], scheme_label(e, e->nets[n], "fp"), "fp", 32, "top1", &fp, 0,
                    p ? p->fp : NAN);
        }
        if (!top5 && bitops_row(r, t, e->nets[n], &fp) < 0)
            return -1;
    }
    return 0;
}

static int ablation_table(Report *r, TextTable *t)
{
    const Experiment *e = r->e;
    const char *head[] = {"net", "method", "qbench", "paper", "Δ", "BitOPs (×10⁹)"};
    for (int i = 0; i < 6; i++)
        snprintf(t->head[i], TTEXT, "%s", head[i]);
    t->ncols = 6;
    snprintf(t->caption, sizeof t->caption, "%s, %d-bit, %s top-1 (%%)", e->title, e->bits[0],
             e->metric == METRIC_BEST ? "best-epoch" : "final");
    for (int n = 0; n < e->nnets; n++)
        for (int s = 0; s < e->nschemes; s++) {
            const char *net = e->nets[n], *scheme = e->schemes[s];
            int fp = !strcmp(scheme, "fp"), bits = fp ? 0 : e->bits[0];
            Stat st;
            if (stat_collect(r, net, scheme, bits, &st) < 0)
                return -1;
            const PaperRow *p = paper_find(e, net, scheme);
            double pv = p ? (fp ? p->fp : p->top1[bits]) : NAN;
            row_add(t);
            snprintf(CELL(t, 0), TTEXT, "%s", net);
            snprintf(CELL(t, 1), TTEXT, "%s", scheme_label(e, net, scheme));
            stat_text(&st, 0, CELL(t, 2));
            num_text(pv, "%.1f", CELL(t, 3));
            num_text(st.ok && !isnan(pv) ? mean_of(st.top1, st.ok) - pv : NAN, "%+.2f", CELL(t, 4));
            num_text(st.bitops / 1e9, "%.3f", CELL(t, 5));
            csv_row(r, net, scheme_label(e, net, scheme), scheme, fp ? 32 : bits, "top1", &st, 0, pv);
        }
    return 0;
}

/* Table 1 style: the ASQ adapters' overhead per bit-width, computed from the network. */
static int cost_table_rows(Report *r, TextTable *t)
{
    const Experiment *e = r->e;
    const char *head[] = {"net", "bits", "Param % (qbench)", "Param % (paper)", "Compute % (qbench)",
                          "Compute % (paper)", "adapters", "adapter params", "adapter MACs"};
    for (int i = 0; i < 9; i++)
        snprintf(t->head[i], TTEXT, "%s", head[i]);
    t->ncols = 9;
    snprintf(t->caption, sizeof t->caption, "%s", e->title);
    for (int n = 0; n < e->nnets; n++)
        for (int s = 0; s < e->nschemes; s++)
            for (int b = 0; b < e->nbits; b++) {
                RunConfig c = e->base;
                snprintf(c.net, sizeof c.net, "%s", e->nets[n]);
                snprintf(c.scheme, sizeof c.scheme, "%s", e->schemes[s]);
                c.wbits = c.abits = e->bits[b];
                Net net;
                if (run_net_build(&c, c.input, c.classes, &net, r->err) < 0)
                    return net_free(&net), qb_wrap(r->err, "%s: ", e->path);
                CostTable ct;
                AsqOverhead o;
                cost_table_assume(&net, c.wbits, c.abits, &ct);
                asq_overhead(&ct, e->bits[b], &o);
                cost_free(&ct);
                net_free(&net);
                const PaperRow *p = paper_find(e, e->nets[n], e->schemes[s]);
                row_add(t);
                snprintf(CELL(t, 0), TTEXT, "%s", e->nets[n]);
                snprintf(CELL(t, 1), TTEXT, "%d", e->bits[b]);
                num_text(o.param_pct, "%.2f", CELL(t, 2));
                num_text(p ? p->param_pct[e->bits[b]] : NAN, "%.2f", CELL(t, 3));
                num_text(o.compute_pct, "%.2f", CELL(t, 4));
                num_text(p ? p->compute_pct[e->bits[b]] : NAN, "%.2f", CELL(t, 5));
                snprintf(CELL(t, 6), TTEXT, "%d", o.adapters);
                snprintf(CELL(t, 7), TTEXT, "%.0f", o.adapter_params);
                snprintf(CELL(t, 8), TTEXT, "%.0f", o.adapter_macs);
                fprintf(r->csv, "%s,%s,%d,param_pct,%.4f,%s\n", e->nets[n], e->schemes[s],
                        e->bits[b], o.param_pct, CELL(t, 3));
                fprintf(r->csv, "%s,%s,%d,compute_pct,%.4f,%s\n", e->nets[n], e->schemes[s],
                        e->bits[b], o.compute_pct, CELL(t, 5));
            }
    return 0;
}

static void setting_text(const Report *r, char *out, size_t cap)
{
    const Experiment *e = r->e;
    const RunConfig *c = &e->base;
    size_t n = 0;
    n += (size_t)snprintf(out + n, cap - n, "Profile `%s`%s%s. ", e->profile[0] ? e->profile : "none",
                          e->profile_description[0] ? ": " : "", e->profile_description);
    if (e->layout == LAYOUT_COST) {
        snprintf(out + n, cap - n, "Computed from the network definitions at input %dx%dx%d, %d "
                 "classes (no training), with the spec's counting convention (section 9.3).",
                 c->input.c, c->input.h, c->input.w, c->classes);
        return;
    }
    const Cell *c0 = r->cells->n ? &r->cells->cells[0] : NULL;
    n += (size_t)snprintf(out + n, cap - n, "Data `%s`%s%s (%dx%dx%d, %d classes%s). ", c->data,
                          c->data_dir[0] ? " from " : "", c->data_dir, c0 ? c0->input.c : 0,
                          c0 ? c0->input.h : 0, c0 ? c0->input.w : 0, c0 ? c0->classes : 0,
                          c->train_subset ? ", training on a fixed subset" : "");
    if (c->train_subset)
        n += (size_t)snprintf(out + n, cap - n, "Training subset %d samples. ", c->train_subset);
    n += (size_t)snprintf(out + n, cap - n, "Networks:");
    for (int i = 0; i < e->nnets; i++)
        n += (size_t)snprintf(out + n, cap - n, "%s %s", i ? "," : "", e->nets[i]);
    n += (size_t)snprintf(out + n, cap - n, " (width %g, shortcut %s). ", c->width, c->shortcut);
    n += (size_t)snprintf(out + n, cap - n,
                          "Schedule: %d epochs, batch %d, %s lr %g momentum %g, weight decay %g, "
                          "%s schedule, %d warm-up epochs, quantizer lr x%g; start: %s. ",
                          c->epochs, c->batch, c->optimizer == OPTIM_ADAM ? "Adam" : "SGD", c->lr,
                          c->momentum, c->weight_decay, sched_kind_name(c->sched.kind),
                          c->sched.warmup_epochs, c->quant_lr_mult,
                          c->from[0] ? c->from : "random initialisation");
    chain_describe(e, out + n, cap - n);
    n += strlen(out + n);
    n += (size_t)snprintf(out + n, cap - n, "First/last layer: %s. Seeds:", c->first_last);
    for (int i = 0; i < e->nseeds; i++)
        n += (size_t)snprintf(out + n, cap - n, " %lld", e->seeds[i]);
    snprintf(out + n, cap - n, ". Metric: %s test accuracy, mean ± sample std over seeds.",
             e->metric == METRIC_BEST ? "best-epoch" : "final-epoch");
}

static void md_write(FILE *f, const TextTable *t)
{
    fprintf(f, "|");
    for (int c = 0; c < t->ncols; c++)
        fprintf(f, " %s |", t->head[c]);
    fprintf(f, "\n|");
    for (int c = 0; c < t->ncols; c++)
        fprintf(f, "%s|", c < 3 ? "---" : "---:");
    fprintf(f, "\n");
    for (int i = 0; i < t->nrows; i++) {
        fprintf(f, "|");
        for (int c = 0; c < t->ncols; c++)
            fprintf(f, " %s |", t->rows[i][c]);
        fprintf(f, "\n");
    }
    fprintf(f, "\n");
}

static void tex_escape(FILE *f, const char *s)
{
    static const struct { const char *from, *to; } map[] = {
        {"±", "$\\pm$"}, {"Δ", "$\\Delta$"}, {"×10⁹", "$\\times 10^9$"}, {"–", "--"},
        {"_", "\\_"}, {"%", "\\%"}, {"&", "\\&"}, {"#", "\\#"}, {"`", ""}, {"~", "\\~{}"}};
    while (*s) {
        size_t i = 0, n = sizeof map / sizeof *map;
        while (i < n && strncmp(s, map[i].from, strlen(map[i].from)))
            i++;
        if (i < n) {
            fputs(map[i].to, f);
            s += strlen(map[i].from);
        } else {
            fputc(*s++, f);
        }
    }
}

static void tex_write(FILE *f, const TextTable *t, const char *setting)
{
    fprintf(f, "%% %s\n\\begin{table}[t]\n\\centering\n\\caption{", "generated by qbench report");
    tex_escape(f, t->caption);
    fprintf(f, ". ");
    tex_escape(f, setting);
    fprintf(f, "}\n\\begin{tabular}{lll");
    for (int c = 3; c < t->ncols; c++)
        fprintf(f, "r");
    fprintf(f, "}\n\\toprule\n");
    for (int c = 0; c < t->ncols; c++) {
        tex_escape(f, t->head[c]);
        fprintf(f, c + 1 < t->ncols ? " & " : " \\\\\n\\midrule\n");
    }
    for (int i = 0; i < t->nrows; i++) {
        for (int c = 0; c < t->ncols; c++) {
            tex_escape(f, t->rows[i][c]);
            fprintf(f, c + 1 < t->ncols ? " & " : " \\\\\n");
        }
        if (t->rule_after[i] && i + 1 < t->nrows)
            fprintf(f, "\\midrule\n");
    }
    fprintf(f, "\\bottomrule\n\\end{tabular}\n\\end{table}\n\n");
}

static int paper_has_top5(const Experiment *e)
{
    for (int i = 0; i < e->npaper; i++)
        for (int b = 0; b <= EXP_BITS_MAX; b++)
            if (!isnan(e->paper[i].top5[b]))
                return 1;
    return 0;
}

static int build_tables(Report *r, TextTable *t, int *ntables)
{
    *ntables = 1;
    if (r->e->layout == LAYOUT_COST)
        return cost_table_rows(r, &t[0]);
    if (r->e->layout == LAYOUT_ABLATION)
        return ablation_table(r, &t[0]);
    if (bits_table(r, &t[0], 0) < 0)
        return -1;
    if (!paper_has_top5(r->e))
        return 0;
    *ntables = 2;
    r->counting = 0;
    return bits_table(r, &t[1], 1);
}

static void md_document(FILE *f, const Report *r, const TextTable *t, int ntables,
                        const char *setting)
{
    const Experiment *e = r->e;
    fprintf(f, "# %s\n\n%s\n\n", e->title, setting);
    if (e->paper_source[0])
        fprintf(f, "Paper numbers: %s.%s%s\n\n", e->paper_source, e->paper_note[0] ? " " : "",
                e->paper_note);
    for (int i = 0; i < ntables; i++) {
        fprintf(f, "**%s**\n\n", t[i].caption);
        md_write(f, &t[i]);
    }
    if (e->layout != LAYOUT_COST)
        fprintf(f, "Δ = qbench − paper. %d cell(s) pending.%s\n", r->missing,
                strcmp(e->profile, "paper") ? " The qbench numbers come from the profile above, "
                "not the paper's data set and schedule: compare trends, not absolute values." : "");
    for (int i = 0; i < r->nnotes; i++)
        fprintf(f, "\n- %s", r->notes[i]);
    fprintf(f, "\n\nGenerated by `bin/qbench report %s%s%s` from the result files.\n", e->path,
            e->profile[0] ? " --profile " : "", e->profile);
}

int table_write(const Experiment *e, const CellList *cells, const char *results_dir,
                const char *out_base, int *missing, QbErr *err)
{
    static TextTable t[2];
    char path[1024], setting[2048];
    AtomicFile csv, md, tex;
    Report r = {e, cells, results_dir, 0, 1, {{0}}, 0, NULL, err};
    snprintf(path, sizeof path, "%s.csv", out_base);
    if (atomic_open(&csv, path, err) < 0)
        return -1;
    r.csv = csv.f;
    fprintf(r.csv, e->layout == LAYOUT_COST ? "net,scheme,bits,metric,qbench,paper\n"
                                             : "net,method,scheme,bits,metric,mean,std,ok,failed,"
                                               "missing,paper,diff,bitops\n");
    int ntables;
    memset(t, 0, sizeof t);
    if (build_tables(&r, t, &ntables) < 0)
        return atomic_abort(&csv), -1;
    setting_text(&r, setting, sizeof setting);
    snprintf(path, sizeof path, "%s.md", out_base);
    if (atomic_commit(&csv, err) < 0 || atomic_open(&md, path, err) < 0)
        return -1;
    md_document(md.f, &r, t, ntables, setting);
    snprintf(path, sizeof path, "%s.tex", out_base);
    if (atomic_commit(&md, err) < 0 || atomic_open(&tex, path, err) < 0)
        return -1;
    for (int i = 0; i < ntables; i++)
        tex_write(tex.f, &t[i], setting);
    *missing = r.missing;
    return atomic_commit(&tex, err);
}
