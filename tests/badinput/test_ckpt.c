/* Bad checkpoints through `qbench eval --net small_cnn --checkpoint FILE --data synth`:
 * truncated, bit-flipped, damaged behind a valid checksum, and checkpoints of other
 * networks. The valid one is saved by checkpoint_save from the net eval builds. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "core/checkpoint.h"
#include "core/threads.h"
#include "nets/registry.h"
#include "bad.h"

TestSuite(badckpt, .init = bad_setup, .fini = bad_teardown);

/* eval on synth builds the net for 1x28x28 inputs and 10 classes. */
static void save_net(const char *path, const char *name, float width)
{
    NetOptions o;
    Net net;
    QbErr err = {{0}};
    net_options_defaults(&o);
    o.input = (Dims){1, 28, 28};
    o.width = width;
    threads_set(1);
    cr_assert_eq(net_build(&net, name, &o, &err), 0, "%s", err.msg);
    cr_assert_eq(net_alloc(&net, 1, 1, &err), 0, "%s", err.msg);
    cr_assert_eq(checkpoint_save(path, &net, NULL, NULL, &err), 0, "%s", err.msg);
    net_free(&net);
}

static void eval_expect(const char *what, const char *ckpt, const char *expect)
{
    char args[1200];
    snprintf(args, sizeof args, "eval --net small_cnn --checkpoint %s --data synth", ckpt);
    bad_expect(what, args, ckpt, expect);
}

/* The valid checkpoint's bytes; *n gets the size. */
static unsigned char *valid_bytes(size_t *n)
{
    char path[512], args[700];
    bad_path(path, sizeof path, "valid.ckpt", 0);
    save_net(path, "small_cnn", 1.0f);
    snprintf(args, sizeof args, "eval --net small_cnn --checkpoint %s --data synth", path);
    bad_expect_ok("valid checkpoint", args);
    return bad_read(path, n);
}

static void write_case(const char *name, const unsigned char *p, size_t n, int fix_crc,
                       char *path, size_t cap)
{
    unsigned char *copy = malloc(n + 1);
    cr_assert(copy);
    memcpy(copy, p, n);
    if (fix_crc) {
        uint32_t crc = (uint32_t)crc32(0L, copy, (uInt)(n - 4));
        memcpy(copy + n - 4, &crc, 4);
    }
    bad_path(path, cap, name, 0);
    bad_write(path, copy, n);
    free(copy);
}

Test(badckpt, truncated_and_flipped)
{
    size_t n;
    char path[512];
    unsigned char *v = valid_bytes(&n);
    write_case("half.ckpt", v, n / 2, 0, path, sizeof path);
    eval_expect("cut in half", path, "checksum mismatch");
    write_case("short.ckpt", v, 10, 0, path, sizeof path);
    eval_expect("10 bytes", path, "truncated checkpoint (10 bytes)");
    write_case("empty.ckpt", v, 0, 0, path, sizeof path);
    eval_expect("empty", path, "truncated checkpoint (0 bytes)");
    v[n / 2] ^= 0x10;
    write_case("flip.ckpt", v, n, 0, path, sizeof path);
    eval_expect("one bit flipped", path, "checksum mismatch");
    free(v);
}

/* Damage the checksum does not catch (it is recomputed): the parser's own checks. The
 * header is magic(8) version(4) count(4) epoch, step, opt step, seed (8 each), then the
 * config, metrics and model record texts (4-byte lengths, empty here), then the first tensor
 * record:
 * kind(1) name length(2) name ... */
Test(badckpt, damaged_behind_a_valid_checksum)
{
    size_t n;
    char path[512];
    unsigned char *v = valid_bytes(&n);
    unsigned char *d = malloc(n);
    cr_assert(d);
    static const struct {
        const char *name;
        size_t at;
        unsigned char byte;
        const char *expect;
    } cases[] = {
        {"magic.ckpt", 0, 'X', "not a qbench checkpoint"},
        {"version.ckpt", 8, 3, "checkpoint format version 3"},
        {"count.ckpt", 12, 0xff, "truncated checkpoint"},
        {"config.ckpt", 51, 0x7f, "config length"},
        {"record.ckpt", 59, 0x7f, "model record length"},
        {"kind.ckpt", 60, 7, "corrupt tensor record"},
        {"namelen.ckpt", 62, 0x40, "corrupt tensor record"},
        {"name.ckpt", 63, 'X', "does not exist in this network"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        memcpy(d, v, n);
        d[cases[i].at] = cases[i].byte;
        write_case(cases[i].name, d, n, 1, path, sizeof path);
        eval_expect(cases[i].name, path, cases[i].expect);
    }
    write_case("extra.ckpt", v, n - 4, 1, path, sizeof path);
    eval_expect("a tensor short", path, "claims 64 floats, only 252 bytes remain");
    free(d);
    free(v);
}

Test(badckpt, other_networks)
{
    char path[512];
    bad_path(path, sizeof path, "resnet20.ckpt", 0);
    save_net(path, "resnet20", 1.0f);
    eval_expect("resnet20 checkpoint", path, "does not exist in this network");
    bad_path(path, sizeof path, "half-width.ckpt", 0);
    save_net(path, "small_cnn", 0.5f);
    eval_expect("small_cnn at width 0.5", path, "has shape 8x1x3x3 in the checkpoint but 16x1x3x3");
}

Test(badckpt, not_a_checkpoint)
{
    char path[512];
    bad_path(path, sizeof path, "text.ckpt", 0);
    bad_write(path, "name: experiment\n", 17);
    eval_expect("a YAML file", path, "checksum mismatch");
    bad_path(path, sizeof path, "dir.ckpt", 1);
    eval_expect("a directory", path, NULL);
    bad_path(path, sizeof path, "missing.ckpt", 0);
    eval_expect("missing", path, "cannot open");
}
