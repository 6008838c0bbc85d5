/* cifar10: binary batches written here (records of label + R, G, B planes), damaged variants
 * with their exact messages. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fixtures.h"

TestSuite(cifar, .init = fx_setup, .fini = fx_teardown);

static const int per_file[5] = {2, 3, 1, 2, 2};

static void expect_error_at(const char *name, const char *what)
{
    char path[600], want[1300];
    fx_path(path, sizeof path, name);
    snprintf(want, sizeof want, "%s: %s", path, what);
    Dataset d;
    QbErr err = {{0}};
    cr_assert_eq(dataset_open(&d, "cifar10", fx_dir, DATA_TRAIN, &err), -1);
    cr_assert_str_eq(err.msg, want);
}

Test(cifar, concatenates_the_five_batches_in_order)
{
    fx_cifar(per_file, 3);
    Dataset d;
    QbErr err = {{0}};
    cr_assert_eq(dataset_open(&d, "cifar10", fx_dir, DATA_TRAIN, &err), 0, "%s", err.msg);
    cr_assert_eq(d.count, 10);
    cr_assert(d.dims.c == 3 && d.dims.h == 32 && d.dims.w == 32);
    cr_assert_eq(d.classes, 10);
    for (int i = 0; i < 10; i++) {
        cr_assert_eq(d.labels[i], i % 10);
        for (int p = 0; p < 3072; p += 101)
            cr_assert_eq(d.u8[i * 3072 + p], fx_pixel(i, p), "sample %d value %d", i, p);
    }
    const float mean[3] = {0.4914f, 0.4822f, 0.4465f}, std[3] = {0.2470f, 0.2435f, 0.2616f};
    cr_assert_arr_eq(d.mean, mean, sizeof mean);
    cr_assert_arr_eq(d.std, std, sizeof std);
    dataset_free(&d);
    cr_assert_eq(dataset_open(&d, "cifar10", fx_dir, DATA_TEST, &err), 0, "%s", err.msg);
    cr_assert_eq(d.count, 3);
    cr_assert_str_eq(d.name, "cifar10/test");
    dataset_free(&d);
}

/* Value p of a record is plane p / 1024 (R, G, B), row (p % 1024) / 32, column p % 32:
 * kept as C,H,W, so the green plane starts at 1024. */
Test(cifar, planes_are_red_green_blue)
{
    fx_cifar(per_file, 1);
    Dataset d;
    QbErr err = {{0}};
    cr_assert_eq(dataset_open(&d, "cifar10", fx_dir, DATA_TEST, &err), 0, "%s", err.msg);
    cr_assert_float_eq(dataset_pixel(&d, 0, 1024 + 5 * 32 + 7),
                       fx_pixel(0, 1024 + 5 * 32 + 7) / 255.0f, 1e-7);
    dataset_free(&d);
}

Test(cifar, size_not_a_multiple_of_the_record_is_truncation)
{
    fx_cifar(per_file, 1);
    Blob b = blob_cifar(0, 3);
    fx_write("data_batch_3.bin", b.p, b.n - 100);
    blob_free(&b);
    expect_error_at("data_batch_3.bin",
                    "size 9119 is not a positive multiple of the 3073-byte record (2 records and "
                    "2973 bytes over): truncated, or not the binary version");
}

Test(cifar, empty_file_is_an_error)
{
    fx_cifar(per_file, 1);
    fx_write("data_batch_5.bin", "", 0);
    expect_error_at("data_batch_5.bin",
                    "size 0 is not a positive multiple of the 3073-byte record (0 records and "
                    "0 bytes over): truncated, or not the binary version");
}

Test(cifar, missing_batch_names_the_path)
{
    fx_cifar(per_file, 1);
    char path[600];
    fx_path(path, sizeof path, "data_batch_4.bin");
    unlink(path);
    expect_error_at("data_batch_4.bin", "cannot open (No such file or directory)");
}

Test(cifar, label_out_of_range_names_record)
{
    fx_cifar(per_file, 1);
    Blob b = blob_cifar(2, 3);
    b.p[3073] = 11;
    fx_write("data_batch_2.bin", b.p, b.n);
    blob_free(&b);
    expect_error_at("data_batch_2.bin", "label 11 at index 1 out of range [0, 10)");
}

Test(cifar, needs_a_directory)
{
    unsetenv("QBENCH_DATA");
    Dataset d;
    QbErr err = {{0}};
    cr_assert_eq(dataset_open(&d, "cifar10", NULL, DATA_TRAIN, &err), -1);
    cr_assert_str_eq(err.msg, "cifar10: no data directory given and QBENCH_DATA is not set");
}
