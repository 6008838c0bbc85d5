/* The CSV of a bits or ablation table, written from the grid: one row per position and
 * metric with mean, std and counts, the paper's number and (in the paper's own regime only)
 * the difference to it, BitOPs, the paired difference to the baseline with its 95% interval
 * (paired.h: paired_csv), the paper's own difference to the baseline with its sign and
 * magnitude check, both regimes, the reproduction check (refcheck.h), and how many of the
 * finished runs are unconverged or have no convergence verdict (conv_note.h). */
#include <math.h>
#include <string.h>

#include "core/atomic_file.h"
#include "conv_note.h"
#include "refcheck.h"
#include "render.h"

static void num(FILE *f, const char *fmt, double v)
{
    if (isnan(v))
        fputc(',', f);
    else
        fprintf(f, fmt, v);
}

void csv_text(FILE *f, const char *s)
{
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', f);
        fputc(*s, f);
    }
    fputc('"', f);
}

/* paper_paired,sign,magnitude,regime,paper_regime */
static void csv_regime(FILE *f, const Paired *p, double paper_diff, const Regime *r)
{
    RegimeCheck c;
    regime_check(p, paper_diff, &c);
    num(f, "%.2f,", c.paper);
    fprintf(f, "%s,%s,", regime_sign_name(c.sign), regime_magnitude_name(c.magnitude));
    csv_text(f, r->text);
    fputc(',', f);
    csv_text(f, r->paper);
    fputc(',', f);
}

/* unconverged,convergence_not_recorded: the finished runs of s by verdict; ends the row */
static void csv_convergence(FILE *f, const GridCell *s)
{
    fprintf(f, "%d,%d\n", grid_conv_count(s, CONV_UNCONVERGED),
            grid_conv_count(s, CONV_NOT_RECORDED));
}

static void csv_row(FILE *f, const Grid *g, const Regime *rg, int net, int scheme, int bits,
                    int top5, double paper)
{
    const Experiment *e = g->e;
    const char *name = e->nets[net], *sch = e->schemes[scheme];
    const GridCell *s = grid_cell_or_empty(g, net, scheme, bits);
    double m = s->ok ? grid_mean(s, top5) : NAN;
    fprintf(f, "%s,", name);
    csv_text(f, scheme_label(e, name, sch));
    fprintf(f, ",%s,%d,%s,", sch, bits ? bits : 32, top5 ? "top5" : "top1");
    num(f, "%.4f,", m);
    num(f, "%.4f,", grid_std(s, top5));
    fprintf(f, "%d,%d,%d,", s->ok, s->failed, s->missing);
    num(f, "%.2f,", paper);
    num(f, "%.2f,", isnan(paper) || rg->kind != REGIME_PAPER ? NAN : m - paper);
    if (isnan(s->bitops))
        fputc(',', f);
    else
        fprintf(f, "%.6g,", s->bitops);
    Paired p;
    grid_paired(g, net, scheme, bits, top5, &p);
    fprintf(f, "%s,%d,", p.n ? e->baseline : "", p.n);
    num(f, "%.4f,", p.mean);
    paired_csv(f, &p);
    csv_regime(f, &p, paper_paired(e, name, sch, bits, top5), rg);
    const GridCell *r = grid_ref_cell(g, net, scheme, bits);
    RefCheck rc = {{0}, NAN, REF_NONE, 0};
    if (r)
        refcheck_cell(g, s, r, top5, &rc);
    if (!r || !r->ok) {
        fprintf(f, ",,0,,,%s,%d,", refcheck_status_name(rc.status), rc.other_code);
        csv_convergence(f, s);
        return;
    }
    num(f, "%.4f,", grid_mean(r, top5));
    num(f, "%.4f,", grid_std(r, top5));
    fprintf(f, "%d,", r->ok);
    num(f, "%.4f,", rc.d.mean);
    num(f, "%.4f,", rc.noise);
    fprintf(f, "%s,%d,", refcheck_status_name(rc.status), rc.other_code);
    csv_convergence(f, s);
}

static void csv_bits(FILE *f, const Grid *g, const Regime *r, int top5)
{
    const Experiment *e = g->e;
    int fpi = grid_scheme_index(e, SCHEME_FP);
    for (int n = 0; n < e->nnets; n++) {
        for (int s = 0; s < e->nschemes; s++) {
            if (s == fpi)
                continue;
            const PaperRow *p = paper_find(e, e->nets[n], e->schemes[s]);
            for (int b = 0; b < e->nbits; b++)
                csv_row(f, g, r, n, s, g->bits[b], top5, paper_number(p, g->bits[b], top5));
        }
        if (!top5 && fpi >= 0) {
            const PaperRow *p = paper_find(e, e->nets[n], SCHEME_FP);
            csv_row(f, g, r, n, fpi, 0, 0, paper_number(p, 0, 0));
        }
    }
}

void csv_grid(FILE *f, const Grid *g, const Regime *r)
{
    const Experiment *e = g->e;
    fprintf(f, "net,method,scheme,bits,metric,mean,std,ok,failed,missing,paper,diff,bitops,"
               "baseline,paired_n,paired_mean,paired_lo,paired_hi,paired_interval,paper_paired,"
               "sign,magnitude,regime,paper_regime,ref_mean,ref_std,ref_n,ref_diff,ref_noise,"
               "ref_status,ref_other_code,unconverged,convergence_not_recorded\n");
    if (e->layout == LAYOUT_ABLATION) {
        for (int n = 0; n < e->nnets; n++)
            for (int s = 0; s < e->nschemes; s++) {
                int fp = scheme_is_fp(e->schemes[s]);
                int bits = fp ? 0 : e->bits[0];
                csv_row(f, g, r, n, s, bits, 0,
                        paper_number(paper_find(e, e->nets[n], e->schemes[s]), bits, 0));
            }
        return;
    }
    csv_bits(f, g, r, 0);
    if (paper_has_top5(e))
        csv_bits(f, g, r, 1);
}

int md_csv_write(const char *base, MdCsvWriter write, void *user, QbErr *err)
{
    char path[1024];
    AtomicFile md, csv;
    snprintf(path, sizeof path, "%s.md", base);
    if (atomic_open(&md, path, err) < 0)
        return -1;
    snprintf(path, sizeof path, "%s.csv", base);
    if (atomic_open(&csv, path, err) < 0)
        return atomic_abort(&md), -1;
    if (write(md.f, csv.f, user, err) < 0)
        return atomic_abort(&md), atomic_abort(&csv), -1;
    if (atomic_commit(&md, err) < 0)
        return atomic_abort(&csv), -1;
    return atomic_commit(&csv, err);
}
