#include "cell.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <zlib.h>

#include "core/quantizer.h"
#include "core/atomic_file.h"
#include "core/grow.h"
#include "core/data/dataset.h"
#include "core/json.h"
#include "core/layers/layers.h"
#include "nets/registry.h"
#include "run/run.h"
#include "run/conventions.h"
#include "run/source_hashes.h"
#include "chain.h"

/* What the data set contributes: shapes for the net and a content fingerprint. */
typedef struct {
    char key[700];
    Dims dims;
    int classes, train_count, test_count;
    uint64_t fingerprint;
} DataInfo;

/* What a starting checkpoint contributes: its size and CRC. */
typedef struct {
    char path[RUN_PATH_MAX];
    uint32_t crc;
    long size;
} FromInfo;

/* Each data set and starting checkpoint the cells read, fingerprinted once. */
typedef struct {
    DataInfo *data;
    int ndata, cap_data;
    FromInfo *from;
    int nfrom, cap_from;
} FingerprintCache;

/* A missing data set's error ends with what its files hold and the command that lists them. */
static const char *data_hint(const char *format, char *out, size_t cap)
{
    DataFiles files;
    QbErr ignored;
    if (dataset_files(format, NULL, &files, &ignored) == 0 && files.expected)
        snprintf(out, cap, "expected %s; `qbench needs FILE --profile P` lists every "
                 "missing input and where it goes", files.expected);
    else
        snprintf(out, cap, "`qbench needs FILE --profile P` lists every missing input");
    return out;
}

static int data_info(const Experiment *e, const RunConfig *c, FingerprintCache *fc,
                     const DataInfo **out, QbErr *err)
{
    char key[700];
    snprintf(key, sizeof key, "%s|%s|%dx%dx%d|%d", c->data, c->data_dir, c->input.c, c->input.h,
             c->input.w, c->classes);
    for (int i = 0; i < fc->ndata; i++)
        if (!strcmp(fc->data[i].key, key))
            return *out = &fc->data[i], 0;
    DataOptions opt = {0};
    opt.dims = c->input;
    opt.classes = c->classes;
    Dataset tr, te;
    const char *dir = c->data_dir[0] ? c->data_dir : NULL;
    int rc = dataset_open_opts(&tr, c->data, dir, &opt, DATA_TRAIN, err);
    if (rc == 0 && dataset_open_opts(&te, c->data, dir, &opt, DATA_TEST, err) < 0) {
        dataset_free(&tr);
        rc = -1;
    }
    if (rc < 0) {
        char why[sizeof err->msg], hint[512];
        snprintf(why, sizeof why, "%s", err->msg);
        return qb_fail(err, "%s (profile %s): the %s data set is missing or unreadable: %.400s; %s",
                       e->path, e->profile[0] ? e->profile : "none", c->data, why,
                       data_hint(c->data, hint, sizeof hint));
    }
    DataInfo *d = GROW_PUSH(fc->data, fc->ndata, fc->cap_data);
    QB_ASSERT(d); /* at most one per cell */
    snprintf(d->key, sizeof d->key, "%s", key);
    d->dims = tr.dims;
    d->classes = tr.classes;
    d->train_count = tr.count;
    d->test_count = te.count;
    d->fingerprint = tr.fingerprint * 1000003u ^ te.fingerprint;
    dataset_free(&tr);
    dataset_free(&te);
    *out = d;
    return 0;
}

static int from_info(const Experiment *e, const char *path, FingerprintCache *fc, char *out,
                     size_t cap, QbErr *err)
{
    int i = 0;
    while (i < fc->nfrom && strcmp(fc->from[i].path, path))
        i++;
    if (i == fc->nfrom) {
        char *bytes;
        size_t n;
        if (file_read_all(path, &bytes, &n, err) < 0)
            return qb_wrap(err, "%s (profile %s): train.from: the starting checkpoint is missing "
                                "(`qbench needs FILE --profile P` says how to get it): ",
                           e->path, e->profile[0] ? e->profile : "none");
        FromInfo *f = GROW_PUSH(fc->from, fc->nfrom, fc->cap_from);
        QB_ASSERT(f); /* at most one per cell */
        snprintf(f->path, sizeof f->path, "%s", path);
        f->crc = (uint32_t)crc32(0L, (const Bytef *)bytes, (uInt)n);
        f->size = (long)n;
        free(bytes);
    }
    snprintf(out, cap, "%ld:%08x", fc->from[i].size, fc->from[i].crc);
    return 0;
}

/* Every method the net uses must be in the hash table, or its cells could not retrain when
 * it is edited. */
static int sources_known(const Net *net, const SourceHashes *h, QbErr *err)
{
    for (int i = 0; i < net->nlayers; i++) {
        const Quantizer *q[2] = {layer_weight_quantizer(&net->layers[i]),
                                 layer_input_quantizer(&net->layers[i])};
        for (int k = 0; k < 2; k++)
            if (q[k] && !source_hash_of(h, q[k]->ops))
                return qb_fail(err, "method %s has no source hash: define its QuantizerOps at "
                                    "file scope as `const QuantizerOps NAME_ops = {...};` in "
                                    "quantizers/ (bench/scripts/source-hashes.sh looks for that)",
                               q[k]->ops->name);
    }
    return 0;
}

static uint64_t fnv1a(const char *s)
{
    uint64_t h = 1469598103934665603ull;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return h;
}

void cell_from_path(const char *tmpl, const char *net, char *out, size_t cap)
{
    const char *at = strstr(tmpl, "{net}");
    if (at)
        snprintf(out, cap, "%.*s%s%s", (int)(at - tmpl), tmpl, net, at + 5);
    else
        snprintf(out, cap, "%s", tmpl);
}

/* An experiment's method options go to the cells whose methods they reach, so one file (or a
 * profile) can set PACT's and APoT's options beside LSQ and full-precision cells, whose
 * configurations and ids stay those of the file without them. */
static void cell_options_scope(RunConfig *c)
{
    SchemeOptions so = run_scheme_options(c);
    int kept = 0;
    for (int i = 0; i < c->nqopts; i++)
        if (c->scheme[0] && scheme_option_reaches(c->scheme, &so, c->qopts[i].name))
            c->qopts[kept++] = c->qopts[i];
    c->nqopts = kept;
}

/* Every option the file sets must reach some cell, or it would be silently ignored. */
static int options_reach_cells(const Experiment *e, const RunConfig *c, const CellList *l,
                               QbErr *err)
{
    for (int i = 0; i < c->nqopts; i++) {
        int reached = 0;
        for (int k = 0; k < l->n && !reached; k++)
            reached = runcfg_option_index(&l->cells[k].cfg, c->qopts[i].name) <
                      l->cells[k].cfg.nqopts;
        if (!reached)
            return qb_fail(err, "%s (profile %s): quant.options.%s: no method of the cells' "
                                "schemes declares this option (qbench schema --options lists "
                                "each method's)", e->path, e->profile[0] ? e->profile : "none",
                           c->qopts[i].name);
    }
    return 0;
}

static int cells_options_check(const Experiment *e, const CellList *l, QbErr *err)
{
    if (options_reach_cells(e, &e->base, l, err) < 0)
        return -1;
    for (int i = 0; i < e->nlink_configs; i++)
        if (options_reach_cells(e, &e->link_configs[i].cfg, l, err) < 0)
            return -1;
    return 0;
}

static void cell_config(const Experiment *e, const char *net, const char *scheme, int bits,
                        long long seed, Cell *cell)
{
    memset(cell, 0, sizeof *cell);
    snprintf(cell->net, sizeof cell->net, "%s", net);
    snprintf(cell->scheme, sizeof cell->scheme, "%s", scheme);
    int fp = scheme_is_fp(scheme);
    cell->bits = fp ? 0 : bits;
    cell->seed = seed;
    cell->parent = -1;
    runcfg_copy(&cell->cfg, chain_base(e, scheme, cell->bits));
    snprintf(cell->cfg.net, sizeof cell->cfg.net, "%s", net);
    cell_from_path(e->base.from, net, cell->cfg.from, sizeof cell->cfg.from);
    if (cell->bits && chain_parent_bits(e, scheme, cell->bits))
        cell->cfg.from[0] = '\0';  /* the parent's checkpoint, known when the cell runs */
    snprintf(cell->cfg.scheme, sizeof cell->cfg.scheme, "%s", fp ? "" : scheme);
    cell->cfg.wbits = cell->cfg.abits = cell->bits;
    cell->cfg.seed = (uint64_t)seed;
    cell_options_scope(&cell->cfg);
}

/* Builds the cell's net (validating it), its conventions, identity and id. A chained cell's
 * identity holds its parent's id instead of a starting checkpoint's fingerprint, so that
 * anything that changes the parent changes every cell after it. */
static int cell_identify(const Experiment *e, Cell *cell, const Cell *parent, FingerprintCache *fc,
                         const SourceHashes *h, QbErr *err)
{
    const DataInfo *d = NULL;
    char from[64] = "";
    if (data_info(e, &cell->cfg, fc, &d, err) < 0 ||
        (cell->cfg.from[0] && from_info(e, cell->cfg.from, fc, from, sizeof from, err) < 0))
        return -1;
    Net net;
    if (run_net_build(&cell->cfg, d->dims, d->classes, &net, err) < 0 ||
        sources_known(&net, h, err) < 0) {
        net_free(&net);
        return qb_wrap(err, "%s (profile %s): cell %s/%s/%d bits/seed %lld: ", e->path,
                       e->profile[0] ? e->profile : "none", cell->net, cell->scheme, cell->bits,
                       cell->seed);
    }
    cell->conventions = conventions_json(&net, h);
    cell->input = d->dims;
    cell->classes = d->classes;
    cell->train_count = d->train_count;
    cell->test_count = d->test_count;
    net_free(&net);
    JsonW w;
    char fpr[32];
    jw_init(&w, 0);
    jw_obj(&w, NULL);
    runcfg_identity_json(&cell->cfg, &w, "config");
    jw_raw(&w, "conventions", cell->conventions);
    jw_int(&w, "core_numerics", QB_CORE_NUMERICS_VERSION);
    snprintf(fpr, sizeof fpr, "%016llx", (unsigned long long)d->fingerprint);
    jw_str(&w, "data_fingerprint", fpr);
    jw_str(&w, "from_fingerprint", from);
    if (parent)
        jw_str(&w, "parent", parent->id);
    if (parent && cell->from_best)
        jw_str(&w, "parent_epoch", "best");
    jw_obj_end(&w);
    cell->identity = w.buf;
    char bits[32] = "";
    if (cell->bits)
        snprintf(bits, sizeof bits, "_%db", cell->bits);
    if (parent)
        snprintf(bits + strlen(bits), sizeof bits - strlen(bits), "_from%db", parent->bits);
    snprintf(cell->id, sizeof cell->id, "%s_%s%s_s%lld_%012llx", cell->net, cell->scheme, bits,
             cell->seed, (unsigned long long)(fnv1a(cell->identity) >> 16));
    return 0;
}

static void cell_add(const Experiment *e, CellList *l, const char *net, const char *scheme,
                     int bits, long long seed)
{
    l->cells = realloc(l->cells, sizeof *l->cells * (size_t)(l->n + 1));
    QB_ASSERT(l->cells);
    cell_config(e, net, scheme, bits, seed, &l->cells[l->n++]);
}

/* Parents before children: a child's identity holds its parent's id. */
static int cells_identify(const Experiment *e, CellList *l, const SourceHashes *h, QbErr *err)
{
    FingerprintCache fc = {0};
    int links = 0, rc = 0;
    for (int i = 0; i < e->nchains; i++)
        links = e->chains[i].nbits > links ? e->chains[i].nbits : links;
    for (int link = -1; rc == 0 && link < links; link++)
        for (int i = 0; rc == 0 && i < l->n; i++) {
            Cell *c = &l->cells[i];
            if ((c->bits ? chain_link(e, c->scheme, c->bits) : -1) == link)
                rc = cell_identify(e, c, c->parent >= 0 ? &l->cells[c->parent] : NULL, &fc, h,
                                   err);
        }
    GROW_FREE(fc.data, fc.ndata, fc.cap_data);
    GROW_FREE(fc.from, fc.nfrom, fc.cap_from);
    return rc;
}

int cells_expand(const Experiment *e, CellList *out, QbErr *err)
{
    SourceHashes h = source_hashes_built();
    return cells_expand_hashed(e, &h, out, err);
}

void cells_enumerate(const Experiment *e, CellList *out)
{
    memset(out, 0, sizeof *out);
    if (e->layout == LAYOUT_COST)
        return;
    for (int n = 0; n < e->nnets; n++)
        for (int s = 0; s < e->nschemes; s++) {
            int fp = scheme_is_fp(e->schemes[s]);
            for (int b = 0; b < (fp ? 1 : e->nbits); b++)
                for (int k = 0; k < e->nseeds; k++) {
                    int bits = fp ? 0 : e->bits[b];
                    if (!experiment_excluded(e, e->nets[n], e->schemes[s], bits))
                        cell_add(e, out, e->nets[n], e->schemes[s], bits, e->seeds[k]);
                }
        }
    chain_link_cells(e, out);
}

int cells_expand_hashed(const Experiment *e, const SourceHashes *h, CellList *out, QbErr *err)
{
    cells_enumerate(e, out);
    if (cells_options_check(e, out, err) < 0 || cells_identify(e, out, h, err) < 0)
        return cells_free(out), -1;
    return 0;
}

void cells_free(CellList *l)
{
    for (int i = 0; i < l->n; i++) {
        free(l->cells[i].identity);
        free(l->cells[i].conventions);
        runcfg_free(&l->cells[i].cfg);
    }
    free(l->cells);
    memset(l, 0, sizeof *l);
}

const Cell *cells_find(const CellList *l, const char *id)
{
    for (int i = 0; i < l->n; i++)
        if (!strcmp(l->cells[i].id, id))
            return &l->cells[i];
    return NULL;
}

int cells_check(const Experiment *e, int *count, QbErr *err)
{
    *count = 0;
    if (e->layout == LAYOUT_COST)
        return 0;
    CellList all;
    cells_enumerate(e, &all);
    int rc = cells_options_check(e, &all, err);
    cells_free(&all);
    if (rc < 0)
        return -1;
    for (int n = 0; n < e->nnets; n++)
        for (int s = 0; s < e->nschemes; s++) {
            int fp = scheme_is_fp(e->schemes[s]);
            for (int b = 0; b < (fp ? 1 : e->nbits); b++) {
                int bits = fp ? 0 : e->bits[b];
                if (experiment_excluded(e, e->nets[n], e->schemes[s], bits))
                    continue;
                Cell cell;
                cell_config(e, e->nets[n], e->schemes[s], bits, e->seeds[0], &cell);
                const NetEntry *ne = net_entry(cell.net);
                Dims in = cell.cfg.input.c ? cell.cfg.input : ne->input;
                Net net;
                int rc = run_net_build(&cell.cfg, in, cell.cfg.classes ? cell.cfg.classes : ne->classes,
                                       &net, err);
                net_free(&net);
                runcfg_free(&cell.cfg);
                if (rc < 0)
                    return qb_wrap(err, "%s (profile %s): cell %s/%s/%d bits: ", e->path,
                                   e->profile[0] ? e->profile : "none", cell.net, cell.scheme, bits);
                *count += e->nseeds;
            }
        }
    return 0;
}
