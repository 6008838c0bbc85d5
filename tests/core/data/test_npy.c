/* npy reader and writer: round trips per dtype, NumPy's exact header layout, other
 * versions, and every kind of bad file with its message. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "core/data/npy.h"
#include "fixtures.h"

TestSuite(npy, .init = fx_setup, .fini = fx_teardown);

static char path[600];

/* A file with a hand-written header: version major.0, padded to 64 bytes like NumPy. */
static void write_raw(int major, const char *dict, const void *data, size_t n)
{
    unsigned char buf[1024];
    size_t pre = major == 1 ? 10 : 12, len = strlen(dict);
    size_t hlen = len + 1;
    while ((pre + hlen) % 64)
        hlen++;
    memcpy(buf, "\x93NUMPY", 6);
    buf[6] = (unsigned char)major;
    buf[7] = 0;
    buf[8] = (unsigned char)hlen;
    buf[9] = (unsigned char)(hlen >> 8);
    if (major != 1)
        buf[10] = buf[11] = 0;
    memset(buf + pre, ' ', hlen);
    memcpy(buf + pre, dict, len);
    buf[pre + hlen - 1] = '\n';
    memcpy(buf + pre + hlen, data, n);
    fx_write("a.npy", buf, pre + hlen + n);
    fx_path(path, sizeof path, "a.npy");
}

static void expect_error(const char *what)
{
    NpyArray a;
    QbErr err = {{0}};
    char want[1300];
    snprintf(want, sizeof want, "%s: %s", path, what);
    cr_assert_eq(npy_read(path, &a, &err), -1);
    cr_assert_str_eq(err.msg, want);
    cr_assert_null(a.data);
}

static const float f6[6] = {1.5f, -2.0f, 0.0f, 3.25f, 1e-7f, -0.0f};

Test(npy, round_trip_every_dtype)
{
    const unsigned char u8[6] = {0, 1, 2, 253, 254, 255};
    const int8_t i8[6] = {-128, -1, 0, 1, 2, 127};
    const int16_t i16[6] = {-32768, -1, 0, 1, 300, 32767};
    const int32_t i32[6] = {-7, 0, 1, 2, 1 << 30, -(1 << 30)};
    const int64_t i64[6] = {-1, 0, 1, 1LL << 40, -(1LL << 40), 5};
    const double f64[6] = {0.1, -0.2, 1e300, 0, 3, -4};
    const void *src[] = {u8, i8, i16, i32, i64, f6, f64};
    const int64_t shape[2] = {2, 3};
    fx_path(path, sizeof path, "t.npy");
    for (int t = NPY_U8; t <= NPY_F64; t++) {
        QbErr err = {{0}};
        NpyArray a;
        cr_assert_eq(npy_write(path, (NpyType)t, 2, shape, src[t], &err), 0, "%s", err.msg);
        cr_assert_eq(npy_read(path, &a, &err), 0, "%s: %s", npy_type_name((NpyType)t), err.msg);
        cr_assert_eq(a.type, (NpyType)t);
        cr_assert(a.ndim == 2 && a.shape[0] == 2 && a.shape[1] == 3 && a.count == 6);
        cr_assert_arr_eq(a.data, src[t], 6 * npy_type_size((NpyType)t), "%s",
                         npy_type_name((NpyType)t));
        npy_free(&a);
    }
}

/* Byte for byte what numpy.save writes for float32 (2, 3). */
Test(npy, header_matches_numpy)
{
    const int64_t shape[2] = {2, 3};
    QbErr err = {{0}};
    fx_path(path, sizeof path, "t.npy");
    cr_assert_eq(npy_write(path, NPY_F32, 2, shape, f6, &err), 0, "%s", err.msg);
    FILE *f = fopen(path, "rb");
    char bytes[256];
    size_t n = fread(bytes, 1, sizeof bytes, f);
    fclose(f);
    cr_assert_eq(n, 128 + 24);
    const char *dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }";
    cr_assert_eq(memcmp(bytes, "\x93NUMPY\x01\x00\x76\x00", 10), 0);
    cr_assert_eq(memcmp(bytes + 10, dict, strlen(dict)), 0);
    for (size_t i = 10 + strlen(dict); i < 127; i++)
        cr_assert_eq(bytes[i], ' ', "padding at %zu", i);
    cr_assert_eq(bytes[127], '\n');
}

Test(npy, scalar_and_empty_shapes_round_trip)
{
    QbErr err = {{0}};
    NpyArray a;
    fx_path(path, sizeof path, "t.npy");
    cr_assert_eq(npy_write(path, NPY_F32, 0, NULL, f6, &err), 0, "%s", err.msg);
    cr_assert_eq(npy_read(path, &a, &err), 0, "%s", err.msg);
    cr_assert(a.ndim == 0 && a.count == 1 && ((float *)a.data)[0] == 1.5f);
    npy_free(&a);
    const int64_t empty[2] = {0, 3};
    cr_assert_eq(npy_write(path, NPY_I32, 2, empty, f6, &err), 0, "%s", err.msg);
    cr_assert_eq(npy_read(path, &a, &err), 0, "%s", err.msg);
    cr_assert(a.ndim == 2 && a.shape[0] == 0 && a.shape[1] == 3 && a.count == 0);
    npy_free(&a);
}

/* The writer leaves no temporary file behind, and a failed write names the path. */
Test(npy, write_is_atomic_and_failure_names_the_path)
{
    const int64_t shape[1] = {6};
    QbErr err = {{0}};
    fx_path(path, sizeof path, "t.npy");
    cr_assert_eq(npy_write(path, NPY_F32, 1, shape, f6, &err), 0, "%s", err.msg);
    cr_assert_eq(npy_write(path, NPY_F32, 1, shape, f6, &err), 0, "%s", err.msg);
    DIR *dir = opendir(fx_dir);
    int files = 0;
    for (struct dirent *e; (e = readdir(dir));)
        files += e->d_name[0] != '.';
    closedir(dir);
    cr_assert_eq(files, 1);
    fx_path(path, sizeof path, "no-such-dir/t.npy");
    cr_assert_eq(npy_write(path, NPY_F32, 1, shape, f6, &err), -1);
    cr_assert(strstr(err.msg, "no-such-dir/t.npy"), "%s", err.msg);
}

Test(npy, reads_versions_2_and_3)
{
    for (int v = 2; v <= 3; v++) {
        write_raw(v, "{'descr': '<f4', 'fortran_order': False, 'shape': (6,), }", f6, 24);
        NpyArray a;
        QbErr err = {{0}};
        cr_assert_eq(npy_read(path, &a, &err), 0, "v%d: %s", v, err.msg);
        cr_assert_arr_eq(a.data, f6, sizeof f6);
        npy_free(&a);
    }
}

Test(npy, keys_in_any_order_and_one_byte_types_with_either_marker)
{
    write_raw(1, "{'shape': (2, 3), 'fortran_order': False, 'descr': '<u1'}", "abcdef", 6);
    NpyArray a;
    QbErr err = {{0}};
    cr_assert_eq(npy_read(path, &a, &err), 0, "%s", err.msg);
    cr_assert(a.type == NPY_U8 && a.count == 6);
    npy_free(&a);
}

Test(npy, fortran_order_is_an_error)
{
    write_raw(1, "{'descr': '<f4', 'fortran_order': True, 'shape': (2, 3), }", f6, 24);
    expect_error("fortran_order is True; only C-order arrays are supported");
}

Test(npy, bad_magic_and_version)
{
    fx_write("a.npy", "PK\x03\x04 not numpy", 15);
    fx_path(path, sizeof path, "a.npy");
    expect_error("not a .npy file (bad magic; expected \\x93NUMPY)");
    write_raw(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (6,), }", f6, 24);
    FILE *f = fopen(path, "r+b");
    fseek(f, 6, SEEK_SET);
    fputc(4, f);
    fclose(f);
    expect_error("unsupported .npy version 4.0 (expected 1.0, 2.0 or 3.0)");
}

Test(npy, unsupported_dtypes_are_named)
{
    write_raw(1, "{'descr': '<c8', 'fortran_order': False, 'shape': (3,), }", f6, 24);
    expect_error("unsupported dtype '<c8' (expected little-endian uint8, int8, int16, int32, "
                 "int64, float32 or float64)");
    write_raw(1, "{'descr': '>f4', 'fortran_order': False, 'shape': (6,), }", f6, 24);
    expect_error("unsupported dtype '>f4' (expected little-endian uint8, int8, int16, int32, "
                 "int64, float32 or float64)");
}

Test(npy, malformed_header_is_quoted)
{
    const char *h = "{'descr': '<f4', 'fortran_order': False, }";
    write_raw(1, h, f6, 24);
    char want[512];
    snprintf(want, sizeof want, "npy header malformed: no 'shape' tuple (header: %s)", h);
    expect_error(want);
    h = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, x), }";
    write_raw(1, h, f6, 24);
    snprintf(want, sizeof want, "npy header malformed: bad 'shape' (header: %s)", h);
    expect_error(want);
}

Test(npy, short_and_long_data_give_expected_and_actual_bytes)
{
    write_raw(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", f6, 20);
    expect_error("expected 24 data bytes for shape (2, 3) float32, file has 20");
    float more[7] = {0};
    write_raw(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", more, 28);
    expect_error("expected 24 data bytes for shape (2, 3) float32, file has 28");
}

Test(npy, truncated_header_gives_expected_and_actual_bytes)
{
    write_raw(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", f6, 0);
    FILE *f = fopen(path, "r+b");
    cr_assert_eq(ftruncate(fileno(f), 60), 0);
    fclose(f);
    expect_error("truncated header: expected 118 bytes, got 50");
}

Test(npy, missing_file_names_the_path)
{
    fx_path(path, sizeof path, "none.npy");
    expect_error("cannot open (No such file or directory)");
}
