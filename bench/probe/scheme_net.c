/* A scheme's probe network (figures.h: probe_scheme_net): built with the default policy
 * (LSQ 8-bit first and last layers, no options or overrides), from a QAT checkpoint when one
 * is given for (scheme, bits), else from the pretrained checkpoint. A QAT checkpoint must
 * have been trained with that same setting, as recorded in its config. */
#include <string.h>

#include "quantizers/schemes.h"
#include "core/jsonr.h"
#include "figures.h"

static int qat_check(const ProbeQat *q, const char *config, QbErr *err)
{
    JsonV *cfg;
    if (!config || json_parse(config, q->path, &cfg, err) < 0)
        return qb_fail(err, "%s: no readable training configuration in the checkpoint", q->path);
    const char *scheme = json_str_at(cfg, "scheme", "");
    int wbits = (int)json_num_at(cfg, "wbits", 0), abits = (int)json_num_at(cfg, "abits", 0);
    const JsonV *opts = json_at(cfg, "quant_options"), *ovr = json_at(cfg, "overrides");
    int plain = !strcmp(json_str_at(cfg, "first_last", "lsq8"), "lsq8") &&
                json_num_at(cfg, "asq_first_layer", 0) == 0 && (!opts || opts->n == 0) &&
                (!ovr || ovr->n == 0);
    int rc = 0;
    abits = abits ? abits : wbits;
    if (!scheme[0])
        rc = qb_fail(err, "%s: a full-precision checkpoint, not one trained as %s at %d bits",
                     q->path, q->scheme, q->bits);
    else if (strcmp(scheme, q->scheme) || wbits != q->bits || abits != q->bits)
        rc = qb_fail(err, "%s: trained as %s at %d-bit weights and %d-bit activations, not %s at "
                          "%d bits", q->path, scheme, wbits, abits, q->scheme, q->bits);
    else if (!plain)
        rc = qb_fail(err, "%s: trained with a first/last policy, options or overrides other "
                          "than the defaults, which the probe's nets do not reproduce", q->path);
    json_free(cfg);
    return rc;
}

int probe_scheme_net(Probe *p, Net *net, const char *scheme, int bits, QbErr *err)
{
    const ProbeQat *q = probe_qat_find(p->cfg, scheme, bits);
    const char *ckpt = q ? q->path : p->cfg->ckpt;
    SchemeOptions so = {0};
    so.seed = p->cfg->seed;
    CkptMeta meta = {0};
    int rc = pnet_build(net, &p->spec, err);
    if (rc == 0)
        rc = scheme_apply(net, scheme, bits, &so, err);
    if (rc == 0)
        rc = pnet_load(net, &p->spec, ckpt, q ? &meta : NULL, err);
    if (rc == 0 && q)
        rc = qat_check(q, meta.config, err);
    ckpt_meta_free(&meta);
    if (rc == 0)
        rc = pnet_calibrate(net, ckpt, &p->data.init, err);
    if (rc == 0)
        pnet_forward(net, &p->data.measure);
    return rc < 0 ? qb_wrap(err, "%s at %d bits: ", scheme, bits) : 0;
}
