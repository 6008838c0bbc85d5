/* npy data sets: uint8 channels-last with int64 labels, float32 channels-first with int32
 * labels, layout detection, statistics from the training split, and bad pairs of files. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "core/data/npy.h"
#include "fixtures.h"

TestSuite(npyset, .init = fx_setup, .fini = fx_teardown);

static void write_npy(const char *name, NpyType t, int ndim, const int64_t *shape,
                      const void *data)
{
    char path[600];
    QbErr err = {{0}};
    fx_path(path, sizeof path, name);
    cr_assert_eq(npy_write(path, t, ndim, shape, data, &err), 0, "%s", err.msg);
}

/* n images (N,H,W,C) of uint8 with value fx_pixel(i, (y*W + x)*C + c), labels i % 3. */
static void write_u8_nhwc(const char *split, int n, int h, int w, int c)
{
    char name[64];
    unsigned char x[4096];
    int64_t y[64];
    for (int i = 0; i < n; i++) {
        y[i] = i % 3;
        for (int p = 0; p < h * w * c; p++)
            x[i * h * w * c + p] = fx_pixel(i, p);
    }
    snprintf(name, sizeof name, "%s_x.npy", split);
    write_npy(name, NPY_U8, 4, (int64_t[]){n, h, w, c}, x);
    snprintf(name, sizeof name, "%s_y.npy", split);
    write_npy(name, NPY_I64, 1, (int64_t[]){n}, y);
}

static void expect_error(const DataOptions *o, DataSplit split, const char *name,
                         const char *what)
{
    char path[600], want[1400];
    fx_path(path, sizeof path, name);
    snprintf(want, sizeof want, "%s: %s", path, what);
    Dataset d;
    QbErr err = {{0}};
    cr_assert_eq(dataset_open_opts(&d, "npy", fx_dir, o, split, &err), -1);
    cr_assert_str_eq(err.msg, want);
}

Test(npyset, uint8_channels_last_is_transposed_to_chw)
{
    write_u8_nhwc("train", 5, 4, 6, 3);
    Dataset d;
    QbErr err = {{0}};
    cr_assert_eq(dataset_open(&d, "npy", fx_dir, DATA_TRAIN, &err), 0, "%s", err.msg);
    cr_assert(d.dims.c == 3 && d.dims.h == 4 && d.dims.w == 6);
    cr_assert_eq(d.type, DATA_U8);
    cr_assert_eq(d.count, 5);
    cr_assert_eq(d.classes, 3, "inferred as max label + 1");
    for (int i = 0; i < 5; i++)
        for (int c = 0; c < 3; c++)
            for (int p = 0; p < 24; p++)
                cr_assert_eq(d.u8[i * 72 + c * 24 + p], fx_pixel(i, p * 3 + c),
                             "sample %d channel %d pixel %d", i, c, p);
    cr_assert_eq(d.labels[4], 1);
    dataset_free(&d);
}

/* Population statistics of the training split, computed here in double. */
static void stats_of(const float *x, int n, int c, int hw, int ch, double *mean, double *std)
{
    double s = 0, q = 0;
    for (int i = 0; i < n; i++)
        for (int p = 0; p < hw; p++)
            s += x[(i * c + ch) * hw + p];
    *mean = s / (n * hw);
    for (int i = 0; i < n; i++)
        for (int p = 0; p < hw; p++)
            q += pow(x[(i * c + ch) * hw + p] - *mean, 2);
    *std = sqrt(q / (n * hw));
}

Test(npyset, float_channels_first_takes_statistics_from_the_training_split)
{
    float tr[4 * 2 * 12], te[2 * 2 * 12];
    for (int i = 0; i < 96; i++)
        tr[i] = (float)((i * 37) % 23) * 0.5f - 3.0f + (i % 24 >= 12 ? 10.0f : 0.0f);
    for (int i = 0; i < 48; i++)
        te[i] = 100.0f + i;
    write_npy("train_x.npy", NPY_F32, 4, (int64_t[]){4, 2, 3, 4}, tr);
    write_npy("train_y.npy", NPY_I32, 1, (int64_t[]){4}, (int32_t[]){0, 1, 4, 2});
    write_npy("test_x.npy", NPY_F32, 4, (int64_t[]){2, 2, 3, 4}, te);
    write_npy("test_y.npy", NPY_I32, 1, (int64_t[]){2}, (int32_t[]){4, 0});
    Dataset a, b;
    QbErr err = {{0}};
    cr_assert_eq(dataset_open(&a, "npy", fx_dir, DATA_TRAIN, &err), 0, "%s", err.msg);
    cr_assert_eq(dataset_open(&b, "npy", fx_dir, DATA_TEST, &err), 0, "%s", err.msg);
    cr_assert(a.dims.c == 2 && a.dims.h == 3 && a.dims.w == 4 && a.type == DATA_F32);
    cr_assert_arr_eq(a.f32, tr, sizeof tr);
    cr_assert_float_eq(a.scale, 1.0f, 0.0f);
    for (int c = 0; c < 2; c++) {
        double m, s;
        stats_of(tr, 4, 2, 12, c, &m, &s);
        cr_assert_float_eq(a.mean[c], m, 1e-5, "channel %d", c);
        cr_assert_float_eq(a.std[c], s, 1e-5, "channel %d", c);
        cr_assert_float_eq(b.mean[c], a.mean[c], 0.0f, "test split uses training statistics");
        cr_assert_float_eq(b.std[c], a.std[c], 0.0f);
    }
    cr_assert_eq(b.classes, 5);
    cr_assert_eq(b.labels[0], 4);
    dataset_free(&a);
    dataset_free(&b);
}

static Dims dims_for(const int64_t *shape, DataLayout layout)
{
    unsigned char x[256] = {0};
    write_npy("train_x.npy", NPY_U8, 4, shape, x);
    write_npy("train_y.npy", NPY_U8, 1, shape, (unsigned char[8]){0});
    DataOptions o = {.layout = layout};
    Dataset d;
    QbErr err = {{0}};
    cr_assert_eq(dataset_open_opts(&d, "npy", fx_dir, &o, DATA_TRAIN, &err), 0, "%s", err.msg);
    Dims r = d.dims;
    dataset_free(&d);
    return r;
}

Test(npyset, layout_is_detected_or_forced)
{
    cr_assert_eq(dims_for((int64_t[]){2, 4, 5, 3}, DATA_LAYOUT_AUTO).c, 3);
    cr_assert_eq(dims_for((int64_t[]){2, 4, 5, 1}, DATA_LAYOUT_AUTO).c, 1);
    cr_assert_eq(dims_for((int64_t[]){2, 3, 5, 3}, DATA_LAYOUT_AUTO).w, 3, "second dim wins");
    cr_assert_eq(dims_for((int64_t[]){2, 4, 5, 6}, DATA_LAYOUT_AUTO).c, 4);
    cr_assert_eq(dims_for((int64_t[]){2, 3, 5, 3}, DATA_LAYOUT_NHWC).h, 3);
    cr_assert_eq(dims_for((int64_t[]){2, 4, 5, 3}, DATA_LAYOUT_NCHW).c, 4);
}

Test(npyset, three_dimensional_images_are_one_channel)
{
    unsigned char x[2 * 4 * 5] = {0};
    write_npy("train_x.npy", NPY_U8, 3, (int64_t[]){2, 4, 5}, x);
    write_npy("train_y.npy", NPY_I8, 1, (int64_t[]){2}, (int8_t[]){1, 0});
    Dataset d;
    QbErr err = {{0}};
    cr_assert_eq(dataset_open(&d, "npy", fx_dir, DATA_TRAIN, &err), 0, "%s", err.msg);
    cr_assert(d.dims.c == 1 && d.dims.h == 4 && d.dims.w == 5);
    cr_assert_eq(d.std[0], 1.0f, "a constant channel is only centred");
    dataset_free(&d);
}

Test(npyset, label_count_must_match_image_count)
{
    write_u8_nhwc("train", 4, 2, 2, 1);
    write_npy("train_y.npy", NPY_I64, 1, (int64_t[]){3}, (int64_t[]){0, 1, 2});
    char want[700];
    fx_path(want, sizeof want, "train_x.npy");
    strcat(want, " has 4 images");
    char what[800];
    snprintf(what, sizeof what, "3 labels, but %s", want);
    expect_error(NULL, DATA_TRAIN, "train_y.npy", what);
}

Test(npyset, unsupported_dtypes_and_shapes)
{
    write_u8_nhwc("train", 2, 2, 2, 1);
    write_npy("train_x.npy", NPY_I32, 4, (int64_t[]){2, 1, 2, 2}, (int32_t[8]){0});
    expect_error(NULL, DATA_TRAIN, "train_x.npy",
                 "image dtype int32 is not supported (expected uint8 or float32)");
    write_npy("train_x.npy", NPY_U8, 2, (int64_t[]){2, 4}, (uint8_t[8]){0});
    expect_error(NULL, DATA_TRAIN, "train_x.npy",
                 "images have shape (2, 4), expected (N, C, H, W), (N, H, W, C) or (N, H, W)");
    write_u8_nhwc("train", 2, 2, 2, 1);
    write_npy("train_y.npy", NPY_F32, 1, (int64_t[]){2}, (float[]){0, 1});
    expect_error(NULL, DATA_TRAIN, "train_y.npy", "label dtype float32 is not an integer type");
    write_npy("train_y.npy", NPY_I64, 2, (int64_t[]){2, 1}, (int64_t[]){0, 1});
    expect_error(NULL, DATA_TRAIN, "train_y.npy", "labels have shape (2, 1), expected (N,)");
}

Test(npyset, labels_out_of_range)
{
    write_u8_nhwc("train", 3, 2, 2, 1);
    write_npy("train_y.npy", NPY_I32, 1, (int64_t[]){3}, (int32_t[]){0, 1, -1});
    expect_error(NULL, DATA_TRAIN, "train_y.npy", "label -1 at index 2: expected 0 to 2147483646");
    DataOptions o = {.classes = 2};
    write_npy("train_y.npy", NPY_I32, 1, (int64_t[]){3}, (int32_t[]){0, 2, 1});
    expect_error(&o, DATA_TRAIN, "train_y.npy", "label 2 at index 1 out of range [0, 2)");
}

Test(npyset, test_label_unseen_in_training_is_out_of_range)
{
    write_u8_nhwc("train", 3, 2, 2, 1);
    write_u8_nhwc("test", 2, 2, 2, 1);
    write_npy("test_y.npy", NPY_I64, 1, (int64_t[]){2}, (int64_t[]){3, 0});
    expect_error(NULL, DATA_TEST, "test_y.npy", "label 3 at index 0 out of range [0, 3)");
}

Test(npyset, test_samples_must_match_training_samples)
{
    write_u8_nhwc("train", 3, 2, 2, 1);
    write_u8_nhwc("test", 2, 4, 2, 1);
    char what[800], train[600];
    fx_path(train, sizeof train, "train_x.npy");
    snprintf(what, sizeof what, "test samples are uint8 1x4x2, training samples (%s) uint8 1x2x2",
             train);
    expect_error(NULL, DATA_TEST, "test_x.npy", what);
}

Test(npyset, missing_and_truncated_files)
{
    expect_error(NULL, DATA_TRAIN, "train_x.npy", "cannot open (No such file or directory)");
    write_u8_nhwc("train", 3, 2, 2, 1);
    char path[600];
    fx_path(path, sizeof path, "train_x.npy");
    FILE *f = fopen(path, "r+b");
    cr_assert_eq(ftruncate(fileno(f), 128 + 10), 0);
    fclose(f);
    expect_error(NULL, DATA_TRAIN, "train_x.npy",
                 "expected 12 data bytes for shape (3, 2, 2, 1) uint8, file has 10");
}
