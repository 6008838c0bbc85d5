/* `qbench eval --checkpoint FILE` as users run it: a trained cell's checkpoint rebuilt from its
 * record reproduces the final top-1 its result file recorded, and its dumped logits score the
 * same; a checkpoint of format 1 asks for its settings, by name and value, and evaluates with
 * them; a broken record, a disagreeing flag and an unwritable logits file are one error each,
 * leaving nothing behind. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "core/atomic_file.h"
#include "core/data/dataset.h"
#include "core/data/npy.h"
#include "core/jsonr.h"
#include "tests/support/ckptfix.h"
#include "tests/support/hfix.h"
#include "tests/support/shell.h"

/* One 4-bit LSQ cell: an epoch of 1x16x16 gratings. */
#define EXP "name: evalcell\ntitle: T\ntable: {layout: bits, metric: final}\n"                 \
            "matrix: {nets: [small_cnn], schemes: [lsq], bits: [4]}\n"                         \
            "train: {data: synth, input: 1x16x16, width: 0.25, epochs: 1, train_subset: 256, " \
            "batch: 16, lr: 0.05, crop_pad: 0}\n"

static char ckpt[900], result[900];

/* Trains the cell once per test process through run-cell; its checkpoint and result paths. */
static void trained_cell(void)
{
    if (ckpt[0])
        return;
    char base[850];
    hfix_trained_cell("evalcell", EXP, "lsq", 4, base, sizeof base);
    snprintf(ckpt, sizeof ckpt, "%s.ckpt", base);
    snprintf(result, sizeof result, "%s.json", base);
}

static double json_number(const char *text, const char *path, const char *what)
{
    JsonV *v;
    QbErr err = {{0}};
    cr_assert_eq(json_parse(text, what, &v, &err), 0, "%s: %s", err.msg, text);
    const JsonV *x = json_at(v, path);
    cr_assert(x && x->type == JV_NUM, "%s: no number at %s: %s", what, path, text);
    double n = x->num;
    json_free(v);
    return n;
}

/* eval's --json top-1 of args. */
static double eval_top1(const char *args)
{
    char out[1 << 14];
    cr_assert_eq(qbench_run(NULL, args, out, sizeof out), 0, "%s: %s", args, out);
    return json_number(out, "top1", args);
}

/* The share of test samples whose largest logit is their label, in percent. */
static double logits_top1(const char *path)
{
    NpyArray a;
    Dataset d;
    QbErr err = {{0}};
    DataOptions o = {.dims = {1, 16, 16}};
    cr_assert_eq(npy_read(path, &a, &err), 0, "%s", err.msg);
    cr_assert_eq(dataset_open_opts(&d, "synth", NULL, &o, DATA_TEST, &err), 0, "%s", err.msg);
    cr_assert(a.type == NPY_F32 && a.ndim == 2 && a.shape[0] == d.count &&
              a.shape[1] == d.classes, "%s: expected float32 %d x %d", path, d.count, d.classes);
    const float *x = a.data;
    long hits = 0;
    for (int i = 0; i < d.count; i++) {
        int best = 0;
        for (int k = 1; k < d.classes; k++)
            best = x[i * d.classes + k] > x[i * d.classes + best] ? k : best;
        hits += best == d.labels[i];
    }
    double top1 = 100.0 * (double)hits / d.count;
    npy_free(&a);
    dataset_free(&d);
    return top1;
}

TestSuite(eval);

Test(eval, a_cells_checkpoint_reproduces_its_recorded_final_top1_exactly, .timeout = 60)
{
    char args[2000], logits[1000], text[1 << 15];
    trained_cell();
    hfix_read(result, text, sizeof text);
    double recorded = json_number(text, "final.test_top1", result);
    snprintf(logits, sizeof logits, "%s/logits.npy", hfix_dir());
    snprintf(args, sizeof args, "eval --checkpoint %s --json --dump-logits %s", ckpt, logits);
    cr_assert_eq(eval_top1(args), recorded, "eval's top-1 differs from the result's %.10g",
                 recorded);
    cr_assert_eq(logits_top1(logits), recorded);
}

Test(eval, a_format_1_checkpoint_names_the_flags_it_needs_and_evaluates_with_them,
     .timeout = 60)
{
    char old[1000], args[2400], out[1 << 14], rec[2000];
    trained_cell();
    snprintf(old, sizeof old, "%s/old.ckpt", hfix_dir());
    ckptfix_as_format_1(ckpt, old);
    snprintf(args, sizeof args, "eval --checkpoint %s", old);
    cr_assert_eq(qbench_run(NULL, args, out, sizeof out), 2, "%s", out);
    cr_assert(strstr(out, "checkpoint format 1 has no model record"), "%s", out);
    const char *says = strstr(out, "its training configuration says:");
    cr_assert(says, "%s", out);
    for (const char *want = "--net small_cnn\0--scheme lsq\0--wbits 4\0--width 0.25\0"
                            "--input 1x16x16\0--data synth\0";
         *want; want += strlen(want) + 1)
        cr_assert(strstr(says, want), "no %s in: %s", want, out);
    snprintf(rec, sizeof rec, "eval --checkpoint %s --json", ckpt);
    snprintf(args, sizeof args, "eval --checkpoint %s --json --batch 16 %s", old,
             says + strlen("its training configuration says:"));
    args[strcspn(args, "\n")] = '\0';
    cr_assert_eq(eval_top1(args), eval_top1(rec));
}

/* The cell's checkpoint with `from` in its texts replaced by `to` (as long), CRC renewed. */
static void edited(const char *path, const char *from, const char *to)
{
    size_t n;
    char *b;
    QbErr err = {{0}};
    cr_assert_eq(file_read_all(ckpt, &b, &n, &err), 0, "%s", err.msg);
    char *at = memmem(b, n, from, strlen(from));
    cr_assert(at && strlen(from) == strlen(to), "no %s in %s", from, ckpt);
    memcpy(at, to, strlen(to));
    uint32_t crc = (uint32_t)crc32(0L, (const Bytef *)b, (uInt)(n - 4));
    memcpy(b + n - 4, &crc, 4);
    cr_assert_eq(atomic_write(path, b, n, &err), 0, "%s", err.msg);
    free(b);
}

static void expect_error(const char *args, const char *want)
{
    char out[1 << 14];
    int rc = qbench_run(NULL, args, out, sizeof out);
    cr_assert(rc != 0 && strstr(out, want), "%s: expected an error with '%s', got %d: %s", args,
              want, rc, out);
    cr_assert_eq(hfix_count(out, "qbench eval:"), 1, "not one error: %s", out);
}

Test(eval, bad_records_flags_and_outputs_are_one_located_error, .timeout = 60)
{
    char bad[1000], args[2400], logits[1000];
    trained_cell();
    snprintf(bad, sizeof bad, "%s/unknown-scheme.ckpt", hfix_dir());
    edited(bad, "\"scheme\":\"lsq\"", "\"scheme\":\"zzz\"");
    snprintf(args, sizeof args, "eval --checkpoint %s", bad);
    expect_error(args, "unknown-scheme.ckpt: its model record: unknown scheme 'zzz'");
    snprintf(bad, sizeof bad, "%s/broken-record.ckpt", hfix_dir());
    edited(bad, "\"record_version\":1", "\"record_version\":7");
    snprintf(args, sizeof args, "eval --checkpoint %s", bad);
    expect_error(args, "broken-record.ckpt: model record version 7");
    snprintf(args, sizeof args, "eval --checkpoint %s --net resnet20", ckpt);
    expect_error(args, "--net resnet20 disagrees with the checkpoint's record (small_cnn)");
    snprintf(logits, sizeof logits, "%s/no-such-dir/logits.npy", hfix_dir());
    snprintf(args, sizeof args, "eval --checkpoint %s --dump-logits %s", ckpt, logits);
    expect_error(args, "--dump-logits: ");
    cr_assert(!file_exists(logits));
}
