/* `qbench intrun --checkpoint FILE` as users run it, on smoke-trained ResNet-20 cells (option A
 * shortcuts, residual adds, global pooling): the integer network agrees with the
 * fake-quantized one on at least 99% of the test images for LSQ and APoT, its float top-1 is
 * `qbench eval`'s, and every conv/linear gets its line of code mismatches; a full-precision
 * checkpoint, a method without integer codes, ASQ's per-sample step and a checkpoint without a
 * model record are one located error each. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/atomic_file.h"
#include "tests/support/ckptfix.h"
#include "tests/support/hfix.h"
#include "tests/support/shell.h"

#define EXP "name: intruncell\ntitle: T\ntable: {layout: bits, metric: final}\n"               \
            "matrix: {nets: [resnet20], schemes: [lsq, apot, post, asq, fp], bits: [4]}\n"      \
            "train: {data: synth, input: 3x16x16, width: 0.25, epochs: 1, train_subset: 256, " \
            "batch: 16, lr: 0.05, crop_pad: 0, shortcut: a}\n"

/* The checkpoint of the cell of `scheme`, trained through run-cell on first use. */
static void trained(const char *scheme, char *ckpt, size_t cap)
{
    char base[850];
    hfix_trained_cell("intruncell", EXP, scheme, strcmp(scheme, "fp") ? 4 : 0, base, sizeof base);
    snprintf(ckpt, cap, "%s.ckpt", base);
}

/* A number printed after `label` in out. */
static double after(const char *out, const char *label)
{
    const char *at = strstr(out, label);
    cr_assert(at, "no '%s' in: %s", label, out);
    return strtod(at + strlen(label), NULL);
}

/* The integer run of scheme's cell: agreement >= 99%, eval's float top-1, and one mismatch
 * line per conv/linear (19 convolutions and fc) with no more than 2% of its codes off. */
static void agrees(const char *scheme, const char *wa)
{
    char ckpt[1000], args[1400], out[1 << 15], ev[1 << 14];
    trained(scheme, ckpt, sizeof ckpt);
    snprintf(args, sizeof args, "intrun --checkpoint %s", ckpt);
    cr_assert_eq(qbench_run(NULL, args, out, sizeof out), 0, "%s", out);
    cr_assert(strstr(out, ": 500 test images"), "%s", out);
    cr_assert_geq(after(out, "predictions agree on "), 99.0, "%s", out);
    snprintf(args, sizeof args, "eval --checkpoint %s", ckpt);
    cr_assert_eq(qbench_run(NULL, args, ev, sizeof ev), 0, "%s", ev);
    cr_assert_eq(after(out, "fake-quantized float (qbench eval's network) "),
                 after(ev, "top-1 "), "%s\n%s", out, ev);
    cr_assert_eq(hfix_count(out, wa), 18, "%s", out); /* the 4-bit convolutions */
    cr_assert_eq(hfix_count(out, "lsq8/lsq8"), 2, "%s", out); /* conv1 and fc at 8 bits */
    for (const char *line = strstr(out, "\nconv1 "); line && strncmp(line + 1, "total", 5);
         line = strchr(line + 1, '\n')) {
        const char *open = strchr(line, ')'); /* past the accumulator's "(bits)" */
        open = open ? strchr(open, '(') : NULL;
        cr_assert(open && strchr(open, '%'), "no mismatch share in: %.200s", line);
        cr_assert_leq(strtod(open + 1, NULL), 2.0, "%.200s", line);
    }
    cr_assert(strstr(out, "approximations: values between layers are fixed point with 16 "
                          "fraction bits"), "%s", out);
}

TestSuite(intrun);

Test(intrun, lsq_resnet20_runs_in_integers_and_agrees_with_its_evaluation, .timeout = 120)
{
    agrees("lsq", "lsq4/lsq4");
}

Test(intrun, apot_resnet20_runs_as_shift_adds_and_agrees_with_its_evaluation, .timeout = 120)
{
    char ckpt[1000], args[1400], out[1 << 15];
    agrees("apot", "apot4/apot4");
    trained("apot", ckpt, sizeof ckpt);
    snprintf(args, sizeof args, "intrun --checkpoint %s --limit 7", ckpt);
    cr_assert_eq(qbench_run(NULL, args, out, sizeof out), 0, "%s", out);
    cr_assert(strstr(out, ": 7 test images"), "%s", out);
    cr_assert_gt(after(out, "multiplies, "), 0.0, "APoT's layers count shifts: %s", out);
}

static void expect_error(const char *ckpt, const char *want)
{
    char args[1400], out[1 << 14];
    snprintf(args, sizeof args, "intrun --checkpoint %s", ckpt);
    int rc = qbench_run(NULL, args, out, sizeof out);
    cr_assert(rc != 0 && strstr(out, want), "%s: expected an error with '%s', got %d: %s", args,
              want, rc, out);
    cr_assert_eq(hfix_count(out, "qbench intrun:"), 1, "not one error: %s", out);
    cr_assert(strstr(out, ckpt), "the error does not name the file: %s", out);
}

Test(intrun, checkpoints_without_an_integer_form_are_one_located_error, .timeout = 120)
{
    char ckpt[1000], old[1000];
    trained("fp", ckpt, sizeof ckpt);
    expect_error(ckpt, "a full-precision checkpoint (its record names no scheme)");
    trained("post", ckpt, sizeof ckpt);
    expect_error(ckpt, "layer layer1.0.conv1: input quantizer post's levels are no integer "
                       "multiples of one unit");
    trained("asq", ckpt, sizeof ckpt);
    expect_error(ckpt, "input quantizer asq computes its step per sample (an adapter)");
    trained("lsq", ckpt, sizeof ckpt);
    snprintf(old, sizeof old, "%s/old.ckpt", hfix_dir());
    ckptfix_as_format_1(ckpt, old);
    expect_error(old, "checkpoint format 1 has no model record");
}
