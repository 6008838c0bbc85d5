#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "formats.h"

/* The normalisation constants are the ones the reference training scripts use. */
static const DataFormat data_formats[] = {
    {.name = "fmnist", .title = "Fashion-MNIST", .open = idx_open, .reads_files = 1,
     .default_dir = "/usr/share/datasets/fashion-mnist",
     .hint = "run make deps (package dataset-fashion-mnist)", .classes = 10, .dims = {1, 28, 28},
     .mean = {0.2860f}, .std = {0.3530f}, .files = idx_files, .train_files = 2,
     .expected = "Fashion-MNIST's gzip'd idx files (Debian's dataset-fashion-mnist package, "
                 "which make deps installs)",
     .nominal_train = 60000, .nominal_test = 10000, .nominal = "Fashion-MNIST's"},
    {.name = "cifar10", .title = "CIFAR-10", .open = cifar_open, .reads_files = 1, .classes = 10, .dims = {3, 32, 32},
     .mean = {0.4914f, 0.4822f, 0.4465f}, .std = {0.2470f, 0.2435f, 0.2616f},
     .files = cifar_files, .train_files = 5,
     .expected = "the CIFAR-10 binary version (cifar-10-binary.tar.gz from "
                 "https://www.cs.toronto.edu/~kriz/cifar.html unpacks to cifar-10-batches-bin/): "
                 "3,073-byte records, a label byte then 1,024 bytes each of the R, G and B "
                 "planes, 10,000 per file",
     .nominal_train = 50000, .nominal_test = 10000, .nominal = "CIFAR-10's"},
    {.name = "npy", .title = "npy arrays", .open = npyset_open, .reads_files = 1, .files = npyset_files,
     .train_files = 2,
     .expected = "NumPy .npy arrays: {train,test}_x.npy the images (uint8 or float32, N,C,H,W or "
                 "N,H,W,C, every image the same size), {train,test}_y.npy their integer labels "
                 "(N,)",
     .nominal_train = 1281167, .nominal_test = 50000, .nominal_dims = {3, 224, 224},
     .nominal_classes = 1000, .nominal = "ImageNet-1k's (what the paper profiles keep as npy)"},
    {.name = "synth", .title = "synthetic gratings", .open = synth_open, .nominal_train = 10000, .nominal_test = 500,
     .nominal_dims = {1, 28, 28}, .nominal_classes = 10, .nominal = "the synthetic set's default"},
};
const NameTable dataset_formats = NAMETABLE_INIT(data_formats, DataFormat, name);

const char *dataset_title(const char *format)
{
    const DataFormat *f = nametable_find(dataset_formats, format);
    return f ? f->title : NULL;
}

static const DataFormat *format_find(const char *name, QbErr *err)
{
    const DataFormat *f = nametable_find(dataset_formats, name);
    char why[sizeof err->msg];
    if (!f) {
        nametable_unknown(dataset_formats, "data format", name ? name : "(null)", why, sizeof why);
        qb_fail(err, "%s", why);
    }
    return f;
}

/* Large pixel blocks ask for transparent huge pages: first-touch page faults on 4 KiB pages
 * can cost more than reading the file (CIFAR-10 train: 0.57 s -> 0.13 s) and the loader's
 * random access needs fewer TLB entries. */
static void *pixels_alloc(size_t bytes)
{
    const size_t huge = (size_t)2 << 20;
    if (bytes < huge)
        return malloc(bytes ? bytes : 1);
    size_t rounded = (bytes + huge - 1) / huge * huge;
    void *p = NULL;
    if (posix_memalign(&p, huge, rounded) != 0)
        return NULL;
    madvise(p, rounded, MADV_HUGEPAGE);
    return p;
}

int dataset_alloc(Dataset *d, DataType type, Dims dims, int count, QbErr *err)
{
    size_t n = (size_t)count * dims_numel(dims);
    size_t bytes = n * (type == DATA_U8 ? 1 : sizeof(float));
    d->type = type;
    d->dims = dims;
    d->count = count;
    d->scale = type == DATA_U8 ? 1.0f / 255.0f : 1.0f;
    if (type == DATA_U8)
        d->u8 = pixels_alloc(bytes);
    else
        d->f32 = pixels_alloc(bytes);
    d->labels = malloc(((size_t)count + 1) * sizeof(int));
    d->mean = calloc((size_t)dims.c + 1, sizeof(float));
    d->std = calloc((size_t)dims.c + 1, sizeof(float));
    if ((!d->u8 && !d->f32) || !d->labels || !d->mean || !d->std)
        return qb_fail(err, "%s: out of memory for %d samples of %dx%dx%d (%zu bytes)", d->source,
                       count, dims.c, dims.h, dims.w, bytes);
    return 0;
}

void dataset_free(Dataset *d)
{
    free(d->u8);
    free(d->f32);
    free(d->labels);
    free(d->mean);
    free(d->std);
    d->u8 = NULL;
    d->f32 = NULL;
    d->labels = NULL;
    d->mean = d->std = NULL;
}

int data_missing(QbErr *err, const char *path, const char *hint)
{
    const char *why = errno ? strerror(errno) : "unknown error";
    if (hint)
        return qb_fail(err, "%s: cannot open (%s); %s", path, why, hint);
    return qb_fail(err, "%s: cannot open (%s)", path, why);
}

int data_bad_label(QbErr *err, const char *path, long long label, long long index, int classes)
{
    return qb_fail(err, "%s: label %lld at index %lld out of range [0, %d)", path, label, index,
                   classes);
}

int data_check_labels(const int *labels, int n, int classes, const char *path, QbErr *err)
{
    for (int i = 0; i < n; i++)
        if (labels[i] < 0 || labels[i] >= classes)
            return data_bad_label(err, path, labels[i], i, classes);
    return 0;
}

/* Per-channel mean and population std in scaled units, two passes in double. A constant
 * channel keeps std 1, so normalisation only centres it. */
static void dataset_stats(const Dataset *src, float *mean, float *std)
{
    size_t hw = (size_t)src->dims.h * src->dims.w;
    double n = (double)src->count * (double)hw;
    for (int c = 0; c < src->dims.c; c++) {
        double s = 0.0, q = 0.0;
        for (int i = 0; i < src->count; i++)
            for (size_t p = 0; p < hw; p++)
                s += dataset_pixel(src, i, c * hw + p);
        double m = s / n;
        for (int i = 0; i < src->count; i++)
            for (size_t p = 0; p < hw; p++) {
                double v = dataset_pixel(src, i, c * hw + p) - m;
                q += v * v;
            }
        mean[c] = (float)m;
        std[c] = q > 0.0 ? (float)sqrt(q / n) : 1.0f;
    }
}

/* Multiply-xorshift over 8-byte words: fast enough for 50 MB in a few milliseconds. */
static uint64_t hash_bytes(uint64_t h, const void *data, size_t n)
{
    const unsigned char *p = data;
    for (; n >= 8; n -= 8, p += 8) {
        uint64_t w;
        memcpy(&w, p, 8);
        h = (h ^ w) * 0x9e3779b97f4a7c15ULL;
        h ^= h >> 29;
    }
    uint64_t w = (uint64_t)n << 56;
    memcpy(&w, p, n);
    h = (h ^ w) * 0x9e3779b97f4a7c15ULL;
    return h ^ (h >> 32);
}

static uint64_t dataset_hash(const Dataset *d)
{
    int head[6] = {(int)d->type, d->dims.c, d->dims.h, d->dims.w, d->classes, d->count};
    size_t pixels = (size_t)d->count * dims_numel(d->dims);
    uint64_t h = hash_bytes(0xcbf29ce484222325ULL, head, sizeof head);
    if (d->u8)
        h = hash_bytes(h, d->u8, pixels);
    else
        h = hash_bytes(h, d->f32, pixels * sizeof(float));
    h = hash_bytes(h, d->labels, (size_t)d->count * sizeof(int));
    h = hash_bytes(h, d->mean, (size_t)d->dims.c * sizeof(float));
    return hash_bytes(h, d->std, (size_t)d->dims.c * sizeof(float));
}

static int open_with_constants(Dataset *d, const DataRequest *r, QbErr *err)
{
    if (r->fmt->open(d, r, err) < 0)
        return -1;
    QB_ASSERT(d->dims.c == r->fmt->dims.c && d->dims.c <= 3);
    memcpy(d->mean, r->fmt->mean, (size_t)d->dims.c * sizeof(float));
    memcpy(d->std, r->fmt->std, (size_t)d->dims.c * sizeof(float));
    return 0;
}

/* The test split takes its class count and statistics from the training split, so both
 * are normalised alike and a test label the training set never had is an error. */
static int open_with_train_stats(Dataset *d, const DataRequest *r, QbErr *err)
{
    DataRequest tr = *r;
    tr.split = DATA_TRAIN;
    if (r->split == DATA_TRAIN) {
        if (r->fmt->open(d, &tr, err) < 0)
            return -1;
        dataset_stats(d, d->mean, d->std);
        return 0;
    }
    Dataset train = {0};
    int rc = r->fmt->open(&train, &tr, err);
    DataRequest te = *r;
    te.classes = train.classes;
    if (rc == 0)
        rc = r->fmt->open(d, &te, err);
    if (rc == 0 && (train.type != d->type || memcmp(&train.dims, &d->dims, sizeof d->dims))) {
        rc = qb_fail(err, "%s: test samples are %s %dx%dx%d, training samples (%s) %s %dx%dx%d",
                     d->source, d->type == DATA_U8 ? "uint8" : "float32", d->dims.c, d->dims.h,
                     d->dims.w, train.source, train.type == DATA_U8 ? "uint8" : "float32",
                     train.dims.c, train.dims.h, train.dims.w);
    }
    if (rc == 0)
        dataset_stats(&train, d->mean, d->std);
    dataset_free(&train);
    return rc;
}

/* source (optional) says where the directory came from. */
static const char *resolve_dir(const DataFormat *f, const char *dir, const char **hint,
                               const char **source)
{
    const char *ignored;
    source = source ? source : &ignored;
    *hint = NULL;
    *source = "given";
    if (!f->reads_files || dir)
        return dir;
    const char *env = getenv("QBENCH_DATA");
    *source = "$QBENCH_DATA";
    if (env && *env)
        return env;
    *hint = f->hint;
    *source = "the format's default";
    return f->default_dir;
}

int dataset_files(const char *format, const char *dir_or_path, DataFiles *out, QbErr *err)
{
    const DataFormat *f = format_find(format, err);
    memset(out, 0, sizeof *out);
    if (!f)
        return -1;
    const char *hint;
    const char *dir = resolve_dir(f, dir_or_path, &hint, &out->dir_source);
    snprintf(out->dir, sizeof out->dir, "%s", dir ? dir : "");
    out->expected = f->expected;
    out->dims = f->dims.c ? f->dims : f->nominal_dims;
    out->classes = f->classes ? f->classes : f->nominal_classes;
    out->nominal_train = f->nominal_train;
    out->nominal_test = f->nominal_test;
    out->nominal = f->nominal;
    for (int i = 0; f->files && f->files[i] && i < DATA_FILES_MAX; i++) {
        char path[1100];
        snprintf(path, sizeof path, "%s/%s", out->dir, f->files[i]);
        out->files[out->nfiles] = f->files[i];
        out->missing[out->nfiles++] = !dir || access(path, R_OK) != 0;
    }
    return 0;
}

int dataset_open_opts(Dataset *d, const char *format, const char *dir_or_path,
                      const DataOptions *opt, DataSplit split, QbErr *err)
{
    static const DataOptions defaults;
    memset(d, 0, sizeof *d);
    const DataFormat *f = format_find(format, err);
    if (!f)
        return -1;
    if (!opt)
        opt = &defaults;
    if (f->classes && opt->classes && opt->classes != f->classes)
        return qb_fail(err, "%s has %d classes, not %d", f->name, f->classes, opt->classes);
    DataRequest r = {f, NULL, NULL, opt, split, f->classes ? f->classes : opt->classes};
    r.dir = resolve_dir(f, dir_or_path, &r.hint, NULL);
    if (f->reads_files && !r.dir)
        return qb_fail(err, "%s: no data directory given and QBENCH_DATA is not set", f->name);
    int rc = f->std[0] > 0.0f ? open_with_constants(d, &r, err)
                              : open_with_train_stats(d, &r, err);
    if (rc < 0) {
        dataset_free(d);
        return -1;
    }
    snprintf(d->name, sizeof d->name, "%s/%s", f->name, split == DATA_TRAIN ? "train" : "test");
    d->fingerprint = dataset_hash(d);
    return 0;
}

int dataset_open(Dataset *d, const char *format, const char *dir_or_path, DataSplit split,
                 QbErr *err)
{
    return dataset_open_opts(d, format, dir_or_path, NULL, split, err);
}
