/* probe_regime (figures.h): the provenance of a probe run's error and activation files. The
 * profile and results directory are the ones the probe was given; each quantized net of the
 * figures is identified from the result file the harness leaves beside every cell's
 * checkpoint (<results>/<experiment>/<id>.json next to <id>.ckpt), so a file says which cells
 * it measured without trusting its caller for that. */
#include <string.h>

#include "core/atomic_file.h"
#include "harness/result.h"
#include "figures.h"

/* "results/table4/ID.ckpt" -> dir "results", experiment "table4", id "ID"; 0 when the path
 * does not have that shape (or a part does not fit). */
static int cell_path_parts(const char *ckpt, char *dir, size_t dcap, char *exp, size_t ecap,
                           char *id, size_t icap)
{
    char buf[PROBE_PATH_MAX];
    size_t n = strlen(ckpt);
    if (n < 6 || n >= sizeof buf || strcmp(ckpt + n - 5, ".ckpt"))
        return 0;
    memcpy(buf, ckpt, n - 5);
    buf[n - 5] = '\0';
    char *name = strrchr(buf, '/');
    if (!name)
        return 0;
    *name++ = '\0';
    char *e = strrchr(buf, '/');
    if (e)
        *e++ = '\0';
    const char *d = !e ? "." : buf[0] ? buf : "/";
    e = e ? e : buf;
    if (!name[0] || !e[0] || strlen(d) >= dcap || strlen(e) >= ecap || strlen(name) >= icap)
        return 0;
    snprintf(dir, dcap, "%s", d);
    snprintf(exp, ecap, "%s", e);
    snprintf(id, icap, "%s", name);
    return 1;
}

/* The cell whose checkpoint q is, checked against the probe's profile and results. */
static int qat_net(const ProbeConfig *c, const ProbeQat *q, ProvNet *n, QbErr *err)
{
    char dir[PROBE_PATH_MAX], json[PROBE_PATH_MAX + 8];
    ResultSummary s;
    size_t len = strlen(q->path);
    snprintf(json, sizeof json, "%.*s.json", (int)(len > 5 ? len - 5 : len), q->path);
    if (!cell_path_parts(q->path, dir, sizeof dir, n->experiment, sizeof n->experiment, n->cell,
                         sizeof n->cell) || !file_exists(json)) {
        n->kind = PROV_CHECKPOINT;   /* trained, but no cell's: recorded as such */
        snprintf(n->checkpoint, sizeof n->checkpoint, "%s", q->path);
        return 0;
    }
    n->kind = PROV_CELL;
    if (result_read(json, &s, err) < 0)
        return -1;
    if (strcmp(s.cell, n->cell))
        return qb_fail(err, "the result beside it, %s, is of cell %s", json, s.cell);
    if (!s.ok)
        return qb_fail(err, "its cell's run failed (%s: %s)", json, s.reason);
    if (c->profile[0] && strcmp(s.profile, c->profile))
        return qb_fail(err, "a cell of profile %s (%s), not of --profile %s",
                       s.profile[0] ? s.profile : "none", json, c->profile);
    if (c->results[0] && !paths_same(dir, c->results))
        return qb_fail(err, "a cell of the results directory %s, not of --results %s", dir,
                       c->results);
    return 0;
}

/* Per scheme at `bits`: untrained, or the cell (or checkpoint) of the QAT checkpoint given for
 * it, which is checked against cfg's profile and results directory. */
static int nets_at(const ProbeConfig *c, int bits, Provenance *p, QbErr *err)
{
    p->nnets = 0;
    for (int s = 0; s < c->nschemes; s++) {
        ProvNet *n = &p->nets[p->nnets++];
        memset(n, 0, sizeof *n);
        snprintf(n->scheme, sizeof n->scheme, "%s", c->schemes[s]);
        n->bits = bits;
        n->kind = PROV_UNTRAINED;
    }
    for (int i = 0; i < c->nqat; i++) {
        const ProbeQat *q = &c->qat[i];
        ProvNet cell = {0};
        if (q->bits != bits)
            continue;
        if (strchr(q->path, '\n'))
            return qb_fail(err, "--qat-checkpoint %s: the path must not contain a line break",
                           q->path);
        if (qat_net(c, q, &cell, err) < 0)
            return qb_wrap(err, "--qat-checkpoint %s:%d=%s: ", q->scheme, q->bits, q->path);
        for (int s = 0; s < p->nnets; s++)
            if (!strcmp(p->nets[s].scheme, q->scheme)) {
                snprintf(cell.scheme, sizeof cell.scheme, "%s", q->scheme);
                cell.bits = q->bits;
                p->nets[s] = cell;
            }
    }
    return 0;
}

int probe_regime(const ProbeConfig *c, Provenance *p, Provenance *acts, QbErr *err)
{
    memset(p, 0, sizeof *p);
    if (strcspn(c->profile, " \t\n") != strlen(c->profile))
        return qb_fail(err, "--profile '%s': expected a profile name without spaces", c->profile);
    if (strchr(c->results, '\n') || strchr(c->ckpt, '\n'))
        return qb_fail(err, "--results and --checkpoint: paths must not contain a line break");
    snprintf(p->profile, sizeof p->profile, "%s", c->profile[0] ? c->profile : "none");
    snprintf(p->results, sizeof p->results, "%s", c->results[0] ? c->results : "none");
    snprintf(p->data, sizeof p->data, "%s", c->data);
    snprintf(p->net, sizeof p->net, "%s", c->net);
    snprintf(p->fp, sizeof p->fp, "%s", c->ckpt);
    *acts = *p;
    /* every QAT checkpoint is at one of the two widths (probe.c checks) and checked here */
    if (nets_at(c, c->error_bits, p, err) < 0)
        return -1;
    return nets_at(c, c->act_bits, acts, err);
}
