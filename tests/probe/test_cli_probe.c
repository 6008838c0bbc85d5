/* `qbench probe` as users type it (the built binary, $QBENCH_BIN), and every plot script run
 * by gnuplot on what it wrote: each must exit 0 and leave a non-empty PNG and PDF. Skipped,
 * and reported as skipped, when gnuplot is not installed. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tests/support/scratch.h"
#include "tests/support/shell.h"

static void probe(const char *dir, const char *extra, char *out, size_t cap, int want_rc)
{
    const char *bin = test_qbench_bin();
    char cmd[2048];
    snprintf(cmd, sizeof cmd, "%s probe --net small_cnn --checkpoint "
             "nets/pretrained/small_cnn-fmnist.ckpt --data synth --batch 8 --bins 30 --out %s %s",
             bin, dir, extra);
    int rc = shell_run(cmd, out, cap);
    cr_assert_eq(rc, want_rc, "%s\n%s", cmd, out);
}

Test(cli_probe, writes_every_file_and_lists_them)
{
    char dir[64], out[8192], sub[128];
    scratch_make(dir, sizeof dir, "cli-probe");
    snprintf(sub, sizeof sub, "%s/new/data", dir); /* created, parents too */
    probe(sub, "--schemes lsq,asq --seed 4", out, sizeof out, 0);
    cr_assert(strstr(out, "layer conv3: 15 files in"), "%s", out);
    cr_assert(strstr(out, "  layer_error.dat\n"), "%s", out);
    char path[256];
    snprintf(path, sizeof path, "%s/act_summary.dat", sub);
    cr_assert_eq(access(path, R_OK), 0, "%s missing", path);
    scratch_remove(dir);
}

Test(cli_probe, bad_flags_are_usage_errors_naming_the_flag)
{
    char out[8192];
    probe("/tmp/unused", "--schemes lsq,nope", out, sizeof out, 2);
    cr_assert(strstr(out, "--schemes lsq,nope: unknown scheme 'nope'"), "%s", out);
    probe("/tmp/unused", "--qat-checkpoint lsq2=x", out, sizeof out, 2);
    cr_assert(strstr(out, "--qat-checkpoint lsq2=x: expected SCHEME:BITS=PATH"), "%s", out);
    probe("/tmp/unused", "--act-bits 1", out, sizeof out, 2);
    cr_assert(strstr(out, "--act-bits 1"), "%s", out);
    probe("/tmp/unused", "--layer conv9", out, sizeof out, 1);
    cr_assert(strstr(out, "--layer conv9: expected a conv2d or linear layer"), "%s", out);
}

static int nonempty(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && st.st_size > 0;
}

Test(cli_probe, every_plot_script_renders_png_and_pdf)
{
    char out[8192];
    if (shell_run("command -v gnuplot", out, sizeof out) != 0)
        cr_skip("gnuplot is not installed (make deps installs gnuplot-nox)");
    char dir[64], data[128], figs[128], cmd[1024];
    scratch_make(dir, sizeof dir, "cli-plots");
    snprintf(data, sizeof data, "%s/data", dir);
    snprintf(figs, sizeof figs, "%s/out", dir);
    cr_assert_eq(mkdir(figs, 0777), 0);
    probe(data, "", out, sizeof out, 0);
    const char *scripts[] = {"levels", "weights", "act_hist", "block_error", "layer_error"};
    const char *figures[] = {"levels_3", "levels_4", "weights", "act_hist", "block_error",
                             "layer_error"};
    for (int i = 0; i < 5; i++) {
        snprintf(cmd, sizeof cmd, "gnuplot -e \"data='%s'; out='%s'\" plots/%s.gp", data, figs,
                 scripts[i]);
        int rc = shell_run(cmd, out, sizeof out);
        cr_assert_eq(rc, 0, "%s\n%s", cmd, out);
        cr_assert_eq(out[0], '\0', "%s printed:\n%s", cmd, out);
    }
    for (int i = 0; i < 6; i++)
        for (int pdf = 0; pdf < 2; pdf++) {
            char path[256];
            snprintf(path, sizeof path, "%s/%s.%s", figs, figures[i], pdf ? "pdf" : "png");
            cr_assert(nonempty(path), "%s was not rendered", path);
        }
    scratch_remove(dir);
}

Test(cli_probe, a_plot_script_without_its_directories_exits_with_a_usage_error)
{
    char out[4096];
    if (shell_run("command -v gnuplot", out, sizeof out) != 0)
        cr_skip("gnuplot is not installed (make deps installs gnuplot-nox)");
    cr_assert_eq(shell_run("gnuplot plots/levels.gp", out, sizeof out), 2, "%s", out);
    cr_assert(strstr(out, "set data and out with -e"), "%s", out);
}
