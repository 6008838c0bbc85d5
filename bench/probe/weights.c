/* weights_hist.dat and levels_overlay_<method>.dat: the probed layer's full-precision weights
 * as each weight method sees them at cfg->bits. Every weight is shown in its method's
 * normalised coordinate u (divided by the scale the initialised quantizer uses for its
 * channel; APoT: after the layer's weight normalisation), where the method's level set is
 * exact for every channel at once, so the overlay is correct whatever the per-channel scales.
 * The overlay lists each level with the number of weights the quantizer's forward mapped to
 * it and where the level lies in weight units (lowest and highest over the channels). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "quantizers/registry.h"
#include "core/layers/layers.h"
#include "figures.h"
#include "hist.h"
#include "qview.h"

static const char *const weight_methods[] = {"uniform", "lsq", "pot", "post", "apot"};
#define NMETHODS ((int)(sizeof weight_methods / sizeof weight_methods[0]))

typedef struct {
    float *u;               /* per weight */
    size_t n;
    double *levels;
    int nlevels;
    long *count;            /* weights mapped to each level */
    double *raw_lo, *raw_hi;
} MethodView;

static void view_take(MethodView *mv, QView *v)
{
    mv->n = v->n;
    mv->nlevels = v->nlevels;
    mv->u = malloc(sizeof(float) * v->n);
    mv->count = calloc((size_t)v->nlevels, sizeof(long));
    mv->raw_lo = malloc(sizeof(double) * (size_t)v->nlevels);
    mv->raw_hi = malloc(sizeof(double) * (size_t)v->nlevels);
    QB_ASSERT(mv->u && mv->count && mv->raw_lo && mv->raw_hi);
    for (size_t i = 0; i < v->n; i++) {
        mv->u[i] = (float)qview_u(v, i);
        mv->count[qview_level(v, qview_yn(v, i))]++;
    }
    mv->levels = v->levels;
    v->levels = NULL; /* ownership moves to mv */
    for (int j = 0; j < v->nlevels; j++) {
        mv->raw_lo[j] = INFINITY;
        mv->raw_hi[j] = -INFINITY;
        for (int g = 0; g < v->ngroups; g++) {
            double r = v->scale[g].in_offset + v->scale[g].in_scale * mv->levels[j];
            mv->raw_lo[j] = fmin(mv->raw_lo[j], r);
            mv->raw_hi[j] = fmax(mv->raw_hi[j], r);
        }
    }
}

static void view_free(MethodView *mv)
{
    free(mv->u);
    free(mv->levels);
    free(mv->count);
    free(mv->raw_lo);
    free(mv->raw_hi);
}

/* The net with only the probed layer's weights quantized by `method`. */
static int method_view(Probe *p, const char *method, MethodView *mv, QbErr *err)
{
    Net net;
    QView v;
    int rc = pnet_build(&net, &p->spec, err);
    if (rc == 0) {
        Quantizer *wq = quantizer_new(method, QROLE_WEIGHT, p->cfg->bits, 0, NULL, 0, err);
        if (wq)
            wq->seed = p->cfg->seed;
        rc = wq ? layer_quantize(&net, p->layer, wq, NULL, err) : -1;
    }
    if (rc == 0)
        rc = pnet_load(&net, &p->spec, p->cfg->ckpt, NULL, err);
    if (rc == 0)
        rc = pnet_calibrate(&net, p->cfg->ckpt, &p->data.init, err);
    if (rc == 0) {
        pnet_forward(&net, &p->data.measure);
        rc = qview_open(&v, &net, &net.layers[p->layer], QROLE_WEIGHT, err);
    }
    if (rc == 0) {
        view_take(mv, &v);
        qview_close(&v);
    }
    net_free(&net);
    return rc < 0 ? qb_wrap(err, "weights under %s: ", method) : 0;
}

static int hist_write(Probe *p, MethodView *mv, QbErr *err)
{
    double r = 1.0;
    for (int m = 0; m < NMETHODS; m++)
        for (size_t i = 0; i < mv[m].n; i++)
            r = fmax(r, fabs(mv[m].u[i]));
    Hist h[NMETHODS];
    DatFile d;
    char cols[256];
    size_t at = (size_t)snprintf(cols, sizeof cols, "lo hi center");
    for (int m = 0; m < NMETHODS; m++)
        at += (size_t)snprintf(cols + at, sizeof cols - at, " %s", weight_methods[m]);
    dat_begin(&d, "weights_hist.dat", cols);
    dat_printf(&d, "# layer %s bits %d weights %zu\n", p->report->layer, p->cfg->bits, mv[0].n);
    for (int m = 0; m < NMETHODS; m++) {
        hist_init(&h[m], -r, r, p->cfg->bins);
        for (size_t i = 0; i < mv[m].n; i++)
            hist_add(&h[m], mv[m].u[i]);
    }
    for (int b = 0; b < p->cfg->bins; b++) {
        double lo = hist_edge(&h[0], b), hi = hist_edge(&h[0], b + 1);
        dat_printf(&d, "%.9g %.9g %.9g", lo, hi, 0.5 * (lo + hi));
        for (int m = 0; m < NMETHODS; m++)
            dat_printf(&d, " %ld", h[m].count[b]);
        dat_printf(&d, "\n");
    }
    for (int m = 0; m < NMETHODS; m++)
        hist_free(&h[m]);
    return probe_commit(p, &d, err);
}

static int overlay_write(Probe *p, const char *method, const MethodView *mv, QbErr *err)
{
    DatFile d;
    char name[DAT_NAME_MAX];
    snprintf(name, sizeof name, "levels_overlay_%s.dat", method);
    dat_begin(&d, name, "index level count raw_min raw_max");
    dat_printf(&d, "# layer %s bits %d\n", p->report->layer, p->cfg->bits);
    for (int j = 0; j < mv->nlevels; j++)
        dat_printf(&d, "%d %.17g %ld %.9g %.9g\n", j, mv->levels[j], mv->count[j], mv->raw_lo[j],
                   mv->raw_hi[j]);
    return probe_commit(p, &d, err);
}

int probe_weights(Probe *p, QbErr *err)
{
    MethodView mv[NMETHODS] = {{0}};
    int rc = 0;
    for (int m = 0; m < NMETHODS && rc == 0; m++)
        rc = method_view(p, weight_methods[m], &mv[m], err);
    if (rc == 0)
        rc = hist_write(p, mv, err);
    for (int m = 0; m < NMETHODS && rc == 0; m++)
        rc = overlay_write(p, weight_methods[m], &mv[m], err);
    for (int m = 0; m < NMETHODS; m++)
        view_free(&mv[m]);
    return rc;
}
