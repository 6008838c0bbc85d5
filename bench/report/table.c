/* A table document: loads the grid once, builds the text tables of the experiment's layout
 * (or computes a cost table), states the regime of qbench's numbers and of the paper's, and
 * writes the Markdown, LaTeX and CSV files atomically. */
#include "table.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "quantizers/overhead.h"
#include "core/atomic_file.h"
#include "core/cost.h"
#include "harness/chain.h"
#include "run/run.h"
#include "conv_note.h"
#include "refcheck.h"
#include "render.h"

/* Table 1 style: the ASQ adapters' overhead at one (net, scheme, bits). */
typedef struct {
    const char *net, *scheme;
    int bits;
    QuantOverhead o;
    double paper_param, paper_compute;
} OverheadRow;

/* One row per (net, scheme, bits) of the matrix into *out (allocated, the caller frees it). */
static int overhead_rows(const Experiment *e, OverheadRow **out, int *nrows, QbErr *err)
{
    OverheadRow *rows = calloc((size_t)e->nnets * (size_t)e->nschemes * (size_t)e->nbits + 1,
                               sizeof *rows);
    QB_ASSERT(rows);
    *out = rows;
    *nrows = 0;
    for (int n = 0; n < e->nnets; n++)
        for (int s = 0; s < e->nschemes; s++)
            for (int b = 0; b < e->nbits; b++) {
                RunConfig c = e->base;
                snprintf(c.net, sizeof c.net, "%s", e->nets[n]);
                snprintf(c.scheme, sizeof c.scheme, "%s", e->schemes[s]);
                c.wbits = c.abits = e->bits[b];
                Net net;
                if (run_net_build(&c, c.input, c.classes, &net, err) < 0)
                    return net_free(&net), qb_wrap(err, "%s: ", e->path);
                OverheadRow *r = &rows[(*nrows)++];
                CostTable ct;
                cost_table_assume(&net, c.wbits, c.abits, &ct);
                quantizer_cost_overhead(&ct, e->bits[b], &r->o);
                cost_free(&ct);
                net_free(&net);
                const PaperRow *p = paper_find(e, e->nets[n], e->schemes[s]);
                r->net = e->nets[n], r->scheme = e->schemes[s], r->bits = e->bits[b];
                r->paper_param = paper_row_at(p, PAPER_PARAM_PCT, e->bits[b]);
                r->paper_compute = paper_row_at(p, PAPER_COMPUTE_PCT, e->bits[b]);
            }
    return 0;
}

static void overhead_table(const Experiment *e, const OverheadRow *rows, int nrows, TextTable *t)
{
    const char *head[] = {"net", "bits", "Param % (qbench)", "Param % (paper)", "Compute % (qbench)",
                          "Compute % (paper)", "adapters", "adapter params", "adapter MACs"};
    for (int i = 0; i < 9; i++)
        table_head(t, head[i]);
    snprintf(t->caption, sizeof t->caption, "%s", e->title);
    for (int i = 0; i < nrows; i++) {
        const OverheadRow *r = &rows[i];
        TCell *row = table_row(t);
        snprintf(row[0], TTEXT, "%s", r->net);
        snprintf(row[1], TTEXT, "%d", r->bits);
        num_text(r->o.param_pct, "%.2f", row[2]);
        num_text(r->paper_param, "%.2f", row[3]);
        num_text(r->o.compute_pct, "%.2f", row[4]);
        num_text(r->paper_compute, "%.2f", row[5]);
        snprintf(row[6], TTEXT, "%d", r->o.adapters);
        snprintf(row[7], TTEXT, "%.0f", r->o.adapter_params);
        snprintf(row[8], TTEXT, "%.0f", r->o.adapter_macs);
    }
}

static void overhead_csv_row(FILE *f, const OverheadRow *r, const char *metric, double qbench,
                             double paper, const Regime *regime)
{
    char text[TTEXT];
    num_text(paper, "%.2f", text);
    fprintf(f, "%s,%s,%d,%s,%.4f,%s,", r->net, r->scheme, r->bits, metric, qbench, text);
    csv_text(f, regime->text);
    fputc(',', f);
    csv_text(f, regime->paper);
    fputc('\n', f);
}

static void overhead_csv(FILE *f, const OverheadRow *rows, int nrows, const Regime *regime)
{
    fprintf(f, "net,scheme,bits,metric,qbench,paper,regime,paper_regime\n");
    for (int i = 0; i < nrows; i++) {
        const OverheadRow *r = &rows[i];
        overhead_csv_row(f, r, "param_pct", r->o.param_pct, r->paper_param, regime);
        overhead_csv_row(f, r, "compute_pct", r->o.compute_pct, r->paper_compute, regime);
    }
}

void regime_header(const Experiment *e, const Regime *r, char *out, size_t cap)
{
    size_t at = (size_t)snprintf(out, cap, "**Regime: %s** — %s.", regime_kind_name(r->kind),
                                 r->detail);
    if (e->paper_source[0] && at < cap)
        snprintf(out + at, cap - at, " **Paper's regime:** %s.",
                 r->paper[0] ? r->paper : "not stated (paper.regime)");
}

void setting_text(const Experiment *e, const CellList *cells, char *out, size_t cap)
{
    const RunConfig *c = &e->base;
    size_t n = 0;
    n += (size_t)snprintf(out + n, cap - n, "Profile `%s`%s%s. ", e->profile[0] ? e->profile : "none",
                          e->profile_description[0] ? ": " : "", e->profile_description);
    if (e->layout == LAYOUT_COST) {
        snprintf(out + n, cap - n, "Computed from the network definitions at input %dx%dx%d, %d "
                 "classes (no training), with the counting convention of quantizers/FORMULAS.md §9.3.",
                 c->input.c, c->input.h, c->input.w, c->classes);
        return;
    }
    const Cell *c0 = cells->n ? &cells->cells[0] : NULL;
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

/* The three files, each atomically: out_base.csv, .md, .tex. */
static int write_files(const ReportDoc *d, const OverheadRow *rows, int nrows, const char *out_base,
                       QbErr *err)
{
    char path[1024];
    AtomicFile f;
    snprintf(path, sizeof path, "%s.csv", out_base);
    if (atomic_open(&f, path, err) < 0)
        return -1;
    if (d->g)
        csv_grid(f.f, d->g, &d->regime);
    else
        overhead_csv(f.f, rows, nrows, &d->regime);
    snprintf(path, sizeof path, "%s.md", out_base);
    if (atomic_commit(&f, err) < 0 || atomic_open(&f, path, err) < 0)
        return -1;
    md_document(f.f, d);
    snprintf(path, sizeof path, "%s.tex", out_base);
    if (atomic_commit(&f, err) < 0 || atomic_open(&f, path, err) < 0)
        return -1;
    tex_document(f.f, d);
    return atomic_commit(&f, err);
}

static int load_grid(const Experiment *e, const CellList *cells, const char *results_dir,
                     const TableOptions *opt, Grid *g, QbErr *err)
{
    if ((opt && opt->by_position ? grid_load_by_position(g, e, cells, results_dir, err)
                                 : grid_load(g, e, cells, results_dir, err)) < 0)
        return -1;
    if (opt && !isnan(opt->tolerance))
        g->tolerance = opt->tolerance;
    if (opt && opt->reference && grid_load_reference(g, opt->reference, err) < 0)
        return grid_free(g), -1;
    return 0;
}

int table_write(const Experiment *e, const CellList *cells, const char *results_dir,
                const TableOptions *opt, const char *out_base, int *missing, QbErr *err)
{
    TextTable t[2] = {0};
    OverheadRow *rows = NULL;
    ReportDoc d = {0};
    Grid g;
    int nrows = 0, rc = 0;
    d.e = e, d.t = t, d.ntables = 1;
    *missing = 0;
    regime_describe(e, &d.regime);
    regime_header(e, &d.regime, d.regime_line, sizeof d.regime_line);
    if (e->layout == LAYOUT_COST) {
        if ((rc = overhead_rows(e, &rows, &nrows, err)) == 0)
            overhead_table(e, rows, nrows, &t[0]);
    } else if ((rc = load_grid(e, cells, results_dir, opt, &g, err)) == 0) {
        d.g = &g;
        if (e->layout == LAYOUT_ABLATION) {
            layout_ablation(&g, &d.regime, &t[0]);
        } else {
            layout_bits(&g, &d.regime, &t[0], 0);
            if (paper_has_top5(e))
                layout_bits(&g, &d.regime, &t[d.ntables++], 1);
        }
        layout_legend(&g, &d.regime, d.legend, sizeof d.legend);
        layout_resolution(&g, d.resolution, sizeof d.resolution);
        conv_note(&g, d.convergence, sizeof d.convergence);
        refcheck_summary(&g, d.reference, sizeof d.reference);
        if (opt && opt->summary)
            snprintf(opt->summary, opt->summary_cap, "%s", d.reference);
        *missing = g.missing;
    }
    if (rc == 0) {
        setting_text(e, cells, d.setting, sizeof d.setting);
        rc = write_files(&d, rows, nrows, out_base, err);
    }
    if (d.g)
        grid_free(&g);
    table_free(&t[0]);
    table_free(&t[1]);
    free(rows);
    return rc;
}
