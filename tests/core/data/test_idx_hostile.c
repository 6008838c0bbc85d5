/* The idx reader on headers that claim more images than the file can hold (found by
 * fuzzing, tests/fuzz/fuzz_idx.c): refused from the file's size before the pixels are
 * allocated, instead of allocating up to 1.6 TB for a 2 kB file. */
#include <criterion/criterion.h>
#include <limits.h>
#include <string.h>

#include "fixtures.h"

TestSuite(idx_hostile, .init = fx_setup, .fini = fx_teardown);

static void expect_refused(const char *size_text)
{
    Dataset d;
    QbErr err = {{0}};
    char images[600];
    fx_path(images, sizeof images, "train-images-idx3-ubyte.gz");
    cr_assert_eq(dataset_open(&d, "fmnist", fx_dir, DATA_TRAIN, &err), -1);
    cr_assert(strstr(err.msg, images) && strstr(err.msg, size_text) &&
                  strstr(err.msg, "file can hold"),
              "%s", err.msg);
    cr_assert_null(d.u8);
}

Test(idx_hostile, gzip_header_claiming_more_than_deflate_can_expand_to)
{
    fx_fmnist(4, 2);
    Blob im = blob_idx_images(4, 28, 28);
    put_be32(im.p + 4, 2000000);
    fx_write_gz("train-images-idx3-ubyte.gz", im);
    blob_free(&im);
    expect_refused("header gives 2000000 images (1568000000 bytes)");
}

Test(idx_hostile, plain_header_claiming_more_than_the_file)
{
    fx_fmnist(4, 2);
    Blob im = blob_idx_images(4, 28, 28);
    put_be32(im.p + 4, INT_MAX);
    fx_write("train-images-idx3-ubyte.gz", im.p, im.n);
    blob_free(&im);
    expect_refused("more than the 3152-byte file");
}
