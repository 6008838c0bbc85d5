/* fmnist: the gzip'd idx files of (Fashion-)MNIST, read with zlib. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <zlib.h>

#include "formats.h"

enum { IDX_IMAGES = 0x00000803, IDX_LABELS = 0x00000801 };

/* Per split, images then labels. */
const char *const idx_files[] = {"train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
                                 "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz", NULL};

typedef struct {
    gzFile gz;
    char path[1024];
} IdxFile;

static int idx_open_file(IdxFile *f, const DataRequest *r, int which, QbErr *err)
{
    snprintf(f->path, sizeof f->path, "%s/%s", r->dir, idx_files[2 * (r->split == DATA_TEST) + which]);
    errno = 0;
    f->gz = gzopen(f->path, "rb");
    if (!f->gz)
        return data_missing(err, f->path, r->hint);
    gzbuffer(f->gz, 1 << 18);
    return 0;
}

/* zlib's message without the "<path>: " it prepends. */
static const char *idx_zerror(IdxFile *f, int *code)
{
    const char *msg = gzerror(f->gz, code);
    size_t n = strlen(f->path);
    return strncmp(msg, f->path, n) == 0 && strncmp(msg + n, ": ", 2) == 0 ? msg + n + 2 : msg;
}

/* A damaged stream (bad deflate data, CRC) is corrupt; one that ends early is truncated. */
static int idx_fail(IdxFile *f, size_t want, size_t got, const char *what, QbErr *err)
{
    int code = Z_OK;
    const char *msg = idx_zerror(f, &code);
    if (code != Z_OK && code != Z_BUF_ERROR)
        return qb_fail(err, "%s: corrupt (zlib: %s)", f->path, msg);
    if (code == Z_BUF_ERROR && got >= want)
        return qb_fail(err, "%s: truncated: the gzip stream ends inside its trailer", f->path);
    if (code == Z_BUF_ERROR)
        return qb_fail(err, "%s: truncated: expected %zu bytes of %s, got %zu (zlib: %s)",
                       f->path, want, what, got, msg);
    if (got > want)
        return qb_fail(err, "%s: longer than its header says (%zu data bytes expected)", f->path,
                       want);
    return qb_fail(err, "%s: truncated: expected %zu bytes of %s, got %zu", f->path, want, what,
                   got);
}

/* Reads exactly n bytes, or fails naming what was expected and what arrived. */
static int idx_read(IdxFile *f, void *buf, size_t n, const char *what, QbErr *err)
{
    size_t got = 0;
    while (got < n) {
        unsigned chunk = n - got > (1u << 30) ? 1u << 30 : (unsigned)(n - got);
        int k = gzread(f->gz, (char *)buf + got, chunk);
        if (k <= 0)
            break;
        got += (size_t)k;
    }
    return got == n ? 0 : idx_fail(f, n, got, what, err);
}

/* The end of the data must be the end of the file; reading on also makes zlib check the
 * gzip trailer's CRC, and closing tells whether the stream stopped inside its trailer. */
static int idx_expect_end(IdxFile *f, size_t body, QbErr *err)
{
    char extra;
    int k = gzread(f->gz, &extra, 1);
    if (k != 0)
        return idx_fail(f, body, body + (k > 0), "data", err);
    int rc = gzclose_r(f->gz);
    f->gz = NULL;
    if (rc != Z_OK)
        return qb_fail(err, "%s: truncated: the gzip stream ends inside its trailer", f->path);
    return 0;
}

static unsigned idx_u32(const unsigned char *p)
{
    return (unsigned)p[0] << 24 | (unsigned)p[1] << 16 | (unsigned)p[2] << 8 | p[3];
}

/* Header: magic, count, then (images only) rows and cols, all big-endian. */
static int idx_header(IdxFile *f, unsigned magic, unsigned *dims, int ndims, QbErr *err)
{
    unsigned char h[16];
    size_t n = 4 * (size_t)(ndims + 1);
    if (idx_read(f, h, n, "header", err) < 0)
        return -1;
    unsigned got = idx_u32(h);
    if (got != magic)
        return qb_fail(err, "%s: bad magic 0x%08x, expected 0x%08x (idx%d unsigned bytes)", f->path,
                       got, magic, ndims);
    for (int i = 0; i < ndims; i++)
        dims[i] = idx_u32(h + 4 + 4 * i);
    if (dims[0] == 0 || dims[0] > INT_MAX)
        return qb_fail(err, "%s: header gives %u samples, expected 1 to %d", f->path, dims[0],
                       INT_MAX);
    return 0;
}

/* Checked before allocating, so a header cannot claim more pixels than the file can hold:
 * deflate expands at most 1032:1, and a file zlib reads as it is holds exactly its size. */
static int idx_fits(IdxFile *f, unsigned count, size_t body, QbErr *err)
{
    struct stat st;
    if (stat(f->path, &st) != 0)
        return qb_fail(err, "%s: cannot stat (%s)", f->path, strerror(errno));
    double most = (double)st.st_size * (gzdirect(f->gz) ? 1.0 : 1032.0);
    if ((double)body > most)
        return qb_fail(err, "%s: header gives %u images (%zu bytes), more than the %lld-byte "
                            "file can hold", f->path, count, body, (long long)st.st_size);
    return 0;
}

static int idx_images(Dataset *d, IdxFile *f, const DataRequest *r, QbErr *err)
{
    unsigned dims[3];
    if (idx_header(f, IDX_IMAGES, dims, 3, err) < 0)
        return -1;
    Dims want = r->fmt->dims;
    if (dims[1] != (unsigned)want.h || dims[2] != (unsigned)want.w)
        return qb_fail(err, "%s: images are %ux%u, expected %dx%d", f->path, dims[1], dims[2],
                       want.h, want.w);
    size_t body = (size_t)dims[0] * dims_numel(want);
    if (idx_fits(f, dims[0], body, err) < 0 || dataset_alloc(d, DATA_U8, want, (int)dims[0], err) < 0)
        return -1;
    if (idx_read(f, d->u8, body, "pixels", err) < 0)
        return -1;
    return idx_expect_end(f, body, err);
}

static int idx_labels(Dataset *d, IdxFile *f, const char *images, const DataRequest *r,
                      QbErr *err)
{
    unsigned n = 0;
    if (idx_header(f, IDX_LABELS, &n, 1, err) < 0)
        return -1;
    if (n != (unsigned)d->count)
        return qb_fail(err, "%s: %u labels, but %s has %d images", f->path, n, images, d->count);
    unsigned char buf[4096];
    for (int i = 0; i < d->count; i += (int)sizeof buf) {
        int k = d->count - i < (int)sizeof buf ? d->count - i : (int)sizeof buf;
        if (idx_read(f, buf, (size_t)k, "labels", err) < 0)
            return -1;
        for (int j = 0; j < k; j++)
            d->labels[i + j] = buf[j];
    }
    if (idx_expect_end(f, (size_t)d->count, err) < 0)
        return -1;
    d->classes = r->classes;
    return data_check_labels(d->labels, d->count, d->classes, f->path, err);
}

int idx_open(Dataset *d, const DataRequest *r, QbErr *err)
{
    snprintf(d->source, sizeof d->source, "%s", r->dir);
    IdxFile im = {0}, lb = {0};
    int rc = idx_open_file(&im, r, 0, err);
    if (rc == 0)
        rc = idx_images(d, &im, r, err);
    if (rc == 0)
        rc = idx_open_file(&lb, r, 1, err);
    if (rc == 0)
        rc = idx_labels(d, &lb, im.path, r, err);
    if (im.gz)
        gzclose(im.gz);
    if (lb.gz)
        gzclose(lb.gz);
    return rc;
}
