/* The plot data (report/plotdata.h): the header every figure's title reads (profile, data set,
 * the seeds with a result, budget), the bits file's per-scheme rows with the spread over seeds
 * and the axis positions of the measured widths, the curves grouped by scheme and bit-width,
 * and the figure scripts rendering both without a word of complaint. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "report/plotdata.h"
#include "tests/support/hfix.h"
#include "tests/support/shell.h"
#include "rfix.h"

/* The plot data of f's results into <scratch>/plots-<name>; returns the directory (static). */
static const char *plot(RFix *f, const char *name)
{
    static char dir[300];
    QbErr err = {{0}};
    snprintf(dir, sizeof dir, "%s/plots-%s", hfix_dir(), name);
    rfix_mkdir(dir);
    cr_assert_geq(plotdata_write(&f->e, &f->l, f->results, 0, dir, &err), 0, "%s", err.msg);
    return dir;
}

static const char *file_text(const char *dir, const char *name, const char *which)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s-smoke-%s.dat", dir, name, which);
    return rfix_slurp(path);
}

#define expect_line(text, line) \
    cr_expect(strstr(text, "\n" line "\n"), "no line '%s' in:\n%s", line, text)

Test(plotdata, both_files_name_the_profile_data_set_seeds_and_budget)
{
    RFix f;
    rfix_start(&f, "pdhead", "", "[1, 2, 3]");
    /* seeds 1 and 3 have results, 2 none: the figure's seeds are those it shows */
    rfix_result(f.results, &f.e, rfix_cell(&f.l, "lsq", 4, 1), 90.0, RUN_OK);
    rfix_result(f.results, &f.e, rfix_cell(&f.l, "lsq", 4, 3), 92.0, RUN_OK);
    rfix_result(f.results, &f.e, rfix_cell(&f.l, "fp", 0, 1), 95.0, RUN_OK);
    const char *dir = plot(&f, "pdhead");
    for (int k = 0; k < 2; k++) {
        char text[65536];
        snprintf(text, sizeof text, "%s", file_text(dir, "pdhead", k ? "curves" : "bits"));
        expect_line(text, "# title A test table");
        expect_line(text, "# profile smoke");
        expect_line(text, "# data synthetic gratings 8x8");
        expect_line(text, "# seeds 1, 3");
        expect_line(text, "# budget 1x");
        cr_expect(strstr(text, "\n# regime scaled replica: synthetic gratings"), "%s", text);
    }
    rfix_end(&f);
}

/* The plot data of the example results (rfix_example: seeds 1-3 of lsq and asq at 4 bits and
 * fp) as experiment `name`, the text of its `which` file into text. */
static void example(const char *name, const char *which, char *text, size_t cap)
{
    RFix f;
    rfix_start(&f, name, "", "[1, 2, 3]");
    rfix_example(f.results, &f.e, &f.l, 93.0);
    snprintf(text, cap, "%s", file_text(plot(&f, name), name, which));
    rfix_end(&f);
}

/* The first row after the block header line that starts with `head`; fails when none. */
static const char *row_after(const char *text, const char *head)
{
    const char *at = strstr(text, head);
    cr_assert(at, "no block %s in:\n%s", head, text);
    return strchr(at, '\n') + 1;
}

Test(plotdata, bits_rows_carry_mean_spread_and_axis_position)
{
    char text[65536];
    double bits, mean, sd, bitops, lo, hi;
    int n, pos;
    example("pdbits", "bits", text, sizeof text);
    const char *header = "\"bits\" \"lsq\" \"std\" \"n\" \"bitops\" \"min\" \"max\" \"position\"\n";
    /* lsq at 4 bits: 90.09, 91.17, 91.23 (sd 0.6416); only 4 bits is measured, so it is at
     * position 0, and fp (94, 95, 96) after it */
    cr_assert_eq(sscanf(row_after(text, header), "%lf %lf %lf %d %lf %lf %lf %d", &bits, &mean,
                        &sd, &n, &bitops, &lo, &hi, &pos), 8, "%s", text);
    cr_expect(bits == 4 && fabs(mean - 90.83) < 1e-9 && fabs(sd - 0.6416) < 1e-4 && n == 3 &&
              lo == 90.09 && hi == 91.23 && pos == 0 && bitops > 0, "%s", text);
    cr_assert_eq(sscanf(row_after(text, "\"bits\" \"fp\""), "%lf %lf %lf %d %lf %lf %lf %d",
                        &bits, &mean, &sd, &n, &bitops, &lo, &hi, &pos), 8, "%s", text);
    cr_expect(bits == 32 && mean == 95 && lo == 94 && hi == 96 && pos == 1, "%s", text);
    /* the lsq block has no 2-bit row (none of its 2-bit cells has a result) */
    cr_expect_eq(row_after(text, header)[strcspn(row_after(text, header), "\n") + 1], '\n',
                 "%s", text);
    expect_line(text, "# block 0 -1 0 0 lsq");
    expect_line(text, "# block 2 0 2 0 fp");
}

Test(plotdata, curves_are_one_block_per_scheme_and_width_over_the_seeds)
{
    char text[65536];
    double epoch, mean, lo, hi;
    int n;
    example("pdcurves", "curves", text, sizeof text);
    expect_line(text, "# block 0 4 0 0 lsq 4-bit");
    expect_line(text, "# block 1 4 1 0 asq 4-bit");
    expect_line(text, "# block 2 0 2 0 fp");
    cr_expect_eq(hfix_count(text, "\"epoch\" "), 3, "%s", text);
    /* epoch 1 of lsq 4-bit: the mean, min and max of its three seeds */
    cr_assert_eq(sscanf(row_after(text, "\"epoch\" \"lsq 4-bit\" \"min\" \"max\" \"n\" "
                                        "\"train_loss\" \"test_loss\"\n"),
                        "%lf %lf %lf %lf %d", &epoch, &mean, &lo, &hi, &n), 5, "%s", text);
    cr_expect(epoch == 1 && fabs(mean - 90.83) < 1e-9 && lo == 90.09 && hi == 91.23 && n == 3,
              "%s", text);
    cr_expect(!strstr(text, "_s1_"), "a cell id titles a curve: %s", text);
}

/* The scripts render the data with no warning (a legend of ids with underscores, or an
 * empty block, made gnuplot complain). */
Test(plotdata, the_figure_scripts_render_it_silently)
{
    char out[8192];
    if (shell_run("command -v gnuplot", out, sizeof out) != 0)
        cr_skip("gnuplot is not installed (make deps installs gnuplot-nox)");
    RFix f;
    rfix_start(&f, "pdrender", "", "[1, 2, 3]");
    rfix_example(f.results, &f.e, &f.l, 93.0);
    const char *dir = plot(&f, "pdrender");
    const char *scripts[] = {"accuracy", "curves"}, *files[] = {"bits", "curves"};
    const char *figures[] = {"accuracy-bits", "accuracy-bitops", "curves"};
    for (int i = 0; i < 2; i++) {
        char cmd[1024];
        snprintf(cmd, sizeof cmd, "gnuplot -e \"data='%s/pdrender-smoke-%s.dat'; out='%s/fig'; "
                 "name='pdrender'\" plots/%s.gp", dir, files[i], dir, scripts[i]);
        cr_assert_eq(shell_run(cmd, out, sizeof out), 0, "%s\n%s", cmd, out);
        cr_expect_eq(out[0], '\0', "%s printed:\n%s", cmd, out);
    }
    for (int i = 0; i < 3; i++)
        for (int pdf = 0; pdf < 2; pdf++) {
            char path[512];
            struct stat st;
            snprintf(path, sizeof path, "%s/fig-%s.%s", dir, figures[i], pdf ? "pdf" : "png");
            cr_expect(stat(path, &st) == 0 && st.st_size > 0, "%s was not rendered", path);
        }
    rfix_end(&f);
}

/* The committed reference's figures: by position, a result made by other code (another id at
 * the same matrix position and seed) is plotted; by id it is not. */
Test(plotdata, by_position_plots_a_reference_made_by_other_code)
{
    RFix f;
    QbErr err = {{0}};
    char dir[300];
    rfix_start(&f, "pd-pos", "baseline: lsq", "[1]");
    rfix_result(f.results, &f.e, rfix_cell(&f.l, "lsq", 4, 1), 90.0, RUN_OK);
    Cell moved = *rfix_cell(&f.l, "asq", 4, 1);
    snprintf(moved.id, sizeof moved.id, "small_cnn_asq_4b_s1_0123456789ab");
    rfix_result(f.results, &f.e, &moved, 91.0, RUN_OK);
    snprintf(dir, sizeof dir, "%s/plots-pd-pos", hfix_dir());
    rfix_mkdir(dir);
    cr_assert_eq(plotdata_write(&f.e, &f.l, f.results, 0, dir, &err), 1, "%s", err.msg);
    cr_assert_eq(plotdata_write(&f.e, &f.l, f.results, 1, dir, &err), 2, "%s", err.msg);
    cr_assert(strstr(file_text(dir, "pd-pos", "bits"), "91"), "%s",
              file_text(dir, "pd-pos", "bits"));
    rfix_end(&f);
}

/* Results placed by position from a directory without the experiment's: the error, and
 * nothing of a plot half made is freed. */
Test(plotdata, results_by_position_that_are_missing_are_an_error)
{
    RFix f;
    QbErr err = {{0}};
    rfix_start(&f, "pdnone", "", "[1]");
    char dir[300];
    snprintf(dir, sizeof dir, "%s/plots-pdnone", hfix_dir());
    rfix_mkdir(dir);
    cr_assert_eq(plotdata_write(&f.e, &f.l, f.results, 1, dir, &err), -1);
    cr_expect(strstr(err.msg, "pdnone: cannot open the reference results directory"), "%s",
              err.msg);
    rfix_end(&f);
}

/* `make plots` in one call: every file's data files, and a fragment naming the figures to
 * draw with the results each shows; a file without results, and one whose inputs are not on
 * this machine, are left out of it. */
Test(plotdata, one_call_names_the_figures_of_every_file_with_results)
{
    RFix f;
    char cmd[1200], args[1600], out[4096], mk[300], dir[300];
    rfix_start(&f, "pd-many", "baseline: lsq", "[1]");
    rfix_result(f.results, &f.e, rfix_cell(&f.l, "lsq", 4, 1), 90.0, RUN_OK);
    rfix_result(f.results, &f.e, rfix_cell(&f.l, "asq", 4, 1), 91.0, RUN_OK);
    const char *none = rfix_experiment("pd-none", "baseline: lsq", "[1]");
    snprintf(cmd, sizeof cmd, "sed 's|name: pd-none|name: pd-away|; s|data: synth,|data: synth, "
             "from: \"/nonexistent/{net}.ckpt\",|' %s > %s/pd-away.yaml", none, hfix_dir());
    cr_assert_eq(system(cmd), 0);
    snprintf(mk, sizeof mk, "%s/plots.mk", hfix_dir());
    snprintf(dir, sizeof dir, "%s/plots-many", hfix_dir());
    snprintf(args, sizeof args, "plotdata %s %s/pd-away.yaml %s --profile smoke --results %s "
             "--out %s --make %s", f.e.path, hfix_dir(), none, f.results, dir, mk);
    cr_assert_eq(qbench_run(NULL, args, out, sizeof out), 0, "%s", out);
    cr_assert_str_empty(out, "--make prints nothing: %s", out);
    const char *frag = rfix_slurp(mk);
    cr_assert(strstr(frag, "PLOT_NAMES += pd-many-smoke\nPLOT_RESULTS_pd-many-smoke := 2\n") &&
              !strstr(frag, "pd-none") && !strstr(frag, "pd-away"), "%s", frag);
    cr_assert(strstr(file_text(dir, "pd-many", "bits"), "91"));
    /* without --make, a line per file, and a file whose inputs are missing is an error */
    snprintf(args, sizeof args, "plotdata %s %s --profile smoke --results %s --out %s", f.e.path,
             none, f.results, dir);
    cr_assert_eq(qbench_run(NULL, args, out, sizeof out), 0, "%s", out);
    cr_assert(strstr(out, "pd-many: plot data from 2 results in") &&
              strstr(out, "pd-none: plot data from 0 results in"), "%s", out);
    snprintf(args, sizeof args, "plotdata %s/pd-away.yaml --profile smoke --out %s", hfix_dir(),
             dir);
    cr_assert_eq(qbench_run(NULL, args, out, sizeof out), 1, "%s", out);
    cr_assert(strstr(out, "/nonexistent/small_cnn.ckpt"), "%s", out);
    rfix_end(&f);
}
