/* probe_run as a whole: deterministic for a seed, residual blocks found in a ResNet, the
 * uniform overlay equal to a count made here from the checkpoint by the formula of FORMULAS.md §8, and
 * bad settings refused with a message naming them. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/checkpoint.h"
#include "nets/registry.h"
#include "pfix.h"

static char *file_text(const char *dir, const char *name)
{
    char path[1200], *s;
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "rb");
    cr_assert(f, "%s missing", path);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    rewind(f);
    s = calloc((size_t)n + 1, 1);
    cr_assert(s && fread(s, 1, (size_t)n, f) == (size_t)n);
    fclose(f);
    return s;
}

static int same_file(const char *a, const char *b, const char *name)
{
    char *x = file_text(a, name), *y = file_text(b, name);
    int same = !strcmp(x, y);
    free(x);
    free(y);
    return same;
}

Test(probe_run, the_same_seed_writes_identical_files_and_another_seed_does_not)
{
    ProbeConfig a, b, c;
    ProbeReport ra, rb, rc;
    pfix_config(&a);
    pfix_config(&b);
    pfix_config(&c);
    c.seed = 2;
    pfix_run(&a, &ra);
    pfix_run(&b, &rb);
    pfix_run(&c, &rc);
    cr_assert_eq(ra.nfiles, rb.nfiles);
    for (int i = 0; i < ra.nfiles; i++)
        cr_assert(same_file(a.out, b.out, ra.files[i]), "%s differs between runs", ra.files[i]);
    cr_assert_not(same_file(a.out, c.out, "act_hist_lsq.dat"), "seed 2 drew the same batches");
    pfix_clean(&a, &ra);
    pfix_clean(&b, &rb);
    pfix_clean(&c, &rc);
}

Test(probe_run, resnet_blocks_end_at_their_residual_adds)
{
    ProbeConfig c;
    ProbeReport r;
    pfix_config(&c);
    snprintf(c.net, sizeof c.net, "resnet20");
    snprintf(c.ckpt, sizeof c.ckpt, "nets/pretrained/resnet20-fmnist.ckpt");
    c.batch = 2;
    pfix_run(&c, &r);
    cr_assert_str_eq(r.layer, "layer2.1.conv2");
    Dat *d = dat_load(c.out, "block_error.dat");
    cr_assert_eq(d->nrows, 10);
    for (int s = 0; s < 3; s++)
        for (int k = 0; k < 3; k++) {
            char want[16];
            snprintf(want, sizeof want, "layer%d.%d", s + 1, k);
            cr_assert_str_eq(d->field[3 * s + k][1], want);
        }
    cr_assert_str_eq(d->field[9][1], "fc");
    free(d);
    pfix_clean(&c, &r);
}

/* conv3's weights straight from the checkpoint. */
static float *conv3_weights(size_t *n)
{
    Net net;
    NetOptions o;
    QbErr err;
    net_options_defaults(&o);
    o.input = (Dims){1, 28, 28};
    o.classes = 10;
    cr_assert_eq(net_build(&net, "small_cnn", &o, &err), 0, "%s", err.msg);
    cr_assert_eq(net_alloc(&net, 1, 1, &err), 0, "%s", err.msg);
    cr_assert_eq(checkpoint_load(PFIX_CKPT, &net, NULL, NULL, CKPT_WEIGHTS, &err), 0, "%s",
                 err.msg);
    Param *p = net_param(&net, "conv3.weight");
    cr_assert(p);
    float *w = malloc(sizeof(float) * p->numel);
    memcpy(w, p->w, sizeof(float) * p->numel);
    *n = p->numel;
    net_free(&net);
    return w;
}

/* FORMULAS.md §8 uniform weights: s = max|w|/Qp with symmetric codes -Qp..Qp (Qp = 7 at 4 bits). */
Test(probe_run, uniform_overlay_equals_a_direct_count_from_the_checkpoint)
{
    ProbeConfig c;
    ProbeReport r;
    pfix_config(&c);
    pfix_run(&c, &r);
    size_t n;
    float *w = conv3_weights(&n), m = 0.0f;
    cr_assert_eq(n, PFIX_WEIGHTS);
    for (size_t i = 0; i < n; i++)
        m = fmaxf(m, fabsf(w[i]));
    float s = m / 7.0f;
    long want[15] = {0};
    for (size_t i = 0; i < n; i++)
        want[(int)nearbyintf(w[i] / s) + 7]++;
    Dat *d = dat_load(c.out, "levels_overlay_uniform.dat");
    cr_assert_eq(d->nrows, 15);
    for (int k = 0; k < 15; k++) {
        cr_assert_eq((long)dat_num(d, k, 2), want[k], "level %d: %g weights, want %ld", k,
                     dat_num(d, k, 2), want[k]);
        cr_assert_float_eq(dat_num(d, k, 3), (k - 7) * (double)s, 1e-6);
    }
    free(d);
    free(w);
    pfix_clean(&c, &r);
}

static void expect_failure(ProbeConfig *c, const char *part)
{
    ProbeReport r;
    QbErr err = {{0}};
    cr_assert_eq(probe_run(c, &r, &err), -1, "accepted; wanted an error with '%s'", part);
    cr_assert(strstr(err.msg, part), "'%s' lacks '%s'", err.msg, part);
    pfix_clean(c, &r);
}

Test(probe_run, edge_and_unknown_layers_are_refused_by_name)
{
    ProbeConfig c;
    pfix_config(&c);
    snprintf(c.layer, sizeof c.layer, "conv1");
    expect_failure(&c, "--layer conv1: expected a conv2d or linear layer of small_cnn other "
                       "than the first (conv1) and the last (fc)");
    pfix_config(&c);
    snprintf(c.layer, sizeof c.layer, "bn2");
    expect_failure(&c, "--layer bn2");
}

Test(probe_run, a_qat_checkpoint_of_another_setting_is_refused)
{
    ProbeConfig c;
    QbErr err;
    pfix_config(&c);
    cr_assert_eq(probe_add_qat(&c, "lsq:2=" PFIX_CKPT, &err), 0, "%s", err.msg);
    expect_failure(&c, PFIX_CKPT ": a full-precision checkpoint, not one trained as lsq at 2 bits");
    pfix_config(&c);
    cr_assert_eq(probe_add_qat(&c, "lsq:5=" PFIX_CKPT, &err), 0, "%s", err.msg);
    expect_failure(&c, "the probe builds its schemes only at 2 bits (activations) and 3 bits");
}

Test(probe_run, malformed_settings_name_what_was_expected)
{
    ProbeConfig c;
    QbErr err;
    probe_defaults(&c);
    cr_assert_eq(probe_add_qat(&c, "lsq=x.ckpt", &err), -1);
    cr_assert(strstr(err.msg, "expected SCHEME:BITS=PATH"), "%s", err.msg);
    cr_assert_eq(probe_add_qat(&c, "nope:2=x.ckpt", &err), -1);
    cr_assert(strstr(err.msg, "unknown scheme 'nope'"), "%s", err.msg);
    cr_assert_eq(probe_set_schemes(&c, "lsq,,asq", &err), -1);
    cr_assert_eq(probe_set_schemes(&c, "lsq,bogus", &err), -1);
    cr_assert(strstr(err.msg, "unknown scheme 'bogus'; expected a scheme (lsq"), "%s", err.msg);
    cr_assert_eq(probe_set_schemes(&c, "asq+post,lsq", &err), 0, "%s", err.msg);
    cr_assert_eq(c.nschemes, 2);
    cr_assert_str_eq(c.schemes[0], "asq+post");
}
