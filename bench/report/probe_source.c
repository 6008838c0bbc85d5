/* Reading a block-error claim's probe data, checked against the claims table's regime (see
 * probe_source.h). */
#include "probe_source.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/atomic_file.h"
#include "probe/provenance.h"

/* The suggested measurement's sample count: one batch of 1000 test images, as the
 * reference's block errors were measured (results/reference/probe/README.md); the probe's
 * default batch of 64 leaves a block's relative error noisier than the differences the
 * claim is about. */
#define CLAIM_PROBE_BATCH 1000

static void append(char *out, size_t cap, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void append(char *out, size_t cap, const char *fmt, ...)
{
    size_t at = strlen(out);
    if (at + 1 >= cap)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(out + at, cap - at, fmt, ap);
    va_end(ap);
}

/* "plots/data/block_error.dat" -> "plots/data" and "block_error.dat". */
static void split_path(const char *path, char *dir, size_t cap, const char **base)
{
    const char *slash = strrchr(path, '/');
    *base = slash ? slash + 1 : path;
    snprintf(dir, cap, "%.*s", slash ? (int)(slash - path) : 1, slash ? path : ".");
}

/* What measures the claim's block errors in this regime, appended to out. */
static void command(const BlockSource *s, char *out, size_t cap)
{
    const Experiment *e = s->e;
    const RunConfig *c = &e->base;
    char dir[512];
    const char *base;
    split_path(s->path, dir, sizeof dir, &base);
    if (s->by_position) {
        append(out, cap, "the reference's probe data is measured on the reference's cells as "
               "%s/README.md describes", dir);
        return;
    }
    if (!c->from[0]) {
        append(out, cap, "no probe run measures it in this regime: %s's profile %s trains from "
               "scratch (train.from: none), and the probe compares networks fine-tuned from a "
               "full-precision checkpoint with that checkpoint", e->name, s->profile);
        return;
    }
    char ca[1024], cb[1024];
    snprintf(ca, sizeof ca, "%s/%s/%s.ckpt", s->results, e->name, s->a->id[0]);
    snprintf(cb, sizeof cb, "%s/%s/%s.ckpt", s->results, e->name, s->b->id[0]);
    if (!file_exists(ca) || !file_exists(cb))
        append(out, cap, "first `make reproduce-%s PROFILE=%s RESULTS=%s` for the checkpoints "
               "of its cells, then ", e->name, s->profile, s->results);
    append(out, cap, "`make plots-probe PROFILE=%s RESULTS=%s PROBE_NET=%s PROBE_CKPT=%s "
           "PROBE_SCHEMES=%s,%s PROBE_FLAGS=\"--data %s", s->profile, s->results, s->net, c->from,
           s->method, s->versus, c->data);
    if (c->data_dir[0])
        append(out, cap, " --data-dir %s", c->data_dir);
    if (c->width != 1.0f)
        append(out, cap, " --width %g", c->width);
    append(out, cap, " --error-bits %d --batch %d\" PROBE_QAT=\"%s:%d=%s %s:%d=%s\"", s->bits,
           CLAIM_PROBE_BATCH, s->method, s->bits, ca, s->versus, s->bits, cb);
    if (strcmp(dir, "plots/data"))
        append(out, cap, " PROBE_DATA=%s", dir);
    append(out, cap, "`");
    if (strcmp(base, "block_error.dat"))
        append(out, cap, ", then copy %s/block_error.dat to %s", dir, s->path);
}

static void net_text(const ProvNet *n, char *out, size_t cap)
{
    if (!n)
        snprintf(out, cap, "not measured");
    else if (n->kind == PROV_UNTRAINED)
        snprintf(out, cap, "untrained quantizers");
    else if (n->kind == PROV_CELL)
        snprintf(out, cap, "cell %s/%s", n->experiment, n->cell);
    else
        snprintf(out, cap, "checkpoint %s", n->checkpoint);
}

/* "profile smoke, untrained quantizers, synth data, 8 samples" */
static void describe(const BlockSource *s, const ProbeHeader *h, char *out, size_t cap)
{
    const Provenance *p = &h->prov;
    const ProvNet *na = provenance_net(p, s->method, s->bits),
                  *nb = provenance_net(p, s->versus, s->bits);
    char ta[600], tb[600];
    net_text(na, ta, sizeof ta);
    net_text(nb, tb, sizeof tb);
    append(out, cap, "profile %s, ", p->profile);
    if (na && nb && na->kind == PROV_UNTRAINED && nb->kind == PROV_UNTRAINED)
        append(out, cap, "untrained quantizers");
    else
        append(out, cap, "%s: %s, %s: %s", s->method, ta, s->versus, tb);
    append(out, cap, ", %s data, %d samples", p->data, h->samples);
}

/* The seed whose two cells are the file's nets, or -1. The ids compared are the ones the
 * claims table reads at the claim's two matrix positions (net, scheme, bits) for that seed.
 * For your own results (grid_load) they are this build's cell ids. For the committed
 * reference (--by-position, grid_load_by_position) they are the ids of the reference's own
 * result files at those positions: the reference's ids follow the code that made it, not
 * this build's, and its probe data was measured on the checkpoints of exactly those cells
 * (results/reference/probe/README.md). A cell id names its experiment, net, scheme, bits and
 * seed and hashes its whole configuration, profile included, so an id found at the claim's
 * position is a match by matrix position that also pins the code and the training. The
 * results directory is not compared for the reference: its results and its probe data were
 * measured in a working results directory and committed together. */
static int matching_seed(const BlockSource *s, const ProvNet *na, const ProvNet *nb)
{
    if (strcmp(na->experiment, s->e->name) || strcmp(nb->experiment, s->e->name))
        return -1;
    for (int k = 0; k < s->e->nseeds; k++)
        if (s->a->id[k][0] && !strcmp(s->a->id[k], na->cell) && !strcmp(s->b->id[k], nb->cell))
            return k;
    return -1;
}

/* Whether one net is a trained cell's; otherwise why not, into out. */
static int net_usable(const ProvNet *n, const char *scheme, int bits, char *out, size_t cap)
{
    if (!n)
        snprintf(out, cap, "it measured no %s net at %d bits", scheme, bits);
    else if (n->kind == PROV_UNTRAINED)
        snprintf(out, cap, "its %s net has untrained quantizers, not a trained cell's", scheme);
    else if (n->kind == PROV_CHECKPOINT)
        snprintf(out, cap, "its %s net is the checkpoint %s, which no result file names as a "
                 "cell", scheme, n->checkpoint);
    return n && n->kind == PROV_CELL;
}

/* The first way the file's provenance differs from s's regime, appended to out ("" on
 * entry); 0 when it does not. */
static int mismatch(const BlockSource *s, const ProbeHeader *h, char *out, size_t cap)
{
    const Provenance *p = &h->prov;
    const RunConfig *c = &s->e->base;
    const ProvNet *na = provenance_net(p, s->method, s->bits),
                  *nb = provenance_net(p, s->versus, s->bits);
    if (h->bits != s->bits)
        return append(out, cap, "it is at %d bits, the claim at %d", h->bits, s->bits), 1;
    if (strcmp(p->profile, s->profile))
        return append(out, cap, "profile %s is not this table's (%s)", p->profile, s->profile), 1;
    if (!s->by_position && !paths_same(p->results, s->results))
        return append(out, cap, "the results directory %s is not this table's (%s)", p->results,
                        s->results), 1;
    if (strcmp(p->net, s->net) || strcmp(p->data, c->data))
        return append(out, cap, "%s on %s data is not the claim's %s on %s data", p->net,
                        p->data, s->net, c->data), 1;
    if (!c->from[0] || !paths_same(p->fp, c->from))
        return append(out, cap, "its full-precision net %s is not the checkpoint %s's cells "
                        "start from (%s)", p->fp, s->e->name, c->from[0] ? c->from : "none"), 1;
    if (!net_usable(na, s->method, s->bits, out, cap) || !net_usable(nb, s->versus, s->bits, out, cap))
        return 1;
    if (matching_seed(s, na, nb) >= 0)
        return 0;
    append(out, cap, "its cells %s/%s and %s/%s are not this table's %d-bit %s and %s cells of "
             "one seed (seed %lld: %s/%s and %s/%s)", na->experiment, na->cell, nb->experiment,
             nb->cell, s->bits, s->method, s->versus, s->e->seeds[0], s->e->name,
             s->a->id[0][0] ? s->a->id[0] : "(no result)", s->e->name,
             s->b->id[0][0] ? s->b->id[0] : "(no result)");
    return 1;
}

/* The index of `name` among the header's columns, or -1. */
static int column_of(const char *columns, const char *name)
{
    size_t n = strlen(name);
    int i = 0;
    for (const char *t = columns; *t; i++) {
        t += strspn(t, " \t");
        size_t len = strcspn(t, " \t");
        if (len == n && !strncmp(t, name, n))
            return i;
        t += len;
    }
    return -1;
}

/* One row's two relative errors (columns ia and ib); -1 with a located message. */
static int row_values(char *line, const char *path, int lineno, int ia, int ib, double *va,
                      double *vb, QbErr *err)
{
    char *save = NULL;
    int k = 0, want = ia > ib ? ia : ib;
    for (char *tok = strtok_r(line, " \t", &save); tok && k <= want;
         tok = strtok_r(NULL, " \t", &save), k++) {
        if (k != ia && k != ib)
            continue;
        char *end;
        double v = strtod(tok, &end);
        if (*end || end == tok || !isfinite(v))
            return qb_fail(err, "%s:%d: column %d: expected a finite number, got '%s'", path,
                           lineno, k + 1, tok);
        *(k == ia ? va : vb) = v;
    }
    return k > want ? 0 : qb_fail(err, "%s:%d: %d columns, expected at least %d", path, lineno,
                                  k, want + 1);
}

/* The rows after the header: method − versus per block. */
static int read_rows(FILE *f, const char *path, const ProbeHeader *h, int ia, int ib,
                     BlockDiff *d, QbErr *err)
{
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    double sum = 0, sa = 0, sb = 0;
    int rc = 0, lineno = h->next_line;
    memset(d, 0, sizeof *d);
    d->lo = INFINITY, d->hi = -INFINITY;
    for (; rc == 0 && (len = getline(&line, &cap, f)) >= 0; lineno++) {
        line[strcspn(line, "\r\n")] = '\0';
        if (!line[strspn(line, " \t")])
            continue;   /* a blank line separates data sets for gnuplot; no row */
        double va, vb;
        if (line[0] == '#')
            rc = qb_fail(err, "%s:%d: a '#' line among the rows", path, lineno);
        else if ((rc = row_values(line, path, lineno, ia, ib, &va, &vb, err)) == 0) {
            double diff = va - vb;
            d->lo = fmin(d->lo, diff), d->hi = fmax(d->hi, diff);
            sum += diff, sa += va, sb += vb, d->n++;
        }
    }
    free(line);
    if (rc == 0 && !d->n)
        rc = qb_fail(err, "%s: no rows after the header", path);
    if (rc == 0)
        d->mean = sum / d->n, d->a = sa / d->n, d->b = sb / d->n;
    return rc;
}

/* The header read and checked; 1 when the file is s's regime, else 0 with why. */
static int header_check(const BlockSource *s, FILE *f, ProbeHeader *h, char *why, size_t cap)
{
    QbErr err = {{0}};
    char detail[1024] = "", what[1400] = "";
    if (provenance_read(h, f, s->path, &err) < 0) {
        append(why, cap, "%s; regenerate it: ", err.msg);
        return 0;
    }
    if (!h->has_provenance) {
        append(why, cap, "%s has no provenance (written before the probe recorded which cells "
               "it measured); regenerate it: ", s->path);
        return 0;
    }
    if (!mismatch(s, h, detail, sizeof detail))
        return 1;
    describe(s, h, what, sizeof what);
    append(why, cap, "%s was measured on %s: %s; measure it for this table: ", s->path, what,
           detail);
    return 0;
}

int probe_source_open(const BlockSource *s, FILE **f, ProbeHeader *h, char *why, size_t cap)
{
    why[0] = '\0';
    memset(h, 0, sizeof *h);
    if (!(*f = fopen(s->path, "r")))
        append(why, cap, "%s: no probe data; ", s->path);
    else if (header_check(s, *f, h, why, cap))
        return 1;
    probe_source_close(*f, h);
    *f = NULL;
    command(s, why, cap);
    return 0;
}

void probe_source_close(FILE *f, ProbeHeader *h)
{
    if (f)
        fclose(f);
    provenance_header_free(h);
}

int probe_column(const ProbeHeader *h, const char *name)
{
    return column_of(h->columns, name);
}

int block_source_read(const BlockSource *s, BlockDiff *d, char *why, size_t cap)
{
    ProbeHeader h;
    QbErr err = {{0}};
    char ca[64], cb[64];
    FILE *f;
    if (!probe_source_open(s, &f, &h, why, cap))
        return 0;
    snprintf(ca, sizeof ca, "%s_rel", s->method);
    snprintf(cb, sizeof cb, "%s_rel", s->versus);
    int ia = column_of(h.columns, ca), ib = column_of(h.columns, cb), ok = 1;
    if (ia < 0 || ib < 0) {
        append(why, cap, "%s:1: no %s column; regenerate it: ", s->path, ia < 0 ? ca : cb);
        ok = 0;
    } else if (read_rows(f, s->path, &h, ia, ib, d, &err) < 0) {
        append(why, cap, "%s; regenerate it: ", err.msg);
        ok = 0;
    }
    probe_source_close(f, &h);
    if (!ok)
        command(s, why, cap);
    return ok;
}
