#include "blockerr.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/layers/layers.h"

static int is_add(const Layer *L) { return L->ops == &add_ops || L->ops == &add_relu_ops; }

static int listed(const BlockErr *b, int li)
{
    for (int i = 0; i < b->nblocks; i++)
        if (b->layer[i] == li)
            return 1;
    return 0;
}

static void block_push(BlockErr *b, const Net *net, int li)
{
    if (li == NET_INPUT || listed(b, li))
        return;
    const char *name = net->layers[li].name, *dot = strrchr(name, '.');
    size_t n = is_add(&net->layers[li]) && dot ? (size_t)(dot - name) : strlen(name);
    b->layer[b->nblocks] = li;
    memcpy(b->name[b->nblocks], name, n);
    b->name[b->nblocks++][n] = '\0';
}

void blockerr_init(BlockErr *b, const Net *fp, int nschemes)
{
    memset(b, 0, sizeof *b);
    b->nschemes = nschemes;
    b->layer = malloc(sizeof(int) * (size_t)(fp->nlayers + 1));
    b->name = malloc(sizeof *b->name * (size_t)(fp->nlayers + 1));
    QB_ASSERT(b->layer && b->name);
    int adds = 0;
    for (int i = 0; i < fp->nlayers; i++)
        adds += is_add(&fp->layers[i]);
    for (int i = 0; i < fp->nlayers; i++) {
        const Layer *L = &fp->layers[i];
        if (adds && is_add(L))
            block_push(b, fp, i);
        else if (!adds && layer_is_compute(L))
            block_push(b, fp, L->in[0]);
    }
    block_push(b, fp, fp->nlayers - 1);
    b->l2 = calloc((size_t)b->nblocks * nschemes, sizeof(double));
    b->rel = calloc((size_t)b->nblocks * nschemes, sizeof(double));
    QB_ASSERT(b->l2 && b->rel);
}

void blockerr_add(BlockErr *b, int s, const Net *fp, const Net *q)
{
    for (int k = 0; k < b->nblocks; k++) {
        const Tensor *a = &fp->layers[b->layer[k]].y, *z = &q->layers[b->layer[k]].y;
        QB_ASSERT(!strcmp(fp->layers[b->layer[k]].name, q->layers[b->layer[k]].name) &&
                  tensor_numel(a) == tensor_numel(z));
        size_t len = (size_t)a->c * a->h * a->w;
        double diff = 0.0, ref = 0.0, per_sample = 0.0;
        for (int n = 0; n < a->n; n++) {
            double dn = 0.0;
            for (size_t i = n * len; i < (n + 1) * len; i++) {
                double e = (double)z->data[i] - a->data[i];
                dn += e * e;
                ref += (double)a->data[i] * a->data[i];
            }
            diff += dn;
            per_sample += sqrt(dn);
        }
        b->l2[k * b->nschemes + s] = per_sample / a->n;
        b->rel[k * b->nschemes + s] = ref > 0.0 ? sqrt(diff / ref) : 0.0;
    }
}

void blockerr_rows(const BlockErr *b, DatFile *d)
{
    for (int k = 0; k < b->nblocks; k++) {
        dat_printf(d, "%d %s", k, b->name[k]);
        for (int s = 0; s < b->nschemes; s++)
            dat_printf(d, " %.9g %.9g", b->l2[k * b->nschemes + s], b->rel[k * b->nschemes + s]);
        dat_printf(d, "\n");
    }
}

void blockerr_free(BlockErr *b)
{
    free(b->layer);
    free(b->name);
    free(b->l2);
    free(b->rel);
    memset(b, 0, sizeof *b);
}
