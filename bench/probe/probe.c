/* probe_run: opens the batches, picks the probed layer, checks the QAT checkpoints against the
 * nets the figures build and identifies their cells, then writes every figure's files. */
#include "probe.h"

#include <string.h>

#include "core/atomic_file.h"
#include "nets/registry.h"
#include "core/layers/layers.h"
#include "core/threads.h"
#include "figures.h"

/* The named compute layer, or the middle one; never the first or the last, which every
 * scheme leaves at LSQ 8 bits (FORMULAS.md §1.3). */
static int layer_pick(const Probe *p, const Net *net, QbErr *err)
{
    int idx[net->nlayers], n = 0, at = -1;
    for (int i = 0; i < net->nlayers; i++)
        if (layer_is_compute(&net->layers[i]))
            idx[n++] = i;
    if (n < 3)
        return qb_fail(err, "%s has %d compute layers; the probe needs one between the first and "
                            "the last", p->cfg->net, n);
    if (!p->cfg->layer[0])
        return idx[1 + (n - 2) / 2];
    for (int k = 1; k < n - 1; k++)
        if (!strcmp(net->layers[idx[k]].name, p->cfg->layer))
            at = idx[k];
    if (at < 0)
        return qb_fail(err, "--layer %s: expected a conv2d or linear layer of %s other than the "
                            "first (%s) and the last (%s), e.g. %s", p->cfg->layer, p->cfg->net,
                       net->layers[idx[0]].name, net->layers[idx[n - 1]].name,
                       net->layers[idx[1 + (n - 2) / 2]].name);
    return at;
}

/* Every QAT checkpoint must stand in for a net the probe builds. */
static int qat_used(const ProbeConfig *c, QbErr *err)
{
    for (int i = 0; i < c->nqat; i++) {
        int hit = 0;
        for (int s = 0; s < c->nschemes; s++)
            hit |= !strcmp(c->qat[i].scheme, c->schemes[s]) &&
                   (c->qat[i].bits == c->act_bits || c->qat[i].bits == c->error_bits);
        if (!hit)
            return qb_fail(err, "qat checkpoint %s:%d=%s: the probe builds its schemes only at "
                                "%d bits (activations) and %d bits (error)", c->qat[i].scheme,
                           c->qat[i].bits, c->qat[i].path, c->act_bits, c->error_bits);
    }
    return 0;
}

static int figures_write(Probe *p, QbErr *err)
{
    Net net;
    int rc = pnet_build(&net, &p->spec, err);
    if (rc == 0 && (p->layer = layer_pick(p, &net, err)) >= 0)
        snprintf(p->report->layer, sizeof p->report->layer, "%s", net.layers[p->layer].name);
    net_free(&net);
    if (rc < 0 || p->layer < 0)
        return -1;
    if (probe_levels(p, err) < 0 || probe_weights(p, err) < 0 || probe_acts(p, err) < 0)
        return -1;
    return probe_errors(p, err);
}

int probe_run(const ProbeConfig *c, ProbeReport *r, QbErr *err)
{
    memset(r, 0, sizeof *r);
    if (!net_entry(c->net)) {
        char why[sizeof err->msg];
        net_unknown(c->net, why, sizeof why);
        return qb_fail(err, "%s", why);
    }
    Probe p = {.cfg = c, .report = r};
    if (qat_used(c, err) < 0 || probe_regime(c, &p.prov, &p.act_prov, err) < 0 || dir_create(c->out, err) < 0)
        return -1;
    threads_set(c->threads);
    int rc = pdata_open(&p.data, c->data, c->data_dir[0] ? c->data_dir : NULL, c->batch, c->seed,
                        err);
    if (rc == 0) {
        p.spec = (PnetSpec){c->net, c->width, p.data.train.dims, p.data.train.classes,
                            c->batch, c->threads, c->seed};
        rc = figures_write(&p, err);
    }
    pdata_close(&p.data);
    return rc;
}
