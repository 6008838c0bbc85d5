/* The CSV of a bits or ablation table, written from the grid: one row per position and
 * metric with mean, std and counts, the paper's number and the difference to it, BitOPs, the
 * paired difference to the baseline with its 95% interval (paired.h: paired_csv), and the
 * reproduction check (refcheck.h). */
#include <math.h>
#include <string.h>

#include "refcheck.h"
#include "render.h"

static void num(FILE *f, const char *fmt, double v)
{
    if (isnan(v))
        fputc(',', f);
    else
        fprintf(f, fmt, v);
}

static void csv_row(FILE *f, const Grid *g, int net, int scheme, int bits, int top5,
                    double paper)
{
    const Experiment *e = g->e;
    const char *name = e->nets[net], *sch = e->schemes[scheme];
    const GridCell *s = grid_cell_or_empty(g, net, scheme, bits);
    double m = s->ok ? grid_mean(s, top5) : NAN;
    fprintf(f, "%s,\"%s\",%s,%d,%s,", name, scheme_label(e, name, sch), sch, bits ? bits : 32,
            top5 ? "top5" : "top1");
    num(f, "%.4f,", m);
    num(f, "%.4f,", grid_std(s, top5));
    fprintf(f, "%d,%d,%d,", s->ok, s->failed, s->missing);
    num(f, "%.2f,", paper);
    num(f, "%.2f,", isnan(paper) ? NAN : m - paper);
    if (isnan(s->bitops))
        fputc(',', f);
    else
        fprintf(f, "%.6g,", s->bitops);
    Paired p;
    grid_paired(g, net, scheme, bits, top5, &p);
    fprintf(f, "%s,%d,", p.n ? e->baseline : "", p.n);
    num(f, "%.4f,", p.mean);
    paired_csv(f, &p);
    const GridCell *r = grid_ref_cell(g, net, scheme, bits);
    RefCheck rc = {{0}, NAN, REF_NONE, 0};
    if (r)
        refcheck_cell(g, s, r, top5, &rc);
    if (!r || !r->ok) {
        fprintf(f, ",,0,,,%s,%d\n", refcheck_status_name(rc.status), rc.other_code);
        return;
    }
    num(f, "%.4f,", grid_mean(r, top5));
    num(f, "%.4f,", grid_std(r, top5));
    fprintf(f, "%d,", r->ok);
    num(f, "%.4f,", rc.d.mean);
    num(f, "%.4f,", rc.noise);
    fprintf(f, "%s,%d\n", refcheck_status_name(rc.status), rc.other_code);
}

static void csv_bits(FILE *f, const Grid *g, int top5)
{
    const Experiment *e = g->e;
    int fpi = grid_scheme_index(e, "fp");
    for (int n = 0; n < e->nnets; n++) {
        for (int s = 0; s < e->nschemes; s++) {
            if (s == fpi)
                continue;
            const PaperRow *p = paper_find(e, e->nets[n], e->schemes[s]);
            for (int b = 0; b < e->nbits; b++)
                csv_row(f, g, n, s, g->bits[b], top5,
                        p ? (top5 ? p->top5 : p->top1)[g->bits[b]] : NAN);
        }
        if (!top5 && fpi >= 0) {
            const PaperRow *p = paper_find(e, e->nets[n], "fp");
            csv_row(f, g, n, fpi, 0, 0, p ? p->fp : NAN);
        }
    }
}

void csv_grid(FILE *f, const Grid *g)
{
    const Experiment *e = g->e;
    fprintf(f, "net,method,scheme,bits,metric,mean,std,ok,failed,missing,paper,diff,bitops,"
               "baseline,paired_n,paired_mean,paired_lo,paired_hi,paired_interval,ref_mean,ref_std,"
               "ref_n,ref_diff,ref_noise,ref_status,ref_other_code\n");
    if (e->layout == LAYOUT_ABLATION) {
        for (int n = 0; n < e->nnets; n++)
            for (int s = 0; s < e->nschemes; s++) {
                int fp = !strcmp(e->schemes[s], "fp");
                const PaperRow *p = paper_find(e, e->nets[n], e->schemes[s]);
                csv_row(f, g, n, s, fp ? 0 : e->bits[0], 0,
                        p ? (fp ? p->fp : p->top1[e->bits[0]]) : NAN);
            }
        return;
    }
    csv_bits(f, g, 0);
    if (paper_has_top5(e))
        csv_bits(f, g, 1);
}
