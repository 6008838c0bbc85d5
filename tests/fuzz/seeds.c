/* Writes the generated seed corpora of the fuzz targets under OUTDIR/<target>/, each a valid
 * file made by qbench's own writers (npy_write, checkpoint_save, zlib for idx), prefixed by
 * the mode byte its target reads first. The YAML and JSON seeds are committed files. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "core/atomic_file.h"
#include "core/checkpoint.h"
#include "core/data/npy.h"
#include "lib/fixtures.h"
#include "lib/io.h"

static const char *outdir;

static void die(const char *what, const QbErr *err)
{
    fprintf(stderr, "seeds: %s: %s\n", what, err ? err->msg : "failed");
    exit(1);
}

/* OUTDIR/target/name = mode byte (when mode >= 0) + bytes. */
static void seed_bytes(const char *target, const char *name, int mode, const void *p, size_t n)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", outdir, target);
    mkdir(path, 0755);
    snprintf(path, sizeof path, "%s/%s/%s", outdir, target, name);
    FILE *f = fopen(path, "wb");
    unsigned char m = (unsigned char)mode;
    if (!f || (mode >= 0 && fwrite(&m, 1, 1, f) != 1) || fwrite(p, 1, n, f) != n || fclose(f))
        die(path, NULL);
}

/* A seed from a file a writer made in the scratch directory. */
static void seed_file(const char *target, const char *name, int mode, const char *made)
{
    char *data;
    size_t n;
    QbErr err = {{0}};
    if (file_read_all(made, &data, &n, &err) < 0)
        die(made, &err);
    seed_bytes(target, name, mode, data, n);
    free(data);
}

static void seed_npy(const char *name, int mode, NpyType t, int ndim, const int64_t *shape,
                     const void *data)
{
    char path[512];
    QbErr err = {{0}};
    fuzz_path(path, sizeof path, "seed.npy");
    if (npy_write(path, t, ndim, shape, data, &err) < 0)
        die(path, &err);
    seed_file("npy", name, mode, path);
}

/* Modes as fuzz_npy.c reads them: 0 alone, 1 images, 2 labels (of two samples). */
static void seeds_npy(void)
{
    static const float f[6] = {0.5f, -1.0f, 2.25f, 0.0f, 1e-3f, 7.0f};
    static uint8_t u8[2 * 16 * 3];
    static const int32_t y32[2] = {1, 0};
    static const uint8_t y8[2] = {0, 1};
    for (size_t i = 0; i < sizeof u8; i++)
        u8[i] = (uint8_t)(i * 5);
    seed_npy("f32-2x3", 0, NPY_F32, 2, (const int64_t[]){2, 3}, f);
    seed_npy("f32-scalar", 0, NPY_F32, 0, NULL, f);
    seed_npy("images-u8-nchw", 1, NPY_U8, 4, (const int64_t[]){2, 1, 4, 4}, u8);
    seed_npy("images-u8-nhwc", 1, NPY_U8, 4, (const int64_t[]){2, 4, 4, 3}, u8);
    seed_npy("images-u8-nhw", 1, NPY_U8, 3, (const int64_t[]){2, 4, 4}, u8);
    seed_npy("images-f32-nchw", 1, NPY_F32, 4, (const int64_t[]){2, 1, 1, 3}, f);
    seed_npy("labels-i32", 2, NPY_I32, 1, (const int64_t[]){2}, y32);
    seed_npy("labels-u8", 2, NPY_U8, 1, (const int64_t[]){2}, y8);
}

/* Modes as fuzz_idx.c reads them: 0 images, 1 labels; plain and gzip'd. */
static void seeds_idx(void)
{
    for (int labels = 0; labels < 2; labels++) {
        unsigned char idx[FUZZ_IDX_MAX];
        size_t n = fuzz_idx_bytes(idx, labels);
        char path[512];
        fuzz_path(path, sizeof path, "seed.gz");
        gzFile gz = gzopen(path, "wb9");
        if (!gz || gzwrite(gz, idx, (unsigned)n) != (int)n || gzclose(gz) != Z_OK)
            die(path, NULL);
        seed_bytes("idx", labels ? "labels-plain" : "images-plain", labels, idx, n);
        seed_file("idx", labels ? "labels-gz" : "images-gz", labels, path);
    }
}

static void seeds_cifar(void)
{
    enum { REC = 3073 };
    static unsigned char recs[2 * REC];
    for (size_t i = 0; i < sizeof recs; i++)
        recs[i] = (unsigned char)(i * 13);
    recs[0] = 3;
    recs[REC] = 9;
    seed_bytes("cifar", "one-record", -1, recs, REC);
    seed_bytes("cifar", "two-records", -1, recs, sizeof recs);
}

/* Modes as fuzz_checkpoint.c reads them: 0 resume (with optimizer state), 1 weights. */
static void seeds_checkpoint(void)
{
    Net net;
    Optimizer opt;
    QbErr err = {{0}};
    char path[512];
    fuzz_net_build(&net);
    optim_defaults(&opt, 5e-4f);
    opt.step = 12;
    CkptMeta meta = {2, 12, 7, "{\"net\": \"small_cnn\"}", "[{\"epoch\": 1}]",
                     "{\"record_version\": 1}", 0};
    fuzz_path(path, sizeof path, "seed.ckpt");
    if (checkpoint_save(path, &net, &opt, &meta, &err) < 0)
        die(path, &err);
    seed_file("checkpoint", "resume", 0, path);
    if (checkpoint_save(path, &net, NULL, NULL, &err) < 0)
        die(path, &err);
    seed_file("checkpoint", "weights", 1, path);
    net_free(&net);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: seeds OUTDIR\n");
        return 2;
    }
    outdir = argv[1];
    mkdir(outdir, 0755);
    seeds_npy();
    seeds_idx();
    seeds_cifar();
    seeds_checkpoint();
    return 0;
}
