/* fmnist: gzip'd idx files written here, damaged variants with their exact messages, where
 * the directory comes from, and the real Fashion-MNIST when it is installed. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fixtures.h"

#define REAL_DIR "/usr/share/datasets/fashion-mnist"

TestSuite(fmnist, .init = fx_setup, .fini = fx_teardown);

static char images[600], labels[600];

static void paths(void)
{
    fx_path(images, sizeof images, "train-images-idx3-ubyte.gz");
    fx_path(labels, sizeof labels, "train-labels-idx1-ubyte.gz");
}

/* Opens the training split of fx_dir, expecting failure with exactly `want`. */
static void expect_error(const char *want)
{
    Dataset d;
    QbErr err = {{0}};
    cr_assert_eq(dataset_open(&d, "fmnist", fx_dir, DATA_TRAIN, &err), -1);
    cr_assert_str_eq(err.msg, want);
    cr_assert_null(d.u8, "nothing is left allocated after a failure");
}

/* Expects exactly "<path>: <what>". */
static void expect_error_at(const char *path, const char *what)
{
    char want[1300];
    snprintf(want, sizeof want, "%s: %s", path, what);
    expect_error(want);
}

/* Replaces a file of the 4-train, 2-test fixture with a damaged blob. */
static void damage(const char *name, Blob b)
{
    fx_fmnist(4, 2);
    paths();
    fx_write_gz(name, b);
    blob_free(&b);
}

static Blob images_with(int n, int rows, size_t cut)
{
    Blob b = blob_idx_images(n, rows, 28);
    b.n -= cut;
    return b;
}

Test(fmnist, reads_pixels_labels_and_constants)
{
    fx_fmnist(12, 5);
    Dataset d;
    QbErr err = {{0}};
    cr_assert_eq(dataset_open(&d, "fmnist", fx_dir, DATA_TRAIN, &err), 0, "%s", err.msg);
    cr_assert_eq(d.count, 12);
    cr_assert_eq(d.type, DATA_U8);
    cr_assert(d.dims.c == 1 && d.dims.h == 28 && d.dims.w == 28);
    cr_assert_eq(d.classes, 10);
    cr_assert_str_eq(d.name, "fmnist/train");
    cr_assert_str_eq(d.source, fx_dir);
    for (int i = 0; i < 12; i++) {
        cr_assert_eq(d.labels[i], i % 10);
        for (int p = 0; p < 784; p += 97)
            cr_assert_eq(d.u8[i * 784 + p], fx_pixel(i, p), "sample %d pixel %d", i, p);
    }
    cr_assert_float_eq(d.mean[0], 0.2860f, 0.0f);
    cr_assert_float_eq(d.std[0], 0.3530f, 0.0f);
    cr_assert_float_eq(d.scale, 1.0f / 255.0f, 0.0f);
    Dataset t;
    cr_assert_eq(dataset_open(&t, "fmnist", fx_dir, DATA_TEST, &err), 0, "%s", err.msg);
    cr_assert_eq(t.count, 5);
    cr_assert_str_eq(t.name, "fmnist/test");
    cr_assert_neq(d.fingerprint, t.fingerprint);
    dataset_free(&d);
    dataset_free(&t);
    cr_assert_null(d.u8);
}

Test(fmnist, fingerprint_is_stable_and_sees_one_pixel)
{
    fx_fmnist(6, 2);
    Dataset a, b, c;
    QbErr err = {{0}};
    cr_assert_eq(dataset_open(&a, "fmnist", fx_dir, DATA_TRAIN, &err), 0, "%s", err.msg);
    cr_assert_eq(dataset_open(&b, "fmnist", fx_dir, DATA_TRAIN, &err), 0, "%s", err.msg);
    cr_assert_eq(a.fingerprint, b.fingerprint);
    Blob im = blob_idx_images(6, 28, 28);
    im.p[16 + 5 * 784 + 400] ^= 1;
    fx_write_gz("train-images-idx3-ubyte.gz", im);
    blob_free(&im);
    cr_assert_eq(dataset_open(&c, "fmnist", fx_dir, DATA_TRAIN, &err), 0, "%s", err.msg);
    cr_assert_neq(a.fingerprint, c.fingerprint);
    dataset_free(&a);
    dataset_free(&b);
    dataset_free(&c);
}

Test(fmnist, missing_file_names_the_path)
{
    fx_fmnist(4, 2);
    paths();
    unlink(labels);
    expect_error_at(labels, "cannot open (No such file or directory)");
}

Test(fmnist, bad_magic_names_file_and_both_values)
{
    Blob im = blob_idx_images(4, 28, 28);
    put_be32(im.p, 0x801);
    damage("train-images-idx3-ubyte.gz", im);
    expect_error_at(images, "bad magic 0x00000801, expected 0x00000803 (idx3 unsigned bytes)");
}

Test(fmnist, wrong_image_size_is_an_error)
{
    damage("train-images-idx3-ubyte.gz", images_with(4, 32, 0));
    expect_error_at(images, "images are 32x28, expected 28x28");
}

Test(fmnist, label_count_must_match_image_count)
{
    damage("train-labels-idx1-ubyte.gz", blob_idx_labels(3));
    char want[1300];
    snprintf(want, sizeof want, "%s: 3 labels, but %s has 4 images", labels, images);
    expect_error(want);
}

Test(fmnist, fewer_pixels_than_the_header_says_is_a_short_read)
{
    damage("train-images-idx3-ubyte.gz", images_with(4, 28, 784 + 10));
    expect_error_at(images, "truncated: expected 3136 bytes of pixels, got 2342");
}

Test(fmnist, short_header_is_an_error)
{
    damage("train-images-idx3-ubyte.gz", images_with(4, 28, 16 + 4 * 784 - 9));
    expect_error_at(images, "truncated: expected 16 bytes of header, got 9");
}

Test(fmnist, more_data_than_the_header_says_is_an_error)
{
    Blob im = blob_idx_images(5, 28, 28);
    put_be32(im.p + 4, 4);
    damage("train-images-idx3-ubyte.gz", im);
    expect_error_at(images, "longer than its header says (3136 data bytes expected)");
}

Test(fmnist, zero_samples_is_an_error)
{
    damage("train-images-idx3-ubyte.gz", images_with(0, 28, 0));
    expect_error_at(images, "header gives 0 samples, expected 1 to 2147483647");
}

Test(fmnist, label_out_of_range_names_index_and_value)
{
    Blob lb = blob_idx_labels(4);
    lb.p[8 + 3] = 10;
    damage("train-labels-idx1-ubyte.gz", lb);
    expect_error_at(labels, "label 10 at index 3 out of range [0, 10)");
}

/* Cuts the compressed stream: zlib reports the early end. */
Test(fmnist, truncated_gzip_stream_is_a_short_read)
{
    fx_fmnist(8, 2);
    paths();
    struct stat st;
    cr_assert_eq(stat(images, &st), 0);
    cr_assert_eq(truncate(images, st.st_size / 2), 0);
    Dataset d;
    QbErr err = {{0}};
    cr_assert_eq(dataset_open(&d, "fmnist", fx_dir, DATA_TRAIN, &err), -1);
    char want[1024];
    int n = snprintf(want, sizeof want, "%s: truncated: expected 6272 bytes of pixels, got ",
                     images);
    cr_assert_eq(strncmp(err.msg, want, (size_t)n), 0, "%s", err.msg);
    cr_assert(strstr(err.msg, "(zlib: unexpected end of file)"), "%s", err.msg);
}

/* A flipped bit in the gzip trailer's CRC is only seen once the stream ends. */
Test(fmnist, crc_mismatch_is_reported_as_corrupt)
{
    fx_fmnist(8, 2);
    paths();
    FILE *f = fopen(images, "r+b");
    cr_assert_not_null(f);
    cr_assert_eq(fseek(f, -8, SEEK_END), 0);
    int c = fgetc(f);
    cr_assert_eq(fseek(f, -8, SEEK_END), 0);
    fputc(c ^ 0x40, f);
    fclose(f);
    expect_error_at(images, "corrupt (zlib: incorrect data check)");
}

/* All data present, but the gzip trailer (CRC and length) is cut short or off. */
Test(fmnist, cut_gzip_trailer_is_truncation)
{
    for (int cut = 8; cut >= 3; cut -= 5) {
        fx_fmnist(8, 2);
        paths();
        struct stat st;
        cr_assert_eq(stat(images, &st), 0);
        cr_assert_eq(truncate(images, st.st_size - cut), 0);
        expect_error_at(images, "truncated: the gzip stream ends inside its trailer");
    }
}

Test(fmnist, dir_argument_wins_over_qbench_data)
{
    fx_fmnist(3, 2);
    setenv("QBENCH_DATA", "/nonexistent-qbench", 1);
    Dataset d;
    QbErr err = {{0}};
    cr_assert_eq(dataset_open(&d, "fmnist", fx_dir, DATA_TEST, &err), 0, "%s", err.msg);
    cr_assert_eq(d.count, 2);
    dataset_free(&d);
}

Test(fmnist, qbench_data_replaces_the_default_without_the_deps_hint)
{
    fx_fmnist(3, 2);
    setenv("QBENCH_DATA", fx_dir, 1);
    Dataset d;
    QbErr err = {{0}};
    cr_assert_eq(dataset_open(&d, "fmnist", NULL, DATA_TEST, &err), 0, "%s", err.msg);
    cr_assert_str_eq(d.source, fx_dir);
    dataset_free(&d);
    setenv("QBENCH_DATA", "/nonexistent-qbench", 1);
    cr_assert_eq(dataset_open(&d, "fmnist", NULL, DATA_TEST, &err), -1);
    cr_assert_str_eq(err.msg, "/nonexistent-qbench/t10k-images-idx3-ubyte.gz: cannot open (No "
                              "such file or directory)");
}

Test(fmnist, unknown_format_lists_the_known_ones_and_the_nearest)
{
    Dataset d;
    QbErr err = {{0}};
    cr_assert_eq(dataset_open(&d, "mnist", fx_dir, DATA_TRAIN, &err), -1);
    cr_assert_str_eq(err.msg, "unknown data format 'mnist'; expected one of: fmnist, cifar10, "
                              "npy, synth; did you mean 'fmnist'?");
    DataOptions o = {.classes = 5};
    cr_assert_eq(dataset_open_opts(&d, "fmnist", fx_dir, &o, DATA_TRAIN, &err), -1);
    cr_assert_str_eq(err.msg, "fmnist has 10 classes, not 5");
}

static void class_counts(const Dataset *d, int *counts)
{
    memset(counts, 0, 10 * sizeof(int));
    for (int i = 0; i < d->count; i++) {
        cr_assert(d->labels[i] >= 0 && d->labels[i] < 10, "label %d at %d", d->labels[i], i);
        counts[d->labels[i]]++;
    }
}

/* The real set: 60000 + 10000 balanced samples, and its pixel mean is the constant used. */
Test(fmnist_real, loads_both_splits_from_the_default_directory)
{
    unsetenv("QBENCH_DATA");
    Dataset tr, te;
    QbErr err = {{0}};
    if (access(REAL_DIR, F_OK) != 0) {
        cr_assert_eq(dataset_open(&tr, "fmnist", NULL, DATA_TRAIN, &err), -1);
        cr_assert_str_eq(err.msg, REAL_DIR "/train-images-idx3-ubyte.gz: cannot open (No such "
                                  "file or directory); run make deps (package "
                                  "dataset-fashion-mnist)");
        cr_skip_test("no Fashion-MNIST at " REAL_DIR);
    }
    cr_assert_eq(dataset_open(&tr, "fmnist", NULL, DATA_TRAIN, &err), 0, "%s", err.msg);
    cr_assert_eq(dataset_open(&te, "fmnist", NULL, DATA_TEST, &err), 0, "%s", err.msg);
    cr_assert_eq(tr.count, 60000);
    cr_assert_eq(te.count, 10000);
    cr_assert(tr.dims.c == 1 && tr.dims.h == 28 && tr.dims.w == 28);
    int counts[10];
    class_counts(&tr, counts);
    for (int k = 0; k < 10; k++)
        cr_assert_eq(counts[k], 6000, "class %d", k);
    class_counts(&te, counts);
    for (int k = 0; k < 10; k++)
        cr_assert_eq(counts[k], 1000, "class %d", k);
    double sum = 0.0;
    for (size_t i = 0; i < (size_t)tr.count * 784; i++)
        sum += tr.u8[i];
    cr_assert_float_eq(sum / 255.0 / ((double)tr.count * 784), tr.mean[0], 5e-4);
    dataset_free(&tr);
    dataset_free(&te);
}
