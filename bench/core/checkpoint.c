#include "checkpoint.h"

#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "atomic_file.h"

static const char ckpt_magic[8] = {'Q', 'B', 'C', 'K', 'P', 'T', '\r', '\n'};

enum { TK_PARAM = 0, TK_STATE = 1, TK_BUFFER = 2 };

/* Growing byte buffer for serialisation. */
typedef struct {
    unsigned char *p;
    size_t n, cap;
} Bytes;

static void put(Bytes *b, const void *src, size_t n)
{
    if (b->n + n > b->cap) {
        size_t cap = b->cap ? b->cap : 1 << 20;
        while (cap < b->n + n)
            cap *= 2;
        b->p = realloc(b->p, cap);
        QB_ASSERT(b->p);
        b->cap = cap;
    }
    memcpy(b->p + b->n, src, n);
    b->n += n;
}

static void put_u32(Bytes *b, uint32_t v) { put(b, &v, 4); }
static void put_i64(Bytes *b, int64_t v) { put(b, &v, 8); }

static void put_text(Bytes *b, const char *s)
{
    uint32_t n = s ? (uint32_t)strlen(s) : 0;
    put_u32(b, n);
    put(b, s ? s : "", n);
}

static void put_tensor(Bytes *b, uint8_t kind, const char *name, int ndim, const int *shape,
                       const float *d1, const float *d2, size_t numel)
{
    uint16_t len = (uint16_t)strlen(name);
    uint8_t nd = (uint8_t)ndim;
    uint64_t total = d2 ? 2 * numel : numel;
    put(b, &kind, 1);
    put(b, &len, 2);
    put(b, name, len);
    put(b, &nd, 1);
    for (int i = 0; i < ndim; i++)
        put_u32(b, (uint32_t)shape[i]);
    put(b, &total, 8);
    put(b, d1, numel * sizeof(float));
    if (d2)
        put(b, d2, numel * sizeof(float));
}

static int count_tensors(const Net *net, int with_state)
{
    return net->nparams * (with_state ? 2 : 1) + net->nbuffers;
}

int checkpoint_save(const char *path, const Net *net, const Optimizer *opt, const CkptMeta *meta,
                    QbErr *err)
{
    Bytes b = {0};
    put(&b, ckpt_magic, 8);
    put_u32(&b, CKPT_VERSION);
    put_u32(&b, (uint32_t)count_tensors(net, opt != NULL));
    put_i64(&b, meta ? meta->epoch : 0);
    put_i64(&b, meta ? meta->step : 0);
    put_i64(&b, opt ? opt->step : 0);
    put_i64(&b, meta ? (int64_t)meta->seed : 0);
    put_text(&b, meta ? meta->config : NULL);
    put_text(&b, meta ? meta->metrics : NULL);
    put_text(&b, meta ? meta->record : NULL);
    for (int i = 0; i < net->nparams; i++) {
        const Param *p = &net->params[i];
        put_tensor(&b, TK_PARAM, p->name, p->ndim, p->shape, p->w, NULL, p->numel);
        if (opt)
            put_tensor(&b, TK_STATE, p->name, p->ndim, p->shape, p->state,
                       p->state + net->groups[p->group].n, p->numel);
    }
    for (int i = 0; i < net->nbuffers; i++) {
        const Buffer *bf = &net->buffers[i];
        int n = (int)bf->numel;
        put_tensor(&b, TK_BUFFER, bf->name, 1, &n, bf->data, NULL, bf->numel);
    }
    put_u32(&b, (uint32_t)crc32(0L, b.p, (uInt)b.n));
    int rc = atomic_write(path, b.p, b.n, err);
    free(b.p);
    return rc;
}

/* Bounds-checked reader over the loaded file. */
typedef struct {
    const unsigned char *p;
    size_t n, at;
    const char *path;
} Reader;

static int take(Reader *r, void *dst, size_t n, const char *what, QbErr *err)
{
    if (n > r->n - r->at)
        return qb_fail(err, "%s: truncated checkpoint: %s needs %zu bytes at offset %zu, file has %zu",
                       r->path, what, n, r->at, r->n);
    memcpy(dst, r->p + r->at, n);
    r->at += n;
    return 0;
}

static int take_text(Reader *r, char **out, const char *what, QbErr *err)
{
    uint32_t n = 0;
    if (take(r, &n, 4, what, err) < 0)
        return -1;
    if (n > r->n - r->at)
        return qb_fail(err, "%s: %s length %u exceeds the file", r->path, what, n);
    if (out) {
        *out = malloc((size_t)n + 1);
        QB_ASSERT(*out);
        memcpy(*out, r->p + r->at, n);
        (*out)[n] = '\0';
    }
    r->at += n;
    return 0;
}

typedef struct {
    uint8_t kind;
    char name[PARAM_NAME_MAX];
    int ndim, shape[8];
    uint64_t numel;
    const float *data; /* unaligned view: copied with memcpy */
} TensorRec;

static int take_tensor(Reader *r, TensorRec *t, QbErr *err)
{
    uint16_t len = 0;
    uint8_t nd = 0;
    if (take(r, &t->kind, 1, "tensor kind", err) < 0 || take(r, &len, 2, "name length", err) < 0)
        return -1;
    if (t->kind > TK_BUFFER || len == 0 || len >= PARAM_NAME_MAX)
        return qb_fail(err, "%s: corrupt tensor record at offset %zu (kind %u, name length %u)",
                       r->path, r->at, t->kind, len);
    if (take(r, t->name, len, "tensor name", err) < 0 || take(r, &nd, 1, "ndim", err) < 0)
        return -1;
    t->name[len] = '\0';
    if (nd > 8)
        return qb_fail(err, "%s: tensor %s has %u dimensions (at most 8)", r->path, t->name, nd);
    t->ndim = nd;
    for (int i = 0; i < nd; i++) {
        uint32_t s = 0;
        if (take(r, &s, 4, "shape", err) < 0)
            return -1;
        t->shape[i] = (int)s;
    }
    if (take(r, &t->numel, 8, "element count", err) < 0)
        return -1;
    if (t->numel > (r->n - r->at) / sizeof(float))
        return qb_fail(err, "%s: tensor %s claims %llu floats, only %zu bytes remain", r->path,
                       t->name, (unsigned long long)t->numel, r->n - r->at);
    t->data = (const float *)(r->p + r->at);
    r->at += t->numel * sizeof(float);
    return 0;
}

static void shape_str(char *buf, size_t n, int ndim, const int *shape)
{
    size_t at = 0;
    buf[0] = '\0';
    for (int i = 0; i < ndim && at < n; i++)
        at += (size_t)snprintf(buf + at, n - at, i ? "x%d" : "%d", shape[i]);
    if (ndim == 0)
        snprintf(buf, n, "scalar");
}

static int same_shape(const TensorRec *t, int ndim, const int *shape)
{
    if (t->ndim != ndim)
        return 0;
    for (int i = 0; i < ndim; i++)
        if (t->shape[i] != shape[i])
            return 0;
    return 1;
}

static int shape_mismatch(const char *path, const TensorRec *t, int ndim, const int *shape,
                          QbErr *err)
{
    char a[64], b[64];
    shape_str(a, sizeof a, t->ndim, t->shape);
    shape_str(b, sizeof b, ndim, shape);
    return qb_fail(err, "%s: tensor %s has shape %s in the checkpoint but %s in the network",
                   path, t->name, a, b);
}

/* Copies one record into the matching net tensor; marks it seen. */
static int apply_record(const char *path, Net *net, Optimizer *opt, const TensorRec *t,
                        unsigned char *seen_p, unsigned char *seen_b, QbErr *err)
{
    if (t->kind == TK_BUFFER) {
        for (int i = 0; i < net->nbuffers; i++) {
            Buffer *b = &net->buffers[i];
            if (strcmp(b->name, t->name))
                continue;
            int n = (int)b->numel;
            if (!same_shape(t, 1, &n))
                return shape_mismatch(path, t, 1, &n, err);
            memcpy(b->data, t->data, b->numel * sizeof(float));
            seen_b[i] = 1;
            return 0;
        }
        return qb_fail(err, "%s: checkpoint buffer %s does not exist in this network", path,
                       t->name);
    }
    for (int i = 0; i < net->nparams; i++) {
        Param *p = &net->params[i];
        if (strcmp(p->name, t->name))
            continue;
        if (!same_shape(t, p->ndim, p->shape))
            return shape_mismatch(path, t, p->ndim, p->shape, err);
        if (t->kind == TK_PARAM) {
            memcpy(p->w, t->data, p->numel * sizeof(float));
            seen_p[i] = 1;
        } else if (opt) {
            if (t->numel != 2 * p->numel)
                return qb_fail(err, "%s: optimizer state of %s has %llu floats, expected %zu",
                               path, t->name, (unsigned long long)t->numel, 2 * p->numel);
            memcpy(p->state, t->data, p->numel * sizeof(float));
            memcpy(p->state + net->groups[p->group].n, t->data + p->numel,
                   p->numel * sizeof(float));
        }
        return 0;
    }
    return qb_fail(err, "%s: checkpoint tensor %s does not exist in this network", path, t->name);
}

/* Quantizer parameters and state are named "<layer>.wq.*" / "<layer>.aq.*". */
static int is_quantizer_tensor(const char *name)
{
    return strstr(name, ".wq.") || strstr(name, ".aq.");
}

static int check_complete(const char *path, const Net *net, const unsigned char *seen_p,
                          const unsigned char *seen_b, CkptMode mode, QbErr *err)
{
    for (int i = 0; i < net->nparams; i++)
        if (!seen_p[i] && (mode == CKPT_RESUME || !is_quantizer_tensor(net->params[i].name)))
            return qb_fail(err, "%s: network tensor %s is missing from the checkpoint", path,
                           net->params[i].name);
    for (int i = 0; i < net->nbuffers; i++)
        if (!seen_b[i] && (mode == CKPT_RESUME || !is_quantizer_tensor(net->buffers[i].name)))
            return qb_fail(err, "%s: network buffer %s is missing from the checkpoint", path,
                           net->buffers[i].name);
    return 0;
}

static int read_header(Reader *r, uint32_t *ntensors, CkptMeta *m, int64_t *opt_step, QbErr *err)
{
    char magic[8];
    uint32_t version = 0;
    int64_t seed = 0;
    if (take(r, magic, 8, "magic", err) < 0)
        return -1;
    if (memcmp(magic, ckpt_magic, 8))
        return qb_fail(err, "%s: not a qbench checkpoint (bad magic number)", r->path);
    if (take(r, &version, 4, "version", err) < 0)
        return -1;
    if (version < 1 || version > CKPT_VERSION)
        return qb_fail(err, "%s: checkpoint format version %u, this qbench reads versions 1 to %d",
                       r->path, version, CKPT_VERSION);
    m->version = version;
    if (take(r, ntensors, 4, "tensor count", err) < 0 || take(r, &m->epoch, 8, "epoch", err) < 0 ||
        take(r, &m->step, 8, "step", err) < 0 || take(r, opt_step, 8, "optimizer step", err) < 0 ||
        take(r, &seed, 8, "seed", err) < 0)
        return -1;
    m->seed = (uint64_t)seed;
    if (take_text(r, &m->config, "config", err) < 0 || take_text(r, &m->metrics, "metrics", err) < 0)
        return -1;
    if (version >= 2 && take_text(r, &m->record, "model record", err) < 0)
        return -1;
    if (m->record && !m->record[0]) { /* written without one (a test's, a probe's) */
        free(m->record);
        m->record = NULL;
    }
    return 0;
}

static int verify_checksum(const char *path, const unsigned char *p, size_t n, QbErr *err)
{
    if (n < 12)
        return qb_fail(err, "%s: truncated checkpoint (%zu bytes)", path, n);
    uint32_t stored;
    memcpy(&stored, p + n - 4, 4);
    uint32_t actual = (uint32_t)crc32(0L, p, (uInt)(n - 4));
    if (stored != actual)
        return qb_fail(err, "%s: checksum mismatch (stored %08x, computed %08x): the file is "
                            "corrupt or truncated", path, stored, actual);
    return 0;
}

/* Reads the whole file into *data (the caller frees it, also on error), checks its checksum
 * and reads the header; r is left at the first tensor. */
static int open_checkpoint(const char *path, char **data, Reader *r, CkptMeta *m,
                           uint32_t *ntensors, int64_t *opt_step, QbErr *err)
{
    size_t n;
    *data = NULL;
    if (file_read_all(path, data, &n, err) < 0)
        return -1;
    *r = (Reader){(const unsigned char *)*data, n >= 4 ? n - 4 : 0, 0, path};
    if (verify_checksum(path, r->p, n, err) < 0)
        return -1;
    return read_header(r, ntensors, m, opt_step, err);
}

int checkpoint_load(const char *path, Net *net, Optimizer *opt, CkptMeta *meta, CkptMode mode,
                    QbErr *err)
{
    char *data;
    Reader r;
    CkptMeta m = {0};
    int64_t opt_step = 0;
    uint32_t nt = 0;
    unsigned char *seen_p = calloc((size_t)net->nparams + 1, 1);
    unsigned char *seen_b = calloc((size_t)net->nbuffers + 1, 1);
    QB_ASSERT(seen_p && seen_b);
    int rc = open_checkpoint(path, &data, &r, &m, &nt, &opt_step, err);
    for (uint32_t i = 0; rc == 0 && i < nt; i++) {
        TensorRec t;
        rc = take_tensor(&r, &t, err);
        if (rc == 0)
            rc = apply_record(path, net, mode == CKPT_RESUME ? opt : NULL, &t, seen_p, seen_b, err);
    }
    if (rc == 0 && r.at != r.n)
        rc = qb_fail(err, "%s: %zu unexpected bytes after the last tensor", path, r.n - r.at);
    if (rc == 0)
        rc = check_complete(path, net, seen_p, seen_b, mode, err);
    if (rc == 0 && opt && mode == CKPT_RESUME)
        opt->step = opt_step;
    free(seen_p);
    free(seen_b);
    free(data);
    if (rc == 0 && meta)
        *meta = m;
    else
        ckpt_meta_free(&m);
    return rc;
}

int checkpoint_read_meta(const char *path, CkptMeta *meta, QbErr *err)
{
    char *data;
    Reader r;
    CkptMeta m = {0};
    int64_t opt_step = 0;
    uint32_t nt = 0;
    int rc = open_checkpoint(path, &data, &r, &m, &nt, &opt_step, err);
    free(data);
    if (rc == 0)
        *meta = m;
    else
        ckpt_meta_free(&m);
    return rc;
}

void ckpt_meta_free(CkptMeta *meta)
{
    free(meta->config);
    free(meta->metrics);
    free(meta->record);
    meta->config = meta->metrics = meta->record = NULL;
}
