/* npy: a split as two .npy files, <dir>/<split>_x.npy (images) and <dir>/<split>_y.npy
 * (labels). Channels-last images are transposed to C,H,W on load. */
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "formats.h"
#include "npy.h"

typedef struct {
    const char *path;
    NpyArray a;
} NpyFile;

/* Channels-last when asked, or (AUTO) when the last dimension looks like channels and the
 * second does not. */
static int layout_is_nhwc(const NpyArray *x, DataLayout layout)
{
    if (x->ndim == 3 || layout == DATA_LAYOUT_NCHW)
        return 0;
    if (layout == DATA_LAYOUT_NHWC)
        return 1;
    int64_t a = x->shape[1], last = x->shape[3];
    return (last == 1 || last == 3) && a != 1 && a != 3;
}

static int check_images(const NpyFile *x, DataLayout layout, Dims *dims, QbErr *err)
{
    char shape[256];
    npy_shape_text(shape, sizeof shape, x->a.ndim, x->a.shape);
    if (x->a.type != NPY_U8 && x->a.type != NPY_F32)
        return qb_fail(err, "%s: image dtype %s is not supported (expected uint8 or float32)",
                       x->path, npy_type_name(x->a.type));
    if (x->a.ndim != 3 && x->a.ndim != 4)
        return qb_fail(err, "%s: images have shape %s, expected (N, C, H, W), (N, H, W, C) or "
                       "(N, H, W)", x->path, shape);
    for (int i = 0; i < x->a.ndim; i++)
        if (x->a.shape[i] < 1 || x->a.shape[i] > INT_MAX)
            return qb_fail(err, "%s: images have shape %s; every dimension must be 1 to %d",
                           x->path, shape, INT_MAX);
    const int64_t *s = x->a.shape;
    if (x->a.ndim == 3)
        *dims = (Dims){1, (int)s[1], (int)s[2]};
    else if (layout_is_nhwc(&x->a, layout))
        *dims = (Dims){(int)s[3], (int)s[1], (int)s[2]};
    else
        *dims = (Dims){(int)s[1], (int)s[2], (int)s[3]};
    return 0;
}

static int check_labels(const NpyFile *y, const NpyFile *x, QbErr *err)
{
    char shape[256];
    npy_shape_text(shape, sizeof shape, y->a.ndim, y->a.shape);
    if (!npy_type_is_int(y->a.type))
        return qb_fail(err, "%s: label dtype %s is not an integer type", y->path,
                       npy_type_name(y->a.type));
    if (y->a.ndim != 1)
        return qb_fail(err, "%s: labels have shape %s, expected (N,)", y->path, shape);
    if (y->a.shape[0] != x->a.shape[0])
        return qb_fail(err, "%s: %lld labels, but %s has %lld images", y->path,
                       (long long)y->a.shape[0], x->path, (long long)x->a.shape[0]);
    return 0;
}

/* Checked as 64-bit values, before narrowing to int can hide a bad label. */
static int copy_labels(Dataset *d, const NpyFile *y, int classes, QbErr *err)
{
    if (classes == 0) {
        int64_t max = 0;
        for (size_t i = 0; i < y->a.count; i++) {
            int64_t v = npy_int_at(&y->a, i);
            if (v < 0 || v >= INT_MAX)
                return qb_fail(err, "%s: label %lld at index %zu: expected 0 to %d", y->path,
                               (long long)v, i, INT_MAX - 1);
            max = v > max ? v : max;
        }
        classes = (int)max + 1;
    }
    for (size_t i = 0; i < y->a.count; i++) {
        int64_t v = npy_int_at(&y->a, i);
        if (v < 0 || v >= classes)
            return data_bad_label(err, y->path, v, (long long)i, classes);
        d->labels[i] = (int)v;
    }
    d->classes = classes;
    return 0;
}

/* N,H,W,C -> N,C,H,W for elements of `size` bytes (1 or 4). */
static void transpose_nhwc(void *dst, const void *src, int n, Dims dm, size_t size)
{
    size_t hw = (size_t)dm.h * dm.w, per = hw * dm.c;
    for (size_t i = 0; i < (size_t)n; i++)
        for (int c = 0; c < dm.c; c++)
            for (size_t p = 0; p < hw; p++) {
                size_t to = i * per + c * hw + p, from = i * per + p * dm.c + c;
                if (size == 1)
                    ((uint8_t *)dst)[to] = ((const uint8_t *)src)[from];
                else
                    ((float *)dst)[to] = ((const float *)src)[from];
            }
}

static int npyset_fill(Dataset *d, const DataRequest *r, const NpyFile *x, const NpyFile *y,
                       QbErr *err)
{
    Dims dims;
    if (check_images(x, r->opt->layout, &dims, err) < 0 || check_labels(y, x, err) < 0)
        return -1;
    DataType type = x->a.type == NPY_U8 ? DATA_U8 : DATA_F32;
    if (dataset_alloc(d, type, dims, (int)x->a.shape[0], err) < 0)
        return -1;
    void *dst = d->u8 ? (void *)d->u8 : (void *)d->f32;
    size_t size = npy_type_size(x->a.type);
    if (x->a.ndim == 4 && layout_is_nhwc(&x->a, r->opt->layout))
        transpose_nhwc(dst, x->a.data, d->count, dims, size);
    else
        memcpy(dst, x->a.data, x->a.count * size);
    return copy_labels(d, y, r->classes, err);
}

/* Per split, images then labels. */
const char *const npyset_files[] = {"train_x.npy", "train_y.npy", "test_x.npy", "test_y.npy",
                                    NULL};

int npyset_open(Dataset *d, const DataRequest *r, QbErr *err)
{
    const char *const *names = npyset_files + 2 * (r->split == DATA_TEST);
    char xp[1024], yp[1024];
    snprintf(xp, sizeof xp, "%s/%s", r->dir, names[0]);
    snprintf(yp, sizeof yp, "%s/%s", r->dir, names[1]);
    snprintf(d->source, sizeof d->source, "%s", xp);
    NpyFile x = {xp, {0}}, y = {yp, {0}};
    int rc = npy_read(xp, &x.a, err);
    if (rc == 0)
        rc = npy_read(yp, &y.a, err);
    if (rc == 0)
        rc = npyset_fill(d, r, &x, &y, err);
    npy_free(&x.a);
    npy_free(&y.a);
    return rc;
}
