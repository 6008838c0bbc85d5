/* `qbench export --onnx` as users run it, on smoke-trained cells: the model python3-onnx's
 * checker and strict shape inference accept, with the operators each scheme is written with
 * (full precision: no quantization nodes; LSQ: one QuantizeLinear/Clip/DequantizeLinear per
 * quantized input, int8 weight codes in the 4-bit range inside, 8-bit at the first and last
 * layers); and the inputs it dumps are the test split. A checkpoint without a record (format
 * 1), a scheme with no ONNX form, a missing --onnx and an unwritable path are one located
 * error each, leaving no file. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "core/data/npy.h"
#include "tests/support/hfix.h"
#include "tests/support/shell.h"

/* Full precision, 4-bit LSQ and 4-bit ASQ (whose adapter the exporter refuses): an epoch of
 * 1x16x16 gratings each. */
#define EXP "name: exportcell\ntitle: T\ntable: {layout: bits, metric: final}\n"               \
            "matrix: {nets: [small_cnn], schemes: [fp, lsq, asq], bits: [4]}\n"                \
            "train: {data: synth, input: 1x16x16, width: 0.25, epochs: 1, train_subset: 128, " \
            "batch: 16, lr: 0.05, crop_pad: 0}\n"
#define PYTHON "/usr/bin/python3"
#define STRUCTURE "tests/export/onnx_structure.py"

/* The checkpoint of the cell of `scheme`, trained once per test process through run-cell. */
static const char *trained(const char *scheme)
{
    static char paths[3][900];
    static const char *const schemes[3] = {"fp", "lsq", "asq"};
    int k = 0;
    while (k < 3 && strcmp(schemes[k], scheme))
        k++;
    cr_assert_lt(k, 3);
    if (paths[k][0])
        return paths[k];
    char base[850];
    hfix_trained_cell("exportcell", EXP, scheme, strcmp(scheme, "fp") ? 4 : 0, base, sizeof base);
    snprintf(paths[k], sizeof paths[k], "%s.ckpt", base);
    return paths[k];
}

/* Exports `scheme`'s cell to <scratch>/<scheme>.onnx and returns the structure summary. */
static void exported_structure(const char *scheme, char *summary, size_t cap)
{
    char args[2000], out[1 << 14], cmd[2000];
    snprintf(args, sizeof args, "export --onnx --checkpoint %s --out %s/%s.onnx",
             trained(scheme), hfix_dir(), scheme);
    cr_assert_eq(qbench_run(NULL, args, out, sizeof out), 0, "%s: %s", args, out);
    snprintf(cmd, sizeof cmd, PYTHON " " STRUCTURE " %s/%s.onnx", hfix_dir(), scheme);
    int rc = shell_run(cmd, summary, cap);
    if (rc == 3 || access(PYTHON, X_OK) != 0)
        cr_skip_test("python3-onnx is absent (make deps installs it): %s", summary);
    cr_assert_eq(rc, 0, "%s: %s", cmd, summary);
}

Test(export, full_precision_passes_the_checker_with_no_quantization_nodes)
{
    char s[1 << 14];
    exported_structure("fp", s, sizeof s);
    cr_assert(strstr(s, "opset 13\n"), "%s", s);
    cr_assert(strstr(s, "input Nx1x16x16 output Nx10\n"), "%s", s);
    cr_assert(strstr(s, "ops BatchNormalization=3 Conv=3 Flatten=3 Gemm=1 GlobalAveragePool=1 "
                        "MaxPool=2 Relu=3\n"), "%s", s);
    cr_assert(strstr(s, "initializers FLOAT=17\n"), "%s", s);
}

Test(export, lsq_is_quantize_clip_dequantize_with_int8_weight_codes)
{
    char s[1 << 14];
    exported_structure("lsq", s, sizeof s);
    cr_assert(strstr(s, "input Nx1x16x16 output Nx10\n"), "%s", s);
    /* One input chain and one weight dequantization per conv and linear layer. */
    cr_assert(strstr(s, "ops BatchNormalization=3 Clip=4 Conv=3 DequantizeLinear=8 Flatten=3 "
                        "Gemm=1 GlobalAveragePool=1 MaxPool=2 QuantizeLinear=4 Relu=3\n"),
              "%s", s);
    int lo, hi;
    const char *at = strstr(s, "weight conv2.wq.codes codes ");
    cr_assert(at && sscanf(at, "weight conv2.wq.codes codes %d %d", &lo, &hi) == 2, "%s", s);
    cr_assert(lo >= -8 && hi <= 7 && hi > lo, "4-bit codes expected: %s", s);
    at = strstr(s, "weight conv1.wq.codes codes ");
    cr_assert(at && sscanf(at, "weight conv1.wq.codes codes %d %d", &lo, &hi) == 2, "%s", s);
    cr_assert(lo >= -128 && hi <= 127, "%s", s);
    cr_assert(strstr(s, "weight fc.wq.codes"), "%s", s);
}

/* The dumped inputs are the whole test split, one sample per row of eval's logits. */
Test(export, dumped_inputs_match_the_evaluated_logits)
{
    char args[2000], out[1 << 14], in[900], lg[900];
    snprintf(in, sizeof in, "%s/in.npy", hfix_dir());
    snprintf(lg, sizeof lg, "%s/lg.npy", hfix_dir());
    snprintf(args, sizeof args, "export --onnx --checkpoint %s --out %s/x.onnx --dump-inputs %s",
             trained("lsq"), hfix_dir(), in);
    cr_assert_eq(qbench_run(NULL, args, out, sizeof out), 0, "%s", out);
    snprintf(args, sizeof args, "eval --checkpoint %s --dump-logits %s", trained("lsq"), lg);
    cr_assert_eq(qbench_run(NULL, args, out, sizeof out), 0, "%s", out);
    NpyArray a, b;
    QbErr err = {{0}};
    cr_assert_eq(npy_read(in, &a, &err), 0, "%s", err.msg);
    cr_assert_eq(npy_read(lg, &b, &err), 0, "%s", err.msg);
    cr_assert(a.type == NPY_F32 && a.ndim == 4 && a.shape[1] == 1 && a.shape[2] == 16 &&
              a.shape[3] == 16 && a.shape[0] == b.shape[0] && a.shape[0] > 0);
    npy_free(&a);
    npy_free(&b);
}

/* An error of `args`, which must name `what` and leave nothing at `left`. */
static void refused(const char *args, const char *what, const char *left)
{
    char out[1 << 14];
    cr_assert_neq(qbench_run(NULL, args, out, sizeof out), 0, "%s: %s", args, out);
    cr_assert(strstr(out, what), "%s: expected \"%s\" in: %s", args, what, out);
    cr_assert_eq(hfix_count(out, "qbench export:"), 1, "one error: %s", out);
    if (left)
        cr_assert_neq(access(left, F_OK), 0, "%s was written", left);
}

Test(export, what_has_no_onnx_form_is_one_located_error_and_no_file)
{
    char args[2000], path[900];
    snprintf(path, sizeof path, "%s/asq.onnx", hfix_dir());
    snprintf(args, sizeof args, "export --onnx --checkpoint %s --out %s", trained("asq"), path);
    refused(args, "layer conv2: its input quantizer (asq) computes its step at inference", path);
    snprintf(args, sizeof args, "export --checkpoint %s --out %s", trained("lsq"), path);
    refused(args, "name the format: --onnx", path);
    snprintf(args, sizeof args, "export --onnx --checkpoint %s --out %s/no/such/dir/m.onnx",
             trained("lsq"), hfix_dir());
    refused(args, "no/such/dir/m.onnx", NULL);
    snprintf(args, sizeof args, "export --onnx --checkpoint %s/none.ckpt --out %s", hfix_dir(),
             path);
    refused(args, "none.ckpt", path);
    /* The committed starting points are format 1: no record to rebuild from. */
    snprintf(args, sizeof args, "export --onnx --checkpoint nets/pretrained/small_cnn-fmnist.ckpt "
             "--out %s", path);
    refused(args, "checkpoint format 1 has no model record", path);
}
