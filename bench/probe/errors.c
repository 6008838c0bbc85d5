/* block_error.dat and layer_error.dat: the full-precision net and each scheme's net at
 * cfg->error_bits run on the same measure batch; BlockErr compares their block outputs,
 * LayerErr splits each quantizer's error into rounding and clipping. Both files carry the
 * run's provenance (provenance.h): a claim reads block_error.dat only for its own regime. */
#include <stdio.h>
#include <string.h>

#include "blockerr.h"
#include "figures.h"
#include "layererr.h"

/* "index block" or "index layer" followed by each scheme's columns. */
static void header(char *out, size_t cap, const char *first, const ProbeConfig *c,
                   const char *const *parts, int nparts)
{
    size_t at = (size_t)snprintf(out, cap, "index %s", first);
    for (int s = 0; s < c->nschemes; s++)
        for (int k = 0; k < nparts && at < cap; k++)
            at += (size_t)snprintf(out + at, cap - at, " %s%s", c->schemes[s], parts[k]);
}

static int files_write(Probe *p, const BlockErr *be, const LayerErr *le, const Net *fp,
                       QbErr *err)
{
    static const char *const bparts[] = {"", "_rel"};
    static const char *const lparts[] = {"_w_round", "_w_clip", "_a_round", "_a_clip"};
    char cols[1024];
    DatFile d;
    header(cols, sizeof cols, "block", p->cfg, bparts, 2);
    provenance_begin(&d, "block_error.dat", cols, p->cfg->error_bits, p->cfg->batch, &p->prov);
    blockerr_rows(be, &d);
    if (probe_commit(p, &d, err) < 0)
        return -1;
    header(cols, sizeof cols, "layer", p->cfg, lparts, LE_PARTS);
    provenance_begin(&d, "layer_error.dat", cols, p->cfg->error_bits, p->cfg->batch, &p->prov);
    layererr_rows(le, fp, &d);
    return probe_commit(p, &d, err);
}

int probe_errors(Probe *p, QbErr *err)
{
    Net fp, q;
    BlockErr be = {0};
    LayerErr le = {0};
    int rc = pnet_build(&fp, &p->spec, err);
    if (rc == 0)
        rc = pnet_load(&fp, &p->spec, p->cfg->ckpt, NULL, err);
    if (rc == 0) {
        pnet_forward(&fp, &p->data.measure);
        blockerr_init(&be, &fp, p->cfg->nschemes);
        layererr_init(&le, &fp, p->cfg->nschemes);
    }
    for (int s = 0; s < p->cfg->nschemes && rc == 0; s++) {
        rc = probe_scheme_net(p, &q, p->cfg->schemes[s], p->cfg->error_bits, err);
        if (rc == 0) {
            blockerr_add(&be, s, &fp, &q);
            rc = layererr_add(&le, s, &q, err);
        }
        net_free(&q);
    }
    if (rc == 0)
        rc = files_write(p, &be, &le, &fp, err);
    blockerr_free(&be);
    layererr_free(&le);
    net_free(&fp);
    return rc;
}
