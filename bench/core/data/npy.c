#include "npy.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/atomic_file.h"

/* Host byte order is what lands in memory: both the reader and writer copy raw bytes. */
_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "npy.c assumes a little-endian host");

static const char npy_magic[6] = {'\x93', 'N', 'U', 'M', 'P', 'Y'};

/* The dtype table in NpyType order: descr without its byte-order character. */
static const struct {
    const char *descr;
    size_t size;
    const char *name;
} npy_types[] = {
    [NPY_U8] = {"u1", 1, "uint8"},    [NPY_I8] = {"i1", 1, "int8"},
    [NPY_I16] = {"i2", 2, "int16"},   [NPY_I32] = {"i4", 4, "int32"},
    [NPY_I64] = {"i8", 8, "int64"},   [NPY_F32] = {"f4", 4, "float32"},
    [NPY_F64] = {"f8", 8, "float64"},
};
enum { NPY_NTYPES = sizeof npy_types / sizeof npy_types[0] };

size_t npy_type_size(NpyType t) { return npy_types[t].size; }
const char *npy_type_name(NpyType t) { return npy_types[t].name; }
int npy_type_is_int(NpyType t) { return t != NPY_F32 && t != NPY_F64; }

int64_t npy_int_at(const NpyArray *a, size_t i)
{
    switch (a->type) {
    case NPY_U8: return ((const uint8_t *)a->data)[i];
    case NPY_I8: return ((const int8_t *)a->data)[i];
    case NPY_I16: return ((const int16_t *)a->data)[i];
    case NPY_I32: return ((const int32_t *)a->data)[i];
    case NPY_I64: return ((const int64_t *)a->data)[i];
    default: QB_ASSERT(!"npy_int_at on a float array"); return 0;
    }
}

void npy_free(NpyArray *a)
{
    free(a->data);
    a->data = NULL;
}

void npy_shape_text(char *buf, size_t cap, int ndim, const int64_t *shape)
{
    size_t n = (size_t)snprintf(buf, cap, "(");
    for (int i = 0; i < ndim && n < cap; i++)
        n += (size_t)snprintf(buf + n, cap - n, i ? ", %lld" : "%lld", (long long)shape[i]);
    if (n < cap)
        snprintf(buf + n, cap - n, ndim == 1 ? ",)" : ")");
}

/* Points just past "'key':" and any blanks, or NULL. */
static const char *header_value(const char *h, const char *key)
{
    char quoted[32];
    snprintf(quoted, sizeof quoted, "'%s'", key);
    const char *p = strstr(h, quoted);
    if (!p)
        return NULL;
    p += strlen(quoted);
    while (isspace((unsigned char)*p))
        p++;
    if (*p != ':')
        return NULL;
    p++;
    while (isspace((unsigned char)*p))
        p++;
    return p;
}

static int parse_descr(const char *path, const char *h, NpyArray *a, QbErr *err)
{
    const char *p = header_value(h, "descr");
    if (!p || (*p != '\'' && *p != '"'))
        return qb_fail(err, "%s: npy header malformed: no 'descr' string (header: %.200s)", path, h);
    const char *end = strchr(p + 1, *p);
    size_t len = end ? (size_t)(end - p - 1) : 0;
    char d[16] = {0};
    if (!end || len >= sizeof d || len < 2)
        return qb_fail(err, "%s: npy header malformed: bad 'descr' (header: %.200s)", path, h);
    memcpy(d, p + 1, len);
    for (int i = 0; i < NPY_NTYPES; i++) {
        if (strcmp(d + 1, npy_types[i].descr) != 0)
            continue;
        int one_byte = npy_types[i].size == 1;
        if (d[0] == '<' || (one_byte && d[0] == '|')) {
            a->type = (NpyType)i;
            return 0;
        }
    }
    return qb_fail(err,
                   "%s: unsupported dtype '%s' (expected little-endian uint8, int8, int16, int32, "
                   "int64, float32 or float64)",
                   path, d);
}

static int parse_order(const char *path, const char *h, QbErr *err)
{
    const char *p = header_value(h, "fortran_order");
    if (p && strncmp(p, "False", 5) == 0)
        return 0;
    if (p && strncmp(p, "True", 4) == 0)
        return qb_fail(err, "%s: fortran_order is True; only C-order arrays are supported", path);
    return qb_fail(err, "%s: npy header malformed: no 'fortran_order' flag (header: %.200s)", path,
                   h);
}

static int parse_shape(const char *path, const char *h, NpyArray *a, QbErr *err)
{
    const char *p = header_value(h, "shape");
    if (!p || *p != '(')
        return qb_fail(err, "%s: npy header malformed: no 'shape' tuple (header: %.200s)", path, h);
    p++;
    a->ndim = 0;
    a->count = 1;
    for (;;) {
        while (isspace((unsigned char)*p))
            p++;
        if (*p == ')')
            return 0;
        char *end;
        errno = 0;
        long long v = strtoll(p, &end, 10);
        if (end == p || errno || v < 0 || a->ndim == NPY_MAX_DIMS)
            return qb_fail(err, "%s: npy header malformed: bad 'shape' (header: %.200s)", path, h);
        if (v > 0 && a->count > SIZE_MAX / 8 / (size_t)v)
            return qb_fail(err, "%s: shape too large (header: %.200s)", path, h);
        a->shape[a->ndim++] = v;
        a->count *= (size_t)v;
        p = end;
        while (isspace((unsigned char)*p))
            p++;
        if (*p == ',')
            p++;
        else if (*p != ')')
            return qb_fail(err, "%s: npy header malformed: bad 'shape' (header: %.200s)", path, h);
    }
}

/* Reads magic, version and the header dict into a malloc'd string; *offset = data start. */
static int read_header(FILE *f, const char *path, char **header, long *offset, QbErr *err)
{
    unsigned char pre[12];
    if (fread(pre, 1, 10, f) != 10 || memcmp(pre, npy_magic, 6) != 0)
        return qb_fail(err, "%s: not a .npy file (bad magic; expected \\x93NUMPY)", path);
    size_t len;
    if (pre[6] == 1) {
        len = pre[8] | (size_t)pre[9] << 8;
        *offset = 10;
    } else if (pre[6] == 2 || pre[6] == 3) {
        if (fread(pre + 10, 1, 2, f) != 2)
            return qb_fail(err, "%s: truncated .npy preamble", path);
        len = pre[8] | (size_t)pre[9] << 8 | (size_t)pre[10] << 16 | (size_t)pre[11] << 24;
        *offset = 12;
    } else {
        return qb_fail(err, "%s: unsupported .npy version %d.%d (expected 1.0, 2.0 or 3.0)", path,
                       pre[6], pre[7]);
    }
    /* checked before allocating: a 12-byte file can claim a 4 GiB header */
    struct stat st;
    long long left = fstat(fileno(f), &st) == 0 ? (long long)st.st_size - *offset : (long long)len;
    if (left < (long long)len)
        return qb_fail(err, "%s: truncated header: expected %zu bytes, got %lld", path, len,
                       left < 0 ? 0 : left);
    char *h = malloc(len + 1);
    QB_ASSERT(h);
    size_t got = fread(h, 1, len, f);
    h[got] = '\0';
    if (got != len) {
        free(h);
        return qb_fail(err, "%s: truncated header: expected %zu bytes, got %zu", path, len, got);
    }
    while (got > 0 && isspace((unsigned char)h[got - 1]))
        h[--got] = '\0'; /* the padding, so messages quote only the dict */
    *header = h;
    *offset += (long)len;
    return 0;
}

static int parse_header(const char *path, const char *h, NpyArray *a, QbErr *err)
{
    if (parse_descr(path, h, a, err) < 0 || parse_order(path, h, err) < 0)
        return -1;
    return parse_shape(path, h, a, err);
}

/* The data must fill the rest of the file exactly: a short file is truncated, a long one is
 * not what its header describes. */
static int read_data(FILE *f, const char *path, long offset, NpyArray *a, QbErr *err)
{
    struct stat st;
    if (fstat(fileno(f), &st) != 0)
        return qb_fail(err, "%s: cannot stat (%s)", path, strerror(errno));
    size_t want = a->count * npy_type_size(a->type);
    long long have = (long long)st.st_size - offset;
    if (have != (long long)want) {
        char shape[256];
        npy_shape_text(shape, sizeof shape, a->ndim, a->shape);
        return qb_fail(err, "%s: expected %zu data bytes for shape %s %s, file has %lld", path,
                       want, shape, npy_type_name(a->type), have);
    }
    a->data = malloc(want ? want : 1);
    QB_ASSERT(a->data);
    if (fread(a->data, 1, want, f) != want) {
        npy_free(a);
        return qb_fail(err, "%s: read error", path);
    }
    return 0;
}

int npy_read(const char *path, NpyArray *a, QbErr *err)
{
    memset(a, 0, sizeof *a);
    FILE *f = fopen(path, "rb");
    if (!f)
        return qb_fail(err, "%s: cannot open (%s)", path, strerror(errno));
    char *h = NULL;
    long offset = 0;
    int rc = read_header(f, path, &h, &offset, err);
    if (rc == 0)
        rc = parse_header(path, h, a, err);
    if (rc == 0)
        rc = read_data(f, path, offset, a, err);
    free(h);
    fclose(f);
    return rc;
}

/* The preamble plus header is padded with spaces to a multiple of 64 bytes and ends in '\n'. */
int npy_write(const char *path, NpyType type, int ndim, const int64_t *shape, const void *data,
              QbErr *err)
{
    if (ndim < 0 || ndim > NPY_MAX_DIMS)
        return qb_fail(err, "%s: %d dimensions (at most %d)", path, ndim, NPY_MAX_DIMS);
    size_t count = 1;
    for (int i = 0; i < ndim; i++) {
        if (shape[i] < 0)
            return qb_fail(err, "%s: negative dimension %lld", path, (long long)shape[i]);
        count *= (size_t)shape[i];
    }
    char tuple[256], h[512];
    npy_shape_text(tuple, sizeof tuple, ndim, shape);
    int n = snprintf(h, sizeof h, "{'descr': '%c%s', 'fortran_order': False, 'shape': %s, }",
                     npy_type_size(type) == 1 ? '|' : '<', npy_types[type].descr, tuple);
    while ((10 + n + 1) % 64 != 0)
        h[n++] = ' ';
    h[n++] = '\n';
    unsigned char pre[10];
    memcpy(pre, npy_magic, 6);
    pre[6] = 1;
    pre[7] = 0;
    pre[8] = (unsigned char)(n & 0xff);
    pre[9] = (unsigned char)(n >> 8);
    AtomicFile af;
    if (atomic_open(&af, path, err) < 0)
        return -1;
    size_t bytes = count * npy_type_size(type);
    if (fwrite(pre, 1, 10, af.f) != 10 || fwrite(h, 1, (size_t)n, af.f) != (size_t)n ||
        fwrite(data, 1, bytes, af.f) != bytes) {
        int e = errno;
        atomic_abort(&af);
        return qb_fail(err, "%s: write failed (%s)", path, strerror(e));
    }
    return atomic_commit(&af, err);
}
