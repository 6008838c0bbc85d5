/* `qbench intcheck` as users type it: exit codes, the report, and errors naming the flag.
 * Runs the built binary ($QBENCH_BIN, set by make test). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tests/support/shell.h"

Test(cli_intcheck, post_reports_zero_mismatches_and_both_methods)
{
    char out[8192];
    cr_assert_eq(qbench_run(NULL, "intcheck --scheme lsq+post --bits 3 --k 4 --n 64", out, sizeof out), 0,
                 "%s", out);
    cr_assert(strstr(out, "mismatches: 0"), "%s", out);
    cr_assert(strstr(out, "post exact") && strstr(out, "post lut") && strstr(out, "uniform"),
              "%s", out);
}

Test(cli_intcheck, json_has_the_paths_and_their_counts)
{
    char out[8192];
    cr_assert_eq(qbench_run(NULL, "intcheck --scheme apot --wbits 4 --abits 3 --k 2 --n 32 --json", out,
                        sizeof out), 0, "%s", out);
    cr_assert(strstr(out, "\"mismatches\": 0"), "%s", out);
    cr_assert(strstr(out, "\"path\": \"exact\"") && strstr(out, "\"path\": \"uniform\""), "%s", out);
    cr_assert(strstr(out, "\"denom\": 10"), "%s", out);
    cr_assert(!strstr(out, "\"lut\": {"), "apot has no table: %s", out);
}

Test(cli_intcheck, errors_name_the_flag)
{
    char out[8192];
    cr_assert_eq(qbench_run(NULL, "intcheck --scheme post --bits 2", out, sizeof out), 1);
    cr_assert(strstr(out, "--wbits 2") && strstr(out, "3..8"), "%s", out);
    cr_assert_eq(qbench_run(NULL, "intcheck --scheme lsq --bits 4", out, sizeof out), 2);
    cr_assert(strstr(out, "--scheme lsq: expected pot, post or apot"), "%s", out);
    cr_assert_eq(qbench_run(NULL, "intcheck --scheme pot", out, sizeof out), 2);
    cr_assert(strstr(out, "--bits"), "%s", out);
}

/* A trained layer: small_cnn's pretrained conv2 (32 x 16·3·3), run from the repository root. */
Test(cli_intcheck, checkpoint_layer_weights_are_checked)
{
    const char *ckpt = "nets/pretrained/small_cnn-fmnist.ckpt";
    cr_assert_eq(access(ckpt, R_OK), 0, "%s missing: run from the repository root (make test)",
                 ckpt);
    char out[8192], args[512];
    snprintf(args, sizeof args, "intcheck --scheme post --bits 4 --checkpoint %s --net small_cnn "
             "--input 1x28x28 --layer conv2", ckpt);
    cr_assert_eq(qbench_run(NULL, args, out, sizeof out), 0, "%s", out);
    cr_assert(strstr(out, "k=32 n=144, checkpoint weights") && strstr(out, "mismatches: 0"),
              "%s", out);
    snprintf(args, sizeof args, "intcheck --scheme post --bits 4 --checkpoint %s --net small_cnn "
             "--input 1x28x28 --layer pool1", ckpt);
    cr_assert_eq(qbench_run(NULL, args, out, sizeof out), 1, "%s", out);
    cr_assert(strstr(out, "--layer pool1: not a conv2d or linear layer"), "%s", out);
}

/* LQ-Net's binary-basis path through the command: zero mismatches and its counts. */
Test(cli_intcheck, lqnet_runs_the_binary_basis_path)
{
    char out[8192];
    cr_assert_eq(qbench_run(NULL, "intcheck --scheme lqnet --wbits 2 --abits 3 --k 4 --n 100", out,
                        sizeof out), 0, "%s", out);
    cr_assert(strstr(out, "mismatches: 0") && strstr(out, "4 of 4 weight channels off a uniform "
                                                          "grid"), "%s", out);
    cr_assert(strstr(out, "2400 one-bit products (MACs x 2 x 3), 48 AND+popcount words"), "%s",
              out);
    cr_assert_eq(qbench_run(NULL, "intcheck --scheme dsq --bits 2", out, sizeof out), 2);
    cr_assert(strstr(out, "or lqnet (binary basis)"), "%s", out);
}
