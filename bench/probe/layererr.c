#include "layererr.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/layers/layers.h"
#include "qview.h"

void layererr_init(LayerErr *e, const Net *net, int nschemes)
{
    memset(e, 0, sizeof *e);
    e->nschemes = nschemes;
    e->layer = malloc(sizeof(int) * (size_t)net->nlayers);
    QB_ASSERT(e->layer);
    for (int i = 0; i < net->nlayers; i++)
        if (layer_is_compute(&net->layers[i]))
            e->layer[e->nlayers++] = i;
    size_t n = (size_t)e->nlayers * nschemes * LE_PARTS;
    e->v = malloc(sizeof(double) * n);
    QB_ASSERT(e->v);
    for (size_t i = 0; i < n; i++)
        e->v[i] = NAN;
}

/* Rounding and clipping parts of one quantizer's error into out[0], out[1]. */
static int split(Net *net, Layer *L, QuantRole role, double *out, QbErr *err)
{
    if (!(role == QROLE_WEIGHT ? layer_weight_quantizer(L) : layer_input_quantizer(L)))
        return 0;
    QView v;
    if (qview_open(&v, net, L, role, err) < 0)
        return -1;
    double lo = v.levels[0], hi = v.levels[v.nlevels - 1], round = 0.0, clip = 0.0, ref = 0.0;
    for (size_t i = 0; i < v.n; i++) {
        double u = qview_u(&v, i), s = v.scale[i / v.group_len].in_scale;
        double e = (qview_yn(&v, i) - u) * s;
        if (u >= lo && u <= hi)
            round += e * e;
        else
            clip += e * e;
        ref += u * s * u * s;
    }
    out[0] = ref > 0.0 ? round / ref : 0.0;
    out[1] = ref > 0.0 ? clip / ref : 0.0;
    qview_close(&v);
    return 0;
}

int layererr_add(LayerErr *e, int s, Net *net, QbErr *err)
{
    for (int k = 0; k < e->nlayers; k++) {
        Layer *L = &net->layers[e->layer[k]];
        double *v = e->v + ((size_t)k * e->nschemes + s) * LE_PARTS;
        if (split(net, L, QROLE_WEIGHT, v + LE_W_ROUND, err) < 0 ||
            split(net, L, QROLE_ACT, v + LE_A_ROUND, err) < 0)
            return -1;
    }
    return 0;
}

void layererr_rows(const LayerErr *e, const Net *net, DatFile *d)
{
    for (int k = 0; k < e->nlayers; k++) {
        dat_printf(d, "%d %s", k, net->layers[e->layer[k]].name);
        for (int i = 0; i < e->nschemes * LE_PARTS; i++)
            dat_printf(d, " %.9g", e->v[(size_t)k * e->nschemes * LE_PARTS + i]);
        dat_printf(d, "\n");
    }
}

void layererr_free(LayerErr *e)
{
    free(e->layer);
    free(e->v);
    memset(e, 0, sizeof *e);
}
