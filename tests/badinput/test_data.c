/* Truncated and corrupted data sets: fmnist idx (gzip'd), CIFAR-10 binaries and npy arrays,
 * each made valid with a real writer first and then damaged, read through `qbench eval`,
 * `qbench train` and `qbench quantize`. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/checkpoint.h"
#include "core/data/npy.h"
#include "core/layers/layers.h"
#include "tests/support/idxw.h"
#include "bad.h"

TestSuite(baddata, .init = bad_setup, .fini = bad_teardown);

enum { IDX_N = 2, IDX_PIX = 28 * 28 };

/* An idx file: images (16-byte header, count x 28 x 28) or labels (8-byte header). */
static size_t idx_bytes(unsigned char *out, int labels, unsigned count, unsigned side)
{
    size_t head = idx_header(out, labels, count, side, side);
    size_t body = labels ? count : (size_t)count * side * side;
    for (size_t i = 0; i < body; i++)
        out[head + i] = (unsigned char)(labels ? i % 10 : i * 3);
    return head + body;
}

static const char *const idx_names[2] = {"t10k-images-idx3-ubyte.gz",
                                         "t10k-labels-idx1-ubyte.gz"};

/* A data directory with valid gzip'd idx files of IDX_N samples; returns the path of
 * file `which` (0 images, 1 labels) in `target`. */
static void idx_dir(const char *name, int which, char *dir, char *target, size_t cap)
{
    static unsigned char buf[16 + IDX_N * IDX_PIX];
    bad_path(dir, cap, name, 1);
    for (int k = 0; k < 2; k++) {
        char p[512];
        snprintf(p, sizeof p, "%s/%s", dir, idx_names[k]);
        bad_gzip(p, buf, idx_bytes(buf, k, IDX_N, 28));
    }
    snprintf(target, cap, "%s/%s", dir, idx_names[which]);
}

/* A readable checkpoint without a model record, of a one-layer net that is no small_cnn:
 * eval takes its settings from the flags and opens their data set before it loads the
 * tensors, so every data error shows, and valid data fails at the first tensor. */
static void any_checkpoint(char *path, size_t cap)
{
    Net net;
    QbErr err = {{0}};
    bad_path(path, cap, "other.ckpt", 0);
    net_init(&net, (Dims){4, 1, 1});
    cr_assert_geq(layer_linear(&net, "other", NET_INPUT, 2, 1, &err), 0, "%s", err.msg);
    cr_assert_eq(net_alloc(&net, 1, 1, &err), 0, "%s", err.msg);
    cr_assert_eq(checkpoint_save(path, &net, NULL, NULL, &err), 0, "%s", err.msg);
    net_free(&net);
}

static void eval_expect(const char *what, const char *data, const char *dir, const char *file,
                        const char *expect)
{
    char args[1200], ckpt[512];
    any_checkpoint(ckpt, sizeof ckpt);
    snprintf(args, sizeof args, "eval --net small_cnn --checkpoint %s --data %s --data-dir %s",
             ckpt, data, dir);
    bad_expect(what, args, file, expect);
}

Test(baddata, idx_baseline_loads)
{
    char dir[512], file[600], ckpt[512];
    idx_dir("valid", 0, dir, file, sizeof dir);
    bad_path(ckpt, sizeof ckpt, "other.ckpt", 0);
    eval_expect("valid idx (fails at the checkpoint)", "fmnist", dir, ckpt,
                "checkpoint tensor other.weight does not exist in this network");
}

Test(baddata, idx_truncated_and_corrupted_gzip)
{
    char dir[512], file[600];
    size_t n;
    idx_dir("cut", 0, dir, file, sizeof dir);
    unsigned char *gz = bad_read(file, &n);
    bad_write(file, gz, n / 2);
    eval_expect("gzip cut in half", "fmnist", dir, file, "truncated");
    idx_dir("trailer", 0, dir, file, sizeof dir);
    bad_write(file, gz, n - 2);
    eval_expect("gzip trailer cut", "fmnist", dir, file, "truncated");
    idx_dir("crc", 0, dir, file, sizeof dir);
    gz[n - 6] ^= 0xff; /* the CRC-32 in the trailer */
    bad_write(file, gz, n);
    eval_expect("gzip CRC wrong", "fmnist", dir, file, "corrupt");
    idx_dir("empty", 1, dir, file, sizeof dir);
    bad_write(file, "", 0);
    eval_expect("empty labels", "fmnist", dir, file, "truncated");
    free(gz);
}

/* Header damage, written uncompressed (zlib reads a plain file as it is). */
Test(baddata, idx_bad_headers)
{
    static unsigned char buf[16 + 4 * IDX_N * IDX_PIX];
    char dir[512], file[600];
    idx_dir("magic", 0, dir, file, sizeof dir);
    size_t n = idx_bytes(buf, 0, IDX_N, 28);
    buf[3] = 0x04;
    bad_write(file, buf, n);
    eval_expect("bad magic", "fmnist", dir, file, "bad magic 0x00000804");
    idx_dir("side", 0, dir, file, sizeof dir);
    bad_write(file, buf, idx_bytes(buf, 0, IDX_N, 32));
    eval_expect("32x32 images", "fmnist", dir, file, "images are 32x32, expected 28x28");
    idx_dir("count", 0, dir, file, sizeof dir);
    n = idx_bytes(buf, 0, IDX_N, 28);
    put_be32(buf + 4, 0x7fffffff);
    bad_write(file, buf, n);
    eval_expect("2^31-1 images in a 1.6 kB file", "fmnist", dir, file,
                "more than the 1584-byte file can hold");
    idx_dir("zero", 0, dir, file, sizeof dir);
    put_be32(buf + 4, 0);
    bad_write(file, buf, 16);
    eval_expect("zero images", "fmnist", dir, file, "header gives 0 samples");
    idx_dir("long", 0, dir, file, sizeof dir);
    bad_write(file, buf, idx_bytes(buf, 0, IDX_N, 28) + 5);
    eval_expect("trailing bytes", "fmnist", dir, file, "longer than its header says");
}

Test(baddata, idx_bad_labels)
{
    unsigned char buf[64];
    char dir[512], file[600];
    idx_dir("nlabels", 1, dir, file, sizeof dir);
    bad_gzip(file, buf, idx_bytes(buf, 1, 3, 0));
    eval_expect("3 labels for 2 images", "fmnist", dir, file, "3 labels, but");
    idx_dir("range", 1, dir, file, sizeof dir);
    size_t n = idx_bytes(buf, 1, IDX_N, 0);
    buf[9] = 10;
    bad_gzip(file, buf, n);
    eval_expect("label 10", "fmnist", dir, file, "label 10 at index 1 out of range [0, 10)");
}

enum { CIFAR_REC = 3073 };

static void cifar_case(const char *name, const unsigned char *p, size_t n, const char *expect)
{
    char dir[512], file[600];
    bad_path(dir, sizeof dir, name, 1);
    snprintf(file, sizeof file, "%s/test_batch.bin", dir);
    bad_write(file, p, n);
    eval_expect(name, "cifar10", dir, file, expect);
}

Test(baddata, cifar_truncated_and_bad_labels)
{
    static unsigned char rec[2 * CIFAR_REC];
    for (size_t i = 0; i < sizeof rec; i++)
        rec[i] = (unsigned char)(i * 7);
    rec[0] = 3, rec[CIFAR_REC] = 9;
    char dir[512], file[600], ckpt[512];
    bad_path(dir, sizeof dir, "valid", 1);
    snprintf(file, sizeof file, "%s/test_batch.bin", dir);
    bad_write(file, rec, sizeof rec);
    bad_path(ckpt, sizeof ckpt, "other.ckpt", 0);
    eval_expect("valid CIFAR (fails at the checkpoint)", "cifar10", dir, ckpt,
                "checkpoint tensor other.weight does not exist in this network");
    cifar_case("short", rec, sizeof rec - 1, "1 records and 3072 bytes over");
    cifar_case("empty", rec, 0, "size 0 is not a positive multiple");
    cifar_case("long", rec, CIFAR_REC + 5, "1 records and 5 bytes over");
    rec[CIFAR_REC] = 10;
    cifar_case("label10", rec, sizeof rec, "label 10 at index 1 out of range [0, 10)");
    rec[CIFAR_REC] = 255;
    cifar_case("label255", rec, sizeof rec, "label 255 at index 1 out of range");
}
