/* Checkpoint round trip, mismatched networks and damaged files. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "core/checkpoint.h"
#include "core/layers/layers.h"
#include "core/rng.h"
#include "core/threads.h"
#include "tests/support/gradcheck.h"

static void build(Net *net, int width, uint64_t seed)
{
    QbErr err = {{0}};
    threads_set(1);
    net_init(net, (Dims){1, 6, 6});
    int c = layer_conv2d(net, "conv1", NET_INPUT, (Conv2dSpec){width, 3, 1, 1, 1, 0}, &err);
    int b = layer_bn2d(net, "bn1", c, &err);
    int g = layer_gap(net, "pool", b, &err);
    int f = layer_flatten(net, "flat", g, &err);
    cr_assert_geq(layer_linear(net, "fc", f, 3, 1, &err), 0, "%s", err.msg);
    cr_assert_eq(net_alloc(net, 2, 1, &err), 0, "%s", err.msg);
    Rng r = rng_stream(seed, "init");
    net_init_params(net, &r);
}

/* Two nets of the same shape, differently initialised, with optimizers of different settings:
 * what one saves, the other loads. */
static void two_nets(Net *a, Optimizer *oa, Net *b, Optimizer *ob)
{
    build(a, 4, 1);
    build(b, 4, 2);
    optim_defaults(oa, 1e-4f);
    optim_defaults(ob, 0.0f);
}

static char path[256];

static void setup(void) { snprintf(path, sizeof path, "/tmp/qb-ckpt-test-%d.ckpt", (int)getpid()); }
static void teardown(void) { unlink(path); }

TestSuite(checkpoint, .init = setup, .fini = teardown);

Test(checkpoint, round_trip_restores_params_buffers_state_and_meta)
{
    Net a, b;
    QbErr err = {{0}};
    Optimizer oa, ob;
    two_nets(&a, &oa, &b, &ob);
    fill_normal(a.groups[PGROUP_WEIGHT].state, 2 * a.groups[PGROUP_WEIGHT].n, 5, 1.0f);
    net_buffer(&a, "bn1.running_mean")->data[2] = 0.75f;
    oa.step = 17;
    CkptMeta m = {3, 300, 42, "{\"net\":\"x\"}", "[1,2]", "{\"record_version\":1}", 0}, got = {0};
    cr_assert_eq(checkpoint_save(path, &a, &oa, &m, &err), 0, "%s", err.msg);
    cr_assert_eq(checkpoint_load(path, &b, &ob, &got, CKPT_RESUME, &err), 0, "%s", err.msg);
    for (int i = 0; i < a.nparams; i++)
        cr_assert_arr_eq(a.params[i].w, b.params[i].w, a.params[i].numel * sizeof(float), "%s",
                         a.params[i].name);
    for (int g = 0; g < PGROUP_COUNT; g++)
        cr_assert_arr_eq(a.groups[g].state, b.groups[g].state, 2 * a.groups[g].n * sizeof(float));
    cr_assert_float_eq(net_buffer(&b, "bn1.running_mean")->data[2], 0.75f, 0.0f);
    cr_assert_eq(ob.step, 17);
    cr_assert_eq(got.epoch, 3);
    cr_assert_eq(got.step, 300);
    cr_assert_eq(got.seed, 42u);
    cr_assert_str_eq(got.config, "{\"net\":\"x\"}");
    cr_assert_str_eq(got.metrics, "[1,2]");
    cr_assert_str_eq(got.record, "{\"record_version\":1}");
    cr_assert_eq(got.version, CKPT_VERSION);
    ckpt_meta_free(&got);
    net_free(&a);
    net_free(&b);
}

Test(checkpoint, other_network_is_refused_naming_first_mismatching_tensor)
{
    Net a, b;
    QbErr err = {{0}};
    build(&a, 4, 1);
    build(&b, 8, 1);
    cr_assert_eq(checkpoint_save(path, &a, NULL, NULL, &err), 0, "%s", err.msg);
    cr_assert_eq(checkpoint_load(path, &b, NULL, NULL, CKPT_WEIGHTS, &err), -1);
    cr_assert(strstr(err.msg, "conv1.weight") && strstr(err.msg, "4x1x3x3") &&
                  strstr(err.msg, "8x1x3x3") && strstr(err.msg, path),
              "message: %s", err.msg);
    net_free(&a);
    net_free(&b);
}

static void damage_and_expect(long at, int truncate_to, const char *needle)
{
    Net a;
    QbErr err = {{0}};
    build(&a, 4, 1);
    cr_assert_eq(checkpoint_save(path, &a, NULL, NULL, &err), 0);
    FILE *f = fopen(path, "r+b");
    cr_assert(f);
    if (truncate_to >= 0) {
        cr_assert_eq(ftruncate(fileno(f), truncate_to), 0);
    } else {
        fseek(f, at, SEEK_SET);
        int c = fgetc(f);
        fseek(f, at, SEEK_SET);
        fputc(c ^ 0x5a, f);
    }
    fclose(f);
    cr_assert_eq(checkpoint_load(path, &a, NULL, NULL, CKPT_RESUME, &err), -1);
    cr_assert(strstr(err.msg, needle) && strstr(err.msg, path), "message: %s", err.msg);
    net_free(&a);
}

Test(checkpoint, flipped_byte_fails_the_checksum) { damage_and_expect(200, -1, "checksum mismatch"); }
Test(checkpoint, truncated_file_is_an_error) { damage_and_expect(0, 100, "checksum"); }
Test(checkpoint, tiny_file_is_truncated) { damage_and_expect(0, 5, "truncated"); }
Test(checkpoint, missing_file_names_path) {
    Net a;
    QbErr err = {{0}};
    build(&a, 4, 1);
    cr_assert_eq(checkpoint_load("/nonexistent/x.ckpt", &a, NULL, NULL, CKPT_RESUME, &err), -1);
    cr_assert(strstr(err.msg, "/nonexistent/x.ckpt"), "message: %s", err.msg);
    net_free(&a);
}

/* A format 1 file is a format 2 file without the record's text: the same bytes with the
 * version 1, the record length (at 48 + 4 + |config| + 4 + |metrics|) cut out, a new CRC. */
Test(checkpoint, format_1_without_a_record_still_resumes)
{
    Net a, b;
    QbErr err = {{0}};
    Optimizer oa, ob;
    two_nets(&a, &oa, &b, &ob);
    oa.step = 9;
    CkptMeta m = {1, 30, 5, "{}", "[]", NULL, 0}, got = {0};
    cr_assert_eq(checkpoint_save(path, &a, &oa, &m, &err), 0, "%s", err.msg);
    FILE *f = fopen(path, "rb");
    cr_assert(f);
    static unsigned char bytes[1 << 16];
    size_t n = fread(bytes, 1, sizeof bytes, f), cut = 48 + 4 + 2 + 4 + 2;
    fclose(f);
    uint32_t version = 1, crc;
    memcpy(bytes + 8, &version, 4);
    memmove(bytes + cut, bytes + cut + 4, n - cut - 4);
    n -= 4;
    crc = (uint32_t)crc32(0L, bytes, (uInt)(n - 4));
    memcpy(bytes + n - 4, &crc, 4);
    f = fopen(path, "wb");
    cr_assert(f && fwrite(bytes, 1, n, f) == n);
    fclose(f);
    cr_assert_eq(checkpoint_load(path, &b, &ob, &got, CKPT_RESUME, &err), 0, "%s", err.msg);
    cr_assert_eq(got.version, 1);
    cr_assert_null(got.record);
    cr_assert_eq(ob.step, 9);
    for (int i = 0; i < a.nparams; i++)
        cr_assert_arr_eq(a.params[i].w, b.params[i].w, a.params[i].numel * sizeof(float));
    ckpt_meta_free(&got);
    net_free(&a);
    net_free(&b);
}
