#include "fixtures.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "tests/support/scratch.h"

char fx_dir[256];

void fx_setup(void) { scratch_make(fx_dir, sizeof fx_dir, "data-test"); }

void fx_teardown(void) { scratch_remove(fx_dir); }

void fx_path(char *out, size_t cap, const char *name) { snprintf(out, cap, "%s/%s", fx_dir, name); }

static Blob blob_new(size_t n)
{
    Blob b = {malloc(n), n};
    cr_assert_not_null(b.p);
    return b;
}

void blob_free(Blob *b)
{
    free(b->p);
    b->p = NULL;
}

Blob blob_idx_images(int n, int rows, int cols)
{
    size_t per = (size_t)rows * cols;
    Blob b = blob_new(16 + (size_t)n * per);
    idx_header(b.p, 0, (unsigned)n, (unsigned)rows, (unsigned)cols);
    for (int i = 0; i < n; i++)
        for (size_t p = 0; p < per; p++)
            b.p[16 + i * per + p] = fx_pixel(i, (int)p);
    return b;
}

Blob blob_idx_labels(int n)
{
    Blob b = blob_new(8 + (size_t)n);
    idx_header(b.p, 1, (unsigned)n, 0, 0);
    for (int i = 0; i < n; i++)
        b.p[8 + i] = (unsigned char)(i % 10);
    return b;
}

Blob blob_cifar(int first, int n)
{
    Blob b = blob_new((size_t)n * 3073);
    for (int i = 0; i < n; i++) {
        unsigned char *r = b.p + (size_t)i * 3073;
        r[0] = (unsigned char)((first + i) % 10);
        for (int p = 0; p < 3072; p++)
            r[1 + p] = fx_pixel(first + i, p);
    }
    return b;
}

void fx_write(const char *name, const void *data, size_t n)
{
    char path[600];
    fx_path(path, sizeof path, name);
    FILE *f = fopen(path, "wb");
    cr_assert_not_null(f, "%s", path);
    cr_assert_eq(fwrite(data, 1, n, f), n);
    fclose(f);
}

void fx_write_gz(const char *name, Blob b)
{
    char path[600];
    fx_path(path, sizeof path, name);
    gzFile g = gzopen(path, "wb");
    cr_assert_not_null(g, "%s", path);
    cr_assert_eq(gzwrite(g, b.p, (unsigned)b.n), (int)b.n);
    cr_assert_eq(gzclose(g), Z_OK);
}

void fx_fmnist(int ntrain, int ntest)
{
    Blob b[4] = {blob_idx_images(ntrain, 28, 28), blob_idx_labels(ntrain),
                 blob_idx_images(ntest, 28, 28), blob_idx_labels(ntest)};
    const char *names[4] = {"train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
                            "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"};
    for (int i = 0; i < 4; i++) {
        fx_write_gz(names[i], b[i]);
        blob_free(&b[i]);
    }
}

void fx_cifar(const int *per_file, int ntest)
{
    char name[64];
    for (int f = 0, first = 0; f < 5; first += per_file[f], f++) {
        Blob b = blob_cifar(first, per_file[f]);
        snprintf(name, sizeof name, "data_batch_%d.bin", f + 1);
        fx_write(name, b.p, b.n);
        blob_free(&b);
    }
    Blob t = blob_cifar(0, ntest);
    fx_write("test_batch.bin", t.p, t.n);
    blob_free(&t);
}

void fx_dataset_index(Dataset *d, int count, Dims dims, int classes)
{
    memset(d, 0, sizeof *d);
    size_t per = dims_numel(dims);
    d->type = DATA_F32;
    d->dims = dims;
    d->count = count;
    d->classes = classes;
    d->scale = 1.0f;
    d->f32 = malloc((size_t)count * per * sizeof(float));
    d->labels = malloc((size_t)count * sizeof(int));
    d->mean = calloc((size_t)dims.c, sizeof(float));
    d->std = malloc((size_t)dims.c * sizeof(float));
    for (int c = 0; c < dims.c; c++)
        d->std[c] = 1.0f;
    for (int i = 0; i < count; i++) {
        d->labels[i] = i % classes;
        for (size_t p = 0; p < per; p++)
            d->f32[(size_t)i * per + p] = (float)i;
    }
    snprintf(d->name, sizeof d->name, "index/test");
}
