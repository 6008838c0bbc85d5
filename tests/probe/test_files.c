/* The probe's .dat files on small_cnn (synthetic images): each is written, counts every
 * value once, keeps its levels ordered and in range, and the error figures stay finite,
 * non-negative and ordered as the bit-widths demand. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "quantizers/registry.h"
#include "pfix.h"

static const char *const expected_files[] = {
    "levels_3.dat",           "levels_4.dat",           "weights_hist.dat",
    "levels_overlay_uniform.dat", "levels_overlay_lsq.dat", "levels_overlay_pot.dat",
    "levels_overlay_post.dat", "levels_overlay_apot.dat", "act_hist_lsq.dat",
    "act_codes_lsq.dat",      "act_hist_asq.dat",       "act_codes_asq.dat",
    "act_summary.dat",        "block_error.dat",        "layer_error.dat",
};
#define NFILES ((int)(sizeof expected_files / sizeof expected_files[0]))

static ProbeConfig cfg;
static ProbeReport rep;

static void run(void)
{
    pfix_config(&cfg);
    pfix_run(&cfg, &rep);
}

static void clean(void) { pfix_clean(&cfg, &rep); }

TestSuite(probe_files, .init = run, .fini = clean);

Test(probe_files, every_figure_file_is_written_for_the_middle_layer)
{
    cr_assert_eq(rep.nfiles, NFILES);
    for (int i = 0; i < NFILES; i++)
        cr_assert_str_eq(rep.files[i], expected_files[i]);
    cr_assert_str_eq(rep.layer, "conv3");
}

/* Rows of `method` in a levels file, in file order. */
static int method_levels(const Dat *d, const char *method, double *out)
{
    int n = 0;
    for (int r = 0; r < d->nrows; r++)
        if (!strcmp(d->field[r][0], method))
            out[n++] = dat_num(d, r, 2);
    return n;
}

Test(probe_files, level_sets_are_ascending_symmetric_and_counted_by_the_spec)
{
    const char *methods[] = {"uniform", "pot", "post", "apot"};
    for (int bits = 3; bits <= 4; bits++) {
        char name[32];
        snprintf(name, sizeof name, "levels_%d.dat", bits);
        Dat *d = dat_load(cfg.out, name);
        cr_assert_str_eq(d->header, "method row level");
        /* spec: uniform 2^b - 1 symmetric codes, POT/POST 2^b + 1 levels, APoT 2^b - 1 */
        int want[] = {(1 << bits) - 1, (1 << bits) + 1, (1 << bits) + 1, (1 << bits) - 1};
        for (int m = 0; m < 4; m++) {
            double lv[64];
            int n = method_levels(d, methods[m], lv);
            cr_assert_eq(n, want[m], "%s at %d bits: %d levels", methods[m], bits, n);
            cr_assert_eq(lv[0], -1.0);
            cr_assert_eq(lv[n - 1], 1.0);
            for (int i = 0; i < n; i++) {
                cr_assert(i == 0 || lv[i] > lv[i - 1], "%s not ascending at %d", methods[m], i);
                cr_assert_eq(lv[i], -lv[n - 1 - i], "%s not symmetric", methods[m]);
            }
        }
        free(d);
    }
}

Test(probe_files, weight_histograms_count_every_weight_under_each_method)
{
    Dat *d = dat_load(cfg.out, "weights_hist.dat");
    cr_assert_str_eq(d->header, "lo hi center uniform lsq pot post apot");
    cr_assert(strstr(d->comment, "layer conv3 bits 4"), "%s", d->comment);
    cr_assert_eq(d->nrows, PFIX_BINS);
    for (int c = 3; c < 8; c++) {
        long sum = 0;
        for (int r = 0; r < d->nrows; r++)
            sum += (long)dat_num(d, r, c);
        cr_assert_eq(sum, PFIX_WEIGHTS, "column %d counts %ld weights", c, sum);
    }
    for (int r = 0; r < d->nrows; r++) {
        cr_assert_lt(dat_num(d, r, 0), dat_num(d, r, 1));
        cr_assert(r == 0 || dat_num(d, r, 0) == dat_num(d, r - 1, 1), "bins not contiguous");
    }
    /* uniform divides by max|w|: no weight beyond the unit range */
    for (int r = 0; r < d->nrows; r++)
        if (dat_num(d, r, 0) > 1.0 || dat_num(d, r, 1) < -1.0)
            cr_assert_eq(dat_num(d, r, 3), 0, "uniform weight outside [-1, 1] in bin %d", r);
    free(d);
}

Test(probe_files, overlays_put_every_weight_on_one_of_the_method_levels)
{
    const char *methods[] = {"uniform", "lsq", "pot", "post", "apot"};
    for (int m = 0; m < 5; m++) {
        char name[64];
        snprintf(name, sizeof name, "levels_overlay_%s.dat", methods[m]);
        Dat *d = dat_load(cfg.out, name);
        cr_assert_str_eq(d->header, "index level count raw_min raw_max");
        double want[64];
        const QuantizerOps *ops = quantizer_find(methods[m]);
        QbErr err;
        int n = ops->levels(4, QROLE_WEIGHT, NULL, 0, want, 64, &err);
        cr_assert_eq(d->nrows, n, "%s: %d levels, the levels op gives %d", methods[m],
                     d->nrows, n);
        long sum = 0;
        for (int r = 0; r < d->nrows; r++) {
            cr_assert_eq(dat_num(d, r, 1), want[r], "%s level %d", methods[m], r);
            cr_assert_leq(dat_num(d, r, 3), dat_num(d, r, 4));
            sum += (long)dat_num(d, r, 2);
        }
        cr_assert_eq(sum, PFIX_WEIGHTS, "%s maps %ld weights", methods[m], sum);
        free(d);
    }
}

Test(probe_files, activation_histograms_count_every_input_and_lsq_uses_at_most_four_values)
{
    for (int s = 0; s < 2; s++) {
        const char *scheme = s ? "asq" : "lsq";
        char name[64];
        snprintf(name, sizeof name, "act_hist_%s.dat", scheme);
        Dat *d = dat_load(cfg.out, name);
        cr_assert_str_eq(d->header, "lo hi center fp quantized");
        long fp = 0, q = 0;
        int spikes = 0;
        for (int r = 0; r < d->nrows; r++) {
            fp += (long)dat_num(d, r, 3);
            q += (long)dat_num(d, r, 4);
            spikes += dat_num(d, r, 4) > 0;
        }
        cr_assert_eq(fp, PFIX_INPUTS);
        cr_assert_eq(q, PFIX_INPUTS);
        if (s == 0)
            cr_assert_leq(spikes, 4, "2-bit LSQ output fills %d bins", spikes);
        free(d);
        snprintf(name, sizeof name, "act_codes_%s.dat", scheme);
        d = dat_load(cfg.out, name);
        cr_assert_eq(d->nrows, 4);
        long codes = 0;
        for (int r = 0; r < d->nrows; r++)
            codes += (long)dat_num(d, r, 2);
        cr_assert_eq(codes, PFIX_INPUTS);
        free(d);
    }
    Dat *d = dat_load(cfg.out, "act_summary.dat");
    cr_assert_str_eq(d->header,
                     "scheme bits values levels levels_used distinct_values clipped_fraction");
    cr_assert_eq(d->nrows, 2);
    cr_assert_str_eq(d->field[0][0], "lsq");
    cr_assert_eq(dat_num(d, 0, 2), PFIX_INPUTS);
    cr_assert_leq(dat_num(d, 0, 4), 4);
    cr_assert_leq(dat_num(d, 0, 5), 4, "LSQ gave %g distinct values", dat_num(d, 0, 5));
    cr_assert_str_eq(d->field[1][0], "asq");
    cr_assert_leq(dat_num(d, 1, 4), 4);
    /* a step per sample: the same codes land on more values */
    cr_assert_gt(dat_num(d, 1, 5), 4);
    for (int r = 0; r < 2; r++) {
        cr_assert_geq(dat_num(d, r, 5), dat_num(d, r, 4));
        cr_assert(dat_num(d, r, 6) >= 0.0 && dat_num(d, r, 6) <= 1.0);
    }
    free(d);
}

static int finite_non_negative(const Dat *d, int first_col)
{
    for (int r = 0; r < d->nrows; r++)
        for (int c = first_col; c < d->ncols; c++)
            if (!(isfinite(dat_num(d, r, c)) && dat_num(d, r, c) >= 0.0))
                return 0;
    return 1;
}

Test(probe_files, block_errors_are_finite_and_non_negative_per_stage)
{
    Dat *d = dat_load(cfg.out, "block_error.dat");
    cr_assert_str_eq(d->header, "index block lsq lsq_rel asq asq_rel");
    const char *blocks[] = {"pool1", "pool2", "flatten", "fc"};
    cr_assert_eq(d->nrows, 4);
    for (int r = 0; r < 4; r++)
        cr_assert_str_eq(d->field[r][1], blocks[r]);
    cr_assert(finite_non_negative(d, 2));
    /* 3-bit nets differ from full precision somewhere */
    cr_assert_gt(dat_num(d, 3, 2), 0.0);
    free(d);
}

Test(probe_files, eight_bit_edge_layers_err_less_than_the_three_bit_layers)
{
    Dat *d = dat_load(cfg.out, "layer_error.dat");
    cr_assert_eq(d->ncols, 2 + 4 * 2);
    cr_assert_eq(dat_col(d, "asq_a_clip"), 9);
    cr_assert_eq(d->nrows, 4);
    cr_assert_str_eq(d->field[0][1], "conv1");
    cr_assert_str_eq(d->field[3][1], "fc");
    cr_assert(finite_non_negative(d, 2));
    for (int s = 0; s < 2; s++)
        for (int part = 0; part < 2; part++) {
            int c = 2 + 4 * s + 2 * part; /* rounding; clipping is c + 1 */
            double edge = fmax(dat_num(d, 0, c) + dat_num(d, 0, c + 1),
                               dat_num(d, 3, c) + dat_num(d, 3, c + 1));
            double inner = fmin(dat_num(d, 1, c) + dat_num(d, 1, c + 1),
                                dat_num(d, 2, c) + dat_num(d, 2, c + 1));
            cr_assert_lt(edge, inner, "column %d: 8-bit %g, 3-bit %g", c, edge, inner);
        }
    free(d);
}
