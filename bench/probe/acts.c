/* act_hist_<scheme>.dat, act_codes_<scheme>.dat and act_summary.dat: the probed layer's input
 * before and after its activation quantizer, for each scheme at cfg->act_bits. The histogram
 * bins both on one range, under the probe's provenance lines for that scheme (provenance.h:
 * whether its quantizers were trained, and by which cell); the codes file counts the inputs sent to each level; the summary
 * says how many levels and how many distinct output values each scheme really uses. LSQ has
 * one step for the layer, so at most 2^b values; ASQ rescales the step per sample, so the
 * same codes give up to 2^b values per sample. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "figures.h"
#include "hist.h"
#include "qview.h"

typedef struct {
    long *count;         /* inputs sent to each level */
    int used;            /* levels with at least one input */
    size_t distinct;     /* distinct output values */
    double clipped;      /* fraction of inputs outside the clip range */
} ActStats;

static int float_cmp(const void *a, const void *b)
{
    float x = *(const float *)a, y = *(const float *)b;
    return (x > y) - (x < y);
}

static size_t distinct_values(const float *y, size_t n)
{
    float *s = malloc(sizeof(float) * n);
    QB_ASSERT(s);
    memcpy(s, y, sizeof(float) * n);
    qsort(s, n, sizeof(float), float_cmp);
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        k += i == 0 || s[i] != s[i - 1];
    free(s);
    return k;
}

static void stats_take(const QView *v, ActStats *st)
{
    st->count = calloc((size_t)v->nlevels, sizeof(long));
    QB_ASSERT(st->count);
    long clipped = 0;
    for (size_t i = 0; i < v->n; i++) {
        double u = qview_u(v, i);
        clipped += u < v->levels[0] || u > v->levels[v->nlevels - 1];
        st->count[qview_level(v, qview_yn(v, i))]++;
    }
    for (int j = 0; j < v->nlevels; j++)
        st->used += st->count[j] > 0;
    st->distinct = distinct_values(v->y, v->n);
    st->clipped = (double)clipped / (double)v->n;
}

static int hist_write(Probe *p, const char *scheme, const QView *v, QbErr *err)
{
    double lo = INFINITY, hi = -INFINITY;
    hist_range(v->x, v->n, &lo, &hi);
    hist_range(v->y, v->n, &lo, &hi);
    Hist fp, q;
    hist_init(&fp, lo, hi, p->cfg->bins);
    hist_init(&q, lo, hi, p->cfg->bins);
    for (size_t i = 0; i < v->n; i++) {
        hist_add(&fp, v->x[i]);
        hist_add(&q, v->y[i]);
    }
    DatFile d;
    char name[DAT_NAME_MAX];
    snprintf(name, sizeof name, "act_hist_%s.dat", scheme);
    dat_begin(&d, name, "lo hi center fp quantized");
    dat_printf(&d, "# layer %s scheme %s bits %d values %zu\n", p->report->layer, scheme,
               p->cfg->act_bits, v->n);
    provenance_lines(&d, &p->act_prov, scheme);
    for (int b = 0; b < fp.nbins; b++) {
        double a = hist_edge(&fp, b), z = hist_edge(&fp, b + 1);
        dat_printf(&d, "%.9g %.9g %.9g %ld %ld\n", a, z, 0.5 * (a + z), fp.count[b], q.count[b]);
    }
    hist_free(&fp);
    hist_free(&q);
    return probe_commit(p, &d, err);
}

static int codes_write(Probe *p, const char *scheme, const QView *v, const ActStats *st,
                       QbErr *err)
{
    DatFile d;
    char name[DAT_NAME_MAX];
    snprintf(name, sizeof name, "act_codes_%s.dat", scheme);
    dat_begin(&d, name, "index level count");
    for (int j = 0; j < v->nlevels; j++)
        dat_printf(&d, "%d %.17g %ld\n", j, v->levels[j], st->count[j]);
    return probe_commit(p, &d, err);
}

/* One scheme: its net, the two files, and its summary row into `sum`. */
static int scheme_acts(Probe *p, const char *scheme, DatFile *sum, QbErr *err)
{
    Net net;
    QView v;
    ActStats st = {0};
    int rc = probe_scheme_net(p, &net, scheme, p->cfg->act_bits, err);
    if (rc == 0)
        rc = qview_open(&v, &net, &net.layers[p->layer], QROLE_ACT, err);
    if (rc == 0) {
        stats_take(&v, &st);
        dat_printf(sum, "%s %d %zu %d %d %zu %.9g\n", scheme, p->cfg->act_bits, v.n, v.nlevels,
                   st.used, st.distinct, st.clipped);
        rc = hist_write(p, scheme, &v, err);
        if (rc == 0)
            rc = codes_write(p, scheme, &v, &st, err);
        qview_close(&v);
    }
    free(st.count);
    net_free(&net);
    return rc;
}

int probe_acts(Probe *p, QbErr *err)
{
    DatFile sum;
    dat_begin(&sum, "act_summary.dat",
              "scheme bits values levels levels_used distinct_values clipped_fraction");
    dat_printf(&sum, "# layer %s\n", p->report->layer);
    for (int s = 0; s < p->cfg->nschemes; s++)
        if (scheme_acts(p, p->cfg->schemes[s], &sum, err) < 0) {
            dat_discard(&sum);
            return -1;
        }
    return probe_commit(p, &sum, err);
}
