/* ProbeConfig: the defaults and the list-valued settings (schemes, QAT checkpoints). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "quantizers/schemes.h"
#include "probe.h"

void probe_defaults(ProbeConfig *c)
{
    memset(c, 0, sizeof *c);
    snprintf(c->data, sizeof c->data, "fmnist");
    snprintf(c->out, sizeof c->out, "plots/data");
    c->width = 1.0f;
    c->batch = 64;
    c->bits = 4;
    c->act_bits = 2;
    c->error_bits = 3;
    c->bins = 100;
    c->threads = 1;
    c->seed = 1;
    snprintf(c->schemes[0], sizeof c->schemes[0], "lsq");
    snprintf(c->schemes[1], sizeof c->schemes[1], "asq");
    c->nschemes = 2;
}

static int scheme_known(const char *name, QbErr *err)
{
    if (scheme_find(name))
        return 0;
    char why[sizeof err->msg];
    scheme_unknown(name, 0, why, sizeof why);
    return qb_fail(err, "%s", why);
}

int probe_set_schemes(ProbeConfig *c, const char *list, QbErr *err)
{
    c->nschemes = 0;
    for (const char *p = list; *p;) {
        size_t n = strcspn(p, ",");
        if (n == 0 || n >= PROBE_SCHEME_MAX || c->nschemes == PROBE_SCHEMES_MAX)
            return qb_fail(err, "expected 1 to %d comma-separated scheme names",
                           PROBE_SCHEMES_MAX);
        char *s = c->schemes[c->nschemes++];
        memcpy(s, p, n);
        s[n] = '\0';
        if (scheme_known(s, err) < 0)
            return -1;
        p += n + (p[n] == ',');
    }
    return c->nschemes ? 0 : qb_fail(err, "expected at least one scheme name");
}

int probe_add_qat(ProbeConfig *c, const char *spec, QbErr *err)
{
    const char *colon = strchr(spec, ':'), *eq = colon ? strchr(colon, '=') : NULL;
    char *end = NULL;
    long bits = colon ? strtol(colon + 1, &end, 10) : 0;
    if (c->nqat == PROBE_QAT_MAX)
        return qb_fail(err, "at most %d QAT checkpoints are accepted", PROBE_QAT_MAX);
    if (!eq || end != eq || bits < 1 || bits > 32 || colon == spec ||
        (size_t)(colon - spec) >= PROBE_SCHEME_MAX || !eq[1] || strlen(eq + 1) >= PROBE_PATH_MAX)
        return qb_fail(err, "expected SCHEME:BITS=PATH, e.g. asq:2=results/table4/x.ckpt");
    ProbeQat *q = &c->qat[c->nqat];
    memcpy(q->scheme, spec, (size_t)(colon - spec));
    q->scheme[colon - spec] = '\0';
    q->bits = (int)bits;
    snprintf(q->path, sizeof q->path, "%s", eq + 1);
    if (scheme_known(q->scheme, err) < 0)
        return -1;
    c->nqat++;
    return 0;
}

const ProbeQat *probe_qat_find(const ProbeConfig *c, const char *scheme, int bits)
{
    for (int i = 0; i < c->nqat; i++)
        if (!strcmp(c->qat[i].scheme, scheme) && c->qat[i].bits == bits)
            return &c->qat[i];
    return NULL;
}
