/* The command line as users type it: exit codes, usage errors, and the tools' outputs on
 * small cases with known answers. Runs the built binary ($QBENCH_BIN, set by make test). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/data/npy.h"
#include "tests/support/scratch.h"
#include "tests/support/shell.h"

static char dir[128];

static void setup(void) { scratch_make(dir, sizeof dir, "cli"); }
static void teardown(void) { scratch_remove(dir); }

TestSuite(cli, .init = setup, .fini = teardown);

Test(cli, unknown_command_and_flags_exit_2_with_usage)
{
    char out[8192];
    cr_assert_eq(qbench_run(dir, "frobnicate", out, sizeof out), 2);
    cr_assert(strstr(out, "unknown command"), "%s", out);
    cr_assert_eq(qbench_run(dir, "macs --net resnet20 --bogus 1", out, sizeof out), 2);
    cr_assert(strstr(out, "--bogus") && strstr(out, "usage: qbench macs"), "%s", out);
    cr_assert_eq(qbench_run(dir, "macs --net resnet20 --input 3x32", out, sizeof out), 2);
    cr_assert(strstr(out, "CxHxW"), "%s", out);
    cr_assert_eq(qbench_run(dir, "train --epochs 0", out, sizeof out), 2);
    cr_assert(strstr(out, "--epochs 0"), "%s", out);
    cr_assert_eq(qbench_run(dir, "macs --help", out, sizeof out), 0);
}

Test(cli, a_misspelt_command_or_flag_gets_the_nearest)
{
    char out[8192];
    cr_assert_eq(qbench_run(dir, "expnad", out, sizeof out), 2);
    cr_assert(strstr(out, "unknown command 'expnad'; did you mean 'expand'?"), "%s", out);
    cr_assert(strstr(out, "commands:"), "the command list follows: %s", out);
    cr_assert_eq(qbench_run(dir, "macs --nte resnet20", out, sizeof out), 2);
    cr_assert(strstr(out, "unknown option '--nte'; did you mean '--net'?"), "%s", out);
    cr_assert_eq(qbench_run(dir, "train --epoch 3", out, sizeof out), 2);
    cr_assert(strstr(out, "unknown option '--epoch'; did you mean '--epochs'?"), "%s", out);
    cr_assert_eq(qbench_run(dir, "train --optimizer adma", out, sizeof out), 2);
    cr_assert(strstr(out, "--optimizer adma: expected one of sgd, adam; did you mean 'adam'?"),
              "%s", out);
    cr_assert_eq(qbench_run(dir, "train --scheme lsq --set lsq_weight_range=symetric", out,
                            sizeof out), 2);
    cr_assert(strstr(out, "--set lsq_weight_range=symetric: expected lsq|symmetric, got "
                          "'symetric'; did you mean 'symmetric'?"), "%s", out);
    cr_assert_eq(qbench_run(dir, "macs --net resnet21", out, sizeof out), 2);
    cr_assert(strstr(out, "unknown network 'resnet21'; expected one of: resnet20") &&
                  strstr(out, "did you mean 'resnet20'?"), "%s", out);
}

Test(cli, macs_json_has_the_totals)
{
    char out[1 << 16];
    cr_assert_eq(qbench_run(dir, "macs --net resnet20 --input 1x28x28 --classes 10 --json", out, sizeof out), 0);
    cr_assert(strstr(out, "\"params\": 272186") && strstr(out, "\"macs\": 31021952") &&
                  strstr(out, "\"bitops\"") && strstr(out, "\"size_bytes\"") &&
                  strstr(out, "\"layers\": ["),
              "%.400s", out);
}

Test(cli, levels_of_2bit_lsq_activations)
{
    char out[1024];
    cr_assert_eq(qbench_run(dir, "levels --method lsq --bits 2 --role act --json", out, sizeof out), 0);
    cr_assert(strstr(out, "[0, 0.33333333333333331, 0.66666666666666663, 1]"), "%s", out);
    cr_assert_eq(qbench_run(dir, "levels --method lsq --bits 1 --role act", out, sizeof out), 1);
    cr_assert(strstr(out, "2..8"), "%s", out);
    cr_assert_eq(qbench_run(dir, "levels --method lsq --bits 2", out, sizeof out), 2);
    cr_assert(strstr(out, "--role weight|act is required"), "%s", out);
}

/* FORMULAS.md §2, worked test: 2-bit activations, s = 0.5, dL/dy = 1. */
Test(cli, quantize_reproduces_the_lsq_worked_example)
{
    const float x[8] = {-0.3f, 0.0f, 0.24f, 0.25f, 0.26f, 0.75f, 1.5f, 1.6f};
    const float ones[8] = {1, 1, 1, 1, 1, 1, 1, 1};
    const float want_y[8] = {0, 0, 0, 0, 0.5f, 1.0f, 1.5f, 1.5f}, want_dx[8] = {0, 1, 1, 1, 1, 1, 1, 0};
    const int64_t shape[2] = {1, 8};
    char px[256], pdy[256], out[4096];
    QbErr err = {{0}};
    snprintf(px, sizeof px, "%s/x.npy", dir);
    snprintf(pdy, sizeof pdy, "%s/dy.npy", dir);
    cr_assert_eq(npy_write(px, NPY_F32, 2, shape, x, &err), 0, "%s", err.msg);
    cr_assert_eq(npy_write(pdy, NPY_F32, 2, shape, ones, &err), 0, "%s", err.msg);
    cr_assert_eq(qbench_run(dir, "quantize --method lsq --bits 2 --role act --in x.npy --out y.npy "
                        "--grad-in dy.npy --grad-out dx.npy --set step=0.5 --params-out p.json",
                        out, sizeof out), 0, "%s", out);
    NpyArray y, dx;
    char py[256], pdx[256];
    snprintf(py, sizeof py, "%s/y.npy", dir);
    snprintf(pdx, sizeof pdx, "%s/dx.npy", dir);
    cr_assert_eq(npy_read(py, &y, &err), 0, "%s", err.msg);
    cr_assert_eq(npy_read(pdx, &dx, &err), 0, "%s", err.msg);
    cr_assert_arr_eq(y.data, want_y, sizeof want_y);
    cr_assert_arr_eq(dx.data, want_dx, sizeof want_dx);
    npy_free(&y);
    npy_free(&dx);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "cat %s/p.json", dir);
    cr_assert_eq(shell_run(cmd, out, sizeof out), 0, "%s", out);
    cr_assert(strstr(out, "\"step\": 0.5") && strstr(out, "\"step\": 0.612372"), "%s", out);
}

/* Writes x and dy (1 x n float32) into the scratch dir as x.npy and dy.npy. */
static void write_pair(const float *x, const float *dy, int n)
{
    const int64_t shape[2] = {1, n};
    char px[256], pdy[256];
    QbErr err = {{0}};
    snprintf(px, sizeof px, "%s/x.npy", dir);
    snprintf(pdy, sizeof pdy, "%s/dy.npy", dir);
    cr_assert_eq(npy_write(px, NPY_F32, 2, shape, x, &err), 0, "%s", err.msg);
    cr_assert_eq(npy_write(pdy, NPY_F32, 2, shape, dy, &err), 0, "%s", err.msg);
}

/* Asserts the scratch file `name` holds n floats within tol of want. */
static void expect_npy(const char *name, const double *want, int n, double tol)
{
    char path[256];
    NpyArray a;
    QbErr err = {{0}};
    snprintf(path, sizeof path, "%s/%s", dir, name);
    cr_assert_eq(npy_read(path, &a, &err), 0, "%s", err.msg);
    const float *v = a.data;
    for (int i = 0; i < n; i++)
        cr_assert_float_eq(v[i], want[i], tol, "%s[%d] = %.7g, want %g", name, i, v[i], want[i]);
    npy_free(&a);
}

/* Runs `qbench quantize` with args on x.npy and dy.npy, checks y.npy and dx.npy, and asserts
 * that the parameters JSON holds each of the strings in grads. */
static void expect_quantize(const char *args, const double *want_y, const double *want_dx, int n,
                            double tol, const char *const grads[3])
{
    char cmd[512], out[4096];
    snprintf(cmd, sizeof cmd, "quantize %s --in x.npy --out y.npy --grad-in dy.npy "
             "--grad-out dx.npy --params-out p.json", args);
    cr_assert_eq(qbench_run(dir, cmd, out, sizeof out), 0, "%s", out);
    expect_npy("y.npy", want_y, n, 1e-7);
    expect_npy("dx.npy", want_dx, n, tol);
    snprintf(cmd, sizeof cmd, "cat %s/p.json", dir);
    cr_assert_eq(shell_run(cmd, out, sizeof out), 0, "%s", out);
    for (int i = 0; i < 3; i++)
        cr_assert(strstr(out, grads[i]), "%s: no %s in %s", args, grads[i], out);
}

/* FORMULAS.md §13.7: DSQ, 2-bit activations, l = 0, u = 3, α = 0.2, dL/dy = 1. */
Test(cli, quantize_and_levels_reproduce_the_dsq_worked_test)
{
    const float x[8] = {-0.5f, 0.2f, 0.5f, 1.3f, 1.5f, 2.9f, 3.0f, 3.4f};
    const float ones[8] = {1, 1, 1, 1, 1, 1, 1, 1};
    const double want_y[8] = {0, 0, 0, 1, 2, 3, 3, 3};
    const double want_dx[8] = {0, 0.914782, 1.373265, 1.138820, 1.373265, 0.689047, 0.494376, 0};
    static const char *const grads[3] = {"0.646883", "1.36956", "0.350136"}; /* l, u, α */
    char out[4096];
    write_pair(x, ones, 8);
    expect_quantize("--method dsq --bits 2 --role act --set lower=0 --set upper=3 --set alpha=0.2",
                    want_y, want_dx, 8, 2e-6, grads);
    cr_assert_eq(qbench_run(dir, "levels --method dsq --bits 2 --role weight --json", out,
                        sizeof out), 0);
    cr_assert(strstr(out, "[-1, -0.33333333333333331, 0.33333333333333331, 1]"), "%s", out);
    cr_assert_eq(qbench_run(dir, "levels --method dsq --bits 9 --role act", out, sizeof out), 1);
    cr_assert(strstr(out, "dsq needs 2..8 bits for activations, got 9"), "%s", out);
    cr_assert_eq(qbench_run(dir, "quantize --method dsq --bits 2 --role act --in x.npy --out y.npy "
                        "--set dsq_forward=tanh", out, sizeof out), 1);
    cr_assert(strstr(out, "dsq option dsq_forward: expected hard|soft, got 'tanh'"), "%s", out);
}

/* FORMULAS.md §14.4: QIL, 3-bit weights, c = 0.5, d = 0.3, γ = 1, dL/dw̄ = 1. */
Test(cli, quantize_and_levels_reproduce_the_qil_worked_test)
{
    const float w[8] = {-1.0f, -0.5f, -0.1f, 0.26f, 0.35f, 0.62f, 0.75f, 0.9f};
    const float ones[8] = {1, 1, 1, 1, 1, 1, 1, 1};
    const double t = 1.0 / 3, s = 1.0 / 0.6;
    const double want_y[8] = {-1, -2 * t, 0, 0, t, 2 * t, 1, 1}, want_dx[8] = {0, s, 0, s, s, s, s, 0};
    /* 0.01 times the gradient sums of c, d and γ */
    static const char *const grads[3] = {"-0.0499999", "0.00111111", "-0.00559691"};
    char out[4096];
    write_pair(w, ones, 8);
    expect_quantize("--method qil --bits 3 --role weight --set center=0.5 --set distance=0.3 "
                    "--set gamma=1", want_y, want_dx, 8, 1e-5, grads);
    cr_assert_eq(qbench_run(dir, "levels --method qil --bits 2 --role weight --json", out,
                        sizeof out), 0);
    cr_assert(strstr(out, "[-1, 0, 1]"), "2-bit QIL weights are ternary: %s", out);
    cr_assert_eq(qbench_run(dir, "quantize --method qil --bits 4 --role act --in x.npy --out y.npy "
                        "--signed", out, sizeof out), 1);
    cr_assert(strstr(out, "qil maps activations onto [0, 1]"), "%s", out);
}

/* FORMULAS.md §15.6: LQ-Net, 2-bit activations with the basis [0.5, 1] (0.25 on a threshold
 * goes down; no gradient above the top level 1.5), then weights with a per-channel basis set
 * by one list; the state JSON holds the basis. */
Test(cli, quantize_and_levels_reproduce_the_lqnet_worked_test)
{
    const float x[6] = {0.1f, 0.3f, 0.25f, 0.8f, 1.2f, 2.0f};
    const float ones[6] = {1, 1, 1, 1, 1, 1};
    const double want_y[6] = {0, 0.5, 0, 1, 1, 1.5}, want_dx[6] = {1, 1, 1, 1, 1, 0};
    static const char *const state[3] = {"\"state\"", "\"basis\": [", "\"basis_steps\": 0"};
    char out[4096];
    write_pair(x, ones, 6);
    expect_quantize("--method lqnet --bits 2 --role act --set basis=0.5,1", want_y, want_dx, 6, 0,
                    state);
    const float w[6] = {-0.9f, -0.3f, 0.0f, 0.1f, 0.6f, 0.4f};
    const double want_w[6] = {-0.75, -0.25, -0.25, 0.25, 0.75, 0.25};
    write_pair(w, ones, 6);
    expect_quantize("--method lqnet --bits 2 --role weight --set basis=0.25,0.5", want_w, (const double[6]){1, 1, 1, 1, 1, 1},
                    6, 0, state);
    cr_assert_eq(qbench_run(dir, "levels --method lqnet --bits 2 --role weight --json", out,
                        sizeof out), 0);
    cr_assert(strstr(out, "[-1, -0.33333333333333331, 0.33333333333333331, 1]"), "%s", out);
    cr_assert_eq(qbench_run(dir, "levels --method lqnet --bits 9 --role act", out, sizeof out), 1);
    cr_assert(strstr(out, "lqnet needs 2..8 bits for activations, got 9"), "%s", out);
    cr_assert_eq(qbench_run(dir, "quantize --method lqnet --bits 2 --role act --in x.npy "
                        "--out y.npy --set basis=0.5,1,2", out, sizeof out), 1);
    cr_assert(strstr(out, "--set basis=0.5,1,2: 3 values for 2 entries"), "%s", out);
    cr_assert_eq(qbench_run(dir, "quantize --method lqnet --bits 2 --role act --in x.npy "
                        "--out y.npy --set basis=0.5,x", out, sizeof out), 1);
    cr_assert(strstr(out, "--set basis=0.5,x: expected a number or numbers separated by commas"),
              "%s", out);
}

/* Runs `qbench cmd` in the scratch dir: exit status rc and `want` in its output. */
static void expect_run(const char *cmd, int rc, const char *want)
{
    char out[4096];
    cr_assert_eq(qbench_run(dir, cmd, out, sizeof out), rc, "%s: %s", cmd, out);
    cr_assert(strstr(out, want), "%s: no '%s' in %s", cmd, want, out);
}

/* FORMULAS.md §16.6: DAQ, 2-bit activations, u = 3, σ = 2, T = 2, dL/dy = 1. */
Test(cli, quantize_and_levels_reproduce_the_daq_worked_test)
{
    const float x[6] = {0.2f, 0.7f, 1.5f, 2.4f, 3.0f, 3.5f};
    const float ones[6] = {1, 1, 1, 1, 1, 1};
    const double want_y[6] = {0, 1.0 / 3, 1.0 / 3, 2.0 / 3, 1, 1};
    const double want_dx[6] = {0.229117, 0.292677, 0.739080, 0.415345, 0.165717, 0};
    /* u as set, and the sum of the elements' ∂y/∂u, −0.951098 */
    static const char *const grads[3] = {"\"params\"", "\"upper\": 3", "-0.9510"};
    write_pair(x, ones, 6);
    expect_quantize("--method daq --bits 2 --role act --set upper=3", want_y, want_dx, 6, 2e-6,
                    grads);
    expect_run("levels --method daq --bits 2 --role weight --json", 0,
               "[-1, -0.33333333333333331, 0.33333333333333331, 1]");
    expect_run("quantize --method daq --bits 2 --role act --in x.npy --out y.npy "
               "--set daq_a_sigma=0", 1,
               "daq option daq_a_sigma: expected a number in (0, 1000], got '0'");
}

/* FORMULAS.md §17.4: FAQ, 2-bit activations calibrated at the 90th percentile of 0..10. */
Test(cli, quantize_and_levels_reproduce_the_faq_worked_test)
{
    float x[11], ones[11];
    for (int i = 0; i < 11; i++)
        x[i] = (float)i, ones[i] = 1.0f;
    const double want_y[11] = {0, 0, 3, 3, 3, 6, 6, 6, 9, 9, 9};
    const double want_dx[11] = {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0};
    char out[4096];
    write_pair(x, ones, 11);
    cr_assert_eq(qbench_run(dir, "quantize --method faq --bits 2 --role act --in x.npy --out y.npy "
                        "--grad-in dy.npy --grad-out dx.npy --set faq_act_percentile=90", out,
                        sizeof out), 0, "%s", out);
    expect_npy("y.npy", want_y, 11, 1e-6);
    expect_npy("dx.npy", want_dx, 11, 0);
    expect_run("levels --method faq --bits 2 --role weight --json", 0, "[-1, 0, 1]");
    expect_run("levels --method faq --bits 9 --role act", 1,
               "faq needs 2..8 bits for activations, got 9");
    expect_run("quantize --method faq --bits 2 --role act --in x.npy --out y.npy "
               "--set faq_act_percentile=101", 1,
               "faq option faq_act_percentile: expected a number in (0, 100], got '101'");
}

Test(cli, quantize_names_a_bad_input_file)
{
    char out[2048], path[256];
    snprintf(path, sizeof path, "%s/bad.npy", dir);
    FILE *f = fopen(path, "wb");
    fputs("\x93NUMPY garbage", f);
    fclose(f);
    cr_assert_eq(qbench_run(dir, "quantize --method lsq --bits 4 --role act --in bad.npy --out y.npy", out,
                        sizeof out), 1);
    cr_assert(strstr(out, "bad.npy"), "%s", out);
}

/* ASQ paper Table 1 (FORMULAS.md §9.3): adapter overhead on ResNet-18 at 8/4/3/2 bits. */
Test(cli, macs_reproduces_asq_table1)
{
    const char *bits[4] = {"8", "4", "3", "2"};
    const char *param[4] = {"2.67%", "5.34%", "7.11%", "10.67%"};
    const char *compute[4] = {"0.04%", "0.07%", "0.10%", "0.14%"};
    for (int i = 0; i < 4; i++) {
        char args[256], out[1 << 17];
        snprintf(args, sizeof args,
                 "macs --net resnet18 --input 3x224x224 --classes 1000 --scheme asq --bits %s",
                 bits[i]);
        cr_assert_eq(qbench_run(dir, args, out, sizeof out), 0, "%.300s", out);
        const char *line = strstr(out, "ASQ overhead");
        cr_assert(line && strstr(line, "307091 adapter params") && strstr(line, "306112 adapter MACs") &&
                      strstr(line, "311846 extra params"), "%s", line ? line : out);
        char want[96];
        snprintf(want, sizeof want, "Param %s, Compute %s", param[i], compute[i]);
        cr_assert(strstr(line, want), "%d bits: want %s in %s", i, want, line);
    }
}

/* Every help that takes a quantizer option or a field names the command that lists them, and
 * that command prints the options table. */
Test(cli, helps_name_where_the_settings_are_listed)
{
    static const char *const options_helps[] = {"train --help", "levels --help",
                                                 "quantize --help"};
    static const char *const field_helps[] = {"expand --help", "run-cell --help",
                                              "report --help", "rules --help"};
    char out[65536];
    for (size_t i = 0; i < sizeof options_helps / sizeof *options_helps; i++) {
        cr_assert_eq(qbench_run(dir, options_helps[i], out, sizeof out), 0, "%s", out);
        cr_expect(strstr(out, "qbench schema --options"), "%s: %s", options_helps[i], out);
    }
    for (size_t i = 0; i < sizeof field_helps / sizeof *field_helps; i++) {
        cr_assert_eq(qbench_run(dir, field_helps[i], out, sizeof out), 0, "%s", out);
        cr_expect(strstr(out, "qbench schema"), "%s: %s", field_helps[i], out);
    }
    cr_assert_eq(qbench_run(dir, "schema --options", out, sizeof out), 0, "%s", out);
    cr_expect(strstr(out, "| option | values | default | method | meaning |") &&
              strstr(out, "| `lsq_grad_scale` | batch, per_sample | `batch` | lsq |") &&
              !strstr(out, "### `train:` fields"), "%s", out);
}
