/* Bad .npy files: as a data set (`qbench train --data npy`) and as a tensor (`qbench
 * quantize --in`). Valid arrays come from npy_write; damaged ones from npy_raw, which writes
 * a header dictionary as given. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "core/data/npy.h"
#include "bad.h"

TestSuite(badnpy, .init = bad_setup, .fini = bad_teardown);

static const uint8_t pixels[2 * 64];

/* A version-1.0 .npy file with header `dict` (padded as NumPy does) and n data bytes. */
static void npy_raw(const char *path, const char *dict, const void *data, size_t n)
{
    static unsigned char buf[8192];
    size_t len = strlen(dict);
    size_t head = (10 + len + 1 + 63) / 64 * 64 - 10;
    memcpy(buf, "\x93NUMPY\x01\x00", 8);
    buf[8] = (unsigned char)(head & 0xff), buf[9] = (unsigned char)(head >> 8);
    memset(buf + 10, ' ', head);
    memcpy(buf + 10, dict, len);
    buf[10 + head - 1] = '\n';
    cr_assert_leq(10 + head + n, sizeof buf);
    memcpy(buf + 10 + head, data, n);
    bad_write(path, buf, 10 + head + n);
}

static void npy_valid(const char *path, NpyType t, int ndim, const int64_t *shape,
                      const void *data)
{
    QbErr err = {{0}};
    cr_assert_eq(npy_write(path, t, ndim, shape, data, &err), 0, "%s", err.msg);
}

/* A data directory with valid train and test splits: two 1x8x8 uint8 images, labels 0, 1.
 * `target` gets the path of the split file `file` (e.g. "train_x.npy"). */
static void npy_dir(const char *name, const char *file, char *dir, char *target, size_t cap)
{
    static const int64_t labels[2] = {0, 1}, xs[4] = {2, 1, 8, 8}, ys[1] = {2};
    static const char *const splits[2] = {"train", "test"};
    bad_path(dir, cap, name, 1);
    for (int s = 0; s < 2; s++) {
        char p[600];
        snprintf(p, sizeof p, "%s/%s_x.npy", dir, splits[s]);
        npy_valid(p, NPY_U8, 4, xs, pixels);
        snprintf(p, sizeof p, "%s/%s_y.npy", dir, splits[s]);
        npy_valid(p, NPY_I64, 1, ys, labels);
    }
    snprintf(target, cap, "%s/%s", dir, file);
}

static void train_expect(const char *what, const char *dir, const char *file, const char *expect)
{
    char args[1200];
    snprintf(args, sizeof args, "train --net small_cnn --data npy --data-dir %s --epochs 1 --quiet",
             dir);
    bad_expect(what, args, file, expect);
}

Test(badnpy, baseline_loads)
{
    char dir[512], file[600], args[1400];
    npy_dir("valid", "train_x.npy", dir, file, sizeof dir);
    snprintf(args, sizeof args, "eval --net small_cnn --checkpoint %s/none.ckpt --data npy "
             "--data-dir %s", bad_dir, dir);
    bad_expect("valid npy (fails at the checkpoint)", args, "none.ckpt", "cannot open");
}

Test(badnpy, truncated_long_and_bad_preamble)
{
    char dir[512], file[600];
    size_t n;
    npy_dir("cut", "train_x.npy", dir, file, sizeof dir);
    unsigned char *valid = bad_read(file, &n);
    bad_write(file, valid, n - 5);
    train_expect("data cut", dir, file, "expected 128 data bytes for shape (2, 1, 8, 8) uint8, "
                                        "file has 123");
    npy_dir("long", "train_x.npy", dir, file, sizeof dir);
    unsigned char more[512];
    memcpy(more, valid, n);
    bad_write(file, more, n + 3);
    train_expect("trailing data", dir, file, "file has 131");
    npy_dir("header-cut", "train_x.npy", dir, file, sizeof dir);
    bad_write(file, valid, 40);
    train_expect("header cut", dir, file, "truncated header");
    npy_dir("preamble-cut", "train_x.npy", dir, file, sizeof dir);
    bad_write(file, valid, 7);
    train_expect("preamble cut", dir, file, "not a .npy file");
    npy_dir("magic", "train_x.npy", dir, file, sizeof dir);
    memcpy(more, valid, n);
    more[1] = 'X';
    bad_write(file, more, n);
    train_expect("bad magic", dir, file, "bad magic");
    npy_dir("version", "train_x.npy", dir, file, sizeof dir);
    memcpy(more, valid, n);
    more[6] = 9;
    bad_write(file, more, n);
    train_expect("version 9", dir, file, "unsupported .npy version 9.0");
    npy_dir("hlen", "train_x.npy", dir, file, sizeof dir);
    memcpy(more, valid, n);
    more[8] = more[9] = 0xff;
    bad_write(file, more, n);
    train_expect("header length past the end", dir, file, "truncated header");
    npy_dir("hlen-v2", "train_x.npy", dir, file, sizeof dir);
    memcpy(more, valid, n);
    more[6] = 2, more[8] = more[9] = more[10] = more[11] = 0xff;
    bad_write(file, more, n);
    train_expect("4 GiB header length", dir, file, "truncated header");
    free(valid);
}

Test(badnpy, bad_header_dictionaries)
{
    static const struct {
        const char *name, *dict, *expect;
    } cases[] = {
        {"fortran", "{'descr': '|u1', 'fortran_order': True, 'shape': (2, 1, 8, 8), }",
         "fortran_order is True"},
        {"big-endian", "{'descr': '>u2', 'fortran_order': False, 'shape': (2, 1, 8, 4), }",
         "unsupported dtype '>u2'"},
        {"object", "{'descr': '|O', 'fortran_order': False, 'shape': (2, 1, 8, 8), }",
         "unsupported dtype '|O'"},
        {"no-descr", "{'fortran_order': False, 'shape': (2, 1, 8, 8), }", "no 'descr'"},
        {"no-order", "{'descr': '|u1', 'shape': (2, 1, 8, 8), }", "no 'fortran_order'"},
        {"no-shape", "{'descr': '|u1', 'fortran_order': False, }", "no 'shape'"},
        {"negative", "{'descr': '|u1', 'fortran_order': False, 'shape': (-2, 1, 8, 8), }",
         "bad 'shape'"},
        {"huge", "{'descr': '|u1', 'fortran_order': False, 'shape': (99999999999, 99999999999), }",
         "shape too large"},
        {"overflow", "{'descr': '|u1', 'fortran_order': False, "
                     "'shape': (99999999999999999999, 1), }", "bad 'shape'"},
        {"nine-dims", "{'descr': '|u1', 'fortran_order': False, "
                      "'shape': (1, 1, 1, 1, 1, 1, 1, 1, 1), }", "bad 'shape'"},
        {"unclosed", "{'descr': '|u1', 'fortran_order': False, 'shape': (2, 1, 8, 8", "bad 'shape'"},
        {"mismatch", "{'descr': '|u1', 'fortran_order': False, 'shape': (3, 1, 8, 8), }",
         "expected 192 data bytes for shape (3, 1, 8, 8) uint8, file has 128"},
        {"binary", "\x01\x02\xff\xfe", "no 'descr'"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char dir[512], file[600];
        npy_dir(cases[i].name, "train_x.npy", dir, file, sizeof dir);
        npy_raw(file, cases[i].dict, pixels, sizeof pixels);
        train_expect(cases[i].name, dir, file, cases[i].expect);
    }
}

Test(badnpy, images_of_the_wrong_kind)
{
    static const double f64[2 * 64];
    char dir[512], file[600];
    npy_dir("f64", "train_x.npy", dir, file, sizeof dir);
    npy_valid(file, NPY_F64, 4, (const int64_t[]){2, 1, 8, 8}, f64);
    train_expect("float64 images", dir, file, "image dtype float64 is not supported");
    npy_dir("5d", "train_x.npy", dir, file, sizeof dir);
    npy_valid(file, NPY_U8, 5, (const int64_t[]){2, 1, 1, 8, 8}, pixels);
    train_expect("5-d images", dir, file, "images have shape (2, 1, 1, 8, 8)");
    npy_dir("zero", "train_x.npy", dir, file, sizeof dir);
    npy_valid(file, NPY_U8, 4, (const int64_t[]){0, 1, 8, 8}, pixels);
    train_expect("no images", dir, file, "every dimension must be 1 to");
}

Test(badnpy, labels_of_the_wrong_kind)
{
    static const int64_t three[3] = {0, 1, 1}, negative[2] = {0, -1};
    static const float f32[2] = {0, 1};
    char dir[512], file[600];
    npy_dir("count", "train_y.npy", dir, file, sizeof dir);
    npy_valid(file, NPY_I64, 1, (const int64_t[]){3}, three);
    train_expect("3 labels for 2 images", dir, file, "3 labels, but");
    npy_dir("negative", "train_y.npy", dir, file, sizeof dir);
    npy_valid(file, NPY_I64, 1, (const int64_t[]){2}, negative);
    train_expect("label -1", dir, file, "label -1 at index 1");
    npy_dir("float", "train_y.npy", dir, file, sizeof dir);
    npy_valid(file, NPY_F32, 1, (const int64_t[]){2}, f32);
    train_expect("float labels", dir, file, "label dtype float32 is not an integer type");
    npy_dir("2d", "train_y.npy", dir, file, sizeof dir);
    npy_valid(file, NPY_I64, 2, (const int64_t[]){2, 1}, three);
    train_expect("2-d labels", dir, file, "labels have shape (2, 1), expected (N,)");
    npy_dir("missing", "train_y.npy", dir, file, sizeof dir);
    remove(file);
    train_expect("missing labels", dir, file, "cannot open");
}

static void quantize_expect(const char *what, const char *file, const char *expect)
{
    char args[1400];
    snprintf(args, sizeof args, "quantize --method lsq --bits 4 --role weight --in %s "
             "--out %s/y.npy", file, bad_dir);
    bad_expect(what, args, file, expect);
}

Test(badnpy, quantize_input)
{
    static const float x[8] = {0.5f, -0.25f, 1, 2, -1, 0, 0.125f, 3};
    static const int32_t ix[8];
    char file[600];
    bad_path(file, sizeof file, "x.npy", 0);
    npy_raw(file, "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 4), }", x, 30);
    quantize_expect("truncated", file, "expected 32 data bytes");
    npy_valid(file, NPY_I32, 2, (const int64_t[]){2, 4}, ix);
    quantize_expect("int32", file, "expected a float32 array");
    npy_valid(file, NPY_F32, 0, NULL, x);
    quantize_expect("scalar", file, "of 1 to 4 dimensions");
    npy_valid(file, NPY_F32, 5, (const int64_t[]){1, 2, 1, 2, 2}, x);
    quantize_expect("5-d", file, "of 1 to 4 dimensions");
    npy_valid(file, NPY_F32, 2, (const int64_t[]){0, 4}, x);
    quantize_expect("empty", file, "empty array of shape (0, 4)");
    npy_raw(file, "{'descr': '<f4', 'fortran_order': False, 'shape': (3000000000, 0), }", x, 0);
    quantize_expect("dimension past int", file, "empty array of shape (3000000000, 0)");
}
