/* End-to-end behaviour of the core: a tiny network learns a synthetic task, the same seed and
 * thread count give bit-identical losses, and calibration runs before training once. */
#include <criterion/criterion.h>
#include <math.h>
#include <string.h>
#include <unistd.h>

#include "core/checkpoint.h"
#include "core/layers/layers.h"
#include "core/layers/qhooks.h"
#include "core/rng.h"
#include "core/threads.h"
#include "core/train.h"
#include "quantizers/registry.h"

/* Class k: a bright 3x3 blob at one of four fixed places (k = 0..3), plus noise. */
static int synth_fill(void *user, int epoch, int index, Tensor *x, int *labels, QbErr *err)
{
    (void)err;
    uint64_t seed = *(uint64_t *)user;
    Rng r = rng_stream(seed + (uint64_t)epoch * 1000003u + (uint64_t)index, "synthetic");
    const int cx[4] = {1, 5, 1, 5}, cy[4] = {1, 1, 5, 5};
    for (int n = 0; n < x->n; n++) {
        float *p = x->data + (size_t)n * 64;
        int k = (int)rng_below(&r, 4);
        labels[n] = k;
        for (int i = 0; i < 64; i++)
            p[i] = 0.3f * rng_normal(&r);
        for (int dy = 0; dy < 3; dy++)
            for (int dx = 0; dx < 3; dx++)
                p[(cy[k] + dy - 1) * 8 + cx[k] + dx - 1] += 1.0f;
    }
    return x->n;
}

static void small_net(Net *net, int threads)
{
    QbErr err = {{0}};
    threads_set(threads);
    net_init(net, (Dims){1, 8, 8});
    int c = layer_conv2d(net, "conv1", NET_INPUT, (Conv2dSpec){8, 3, 1, 1, 1, 0}, &err);
    int b = layer_bn2d(net, "bn1", c, &err);
    int r = layer_relu(net, "relu1", b, &err);
    int p = layer_maxpool(net, "pool", r, 2, 2, 0, &err);
    int c2 = layer_conv2d(net, "conv2", p, (Conv2dSpec){8, 3, 1, 1, 1, 0}, &err);
    int b2 = layer_bn2d(net, "bn2", c2, &err);
    int r2 = layer_relu(net, "relu2", b2, &err);
    int f = layer_flatten(net, "flat", r2, &err);
    cr_assert_geq(layer_linear(net, "fc", f, 4, 1, &err), 0, "%s", err.msg);
    cr_assert_eq(net_alloc(net, 32, threads, &err), 0, "%s", err.msg);
    Rng init = rng_stream(1, "init");
    net_init_params(net, &init);
}

/* Trains `epochs` epochs of 20 batches; records every step's loss when `losses` is set. */
static EpochStats run(Net *net, int epochs, float *losses)
{
    QbErr err = {{0}};
    uint64_t seed = 9;
    int labels[32];
    Optimizer opt;
    optim_defaults(&opt, 1e-4f);
    Schedule s = {SCHED_COSINE, 0.1f, epochs, 0, 0.0f, {0}, 0, 0.1f};
    Trainer t = {net, &opt, &s, 0.0f, labels, NULL, NULL, NULL};
    BatchSource src = {synth_fill, &seed, 20};
    EpochStats st = {0};
    for (int e = 0; e < epochs; e++) {
        memset(&st, 0, sizeof st);
        cr_assert_eq(train_epoch(&t, &src, e, 0, &st, &err), 0, "%s", err.msg);
        if (losses)
            losses[e] = (float)st.loss;
    }
    uint64_t test_seed = 777;
    BatchSource test = {synth_fill, &test_seed, 10};
    cr_assert_eq(evaluate(net, &test, labels, &st, &err), 0, "%s", err.msg);
    return st;
}

Test(train, tiny_net_learns_synthetic_task_above_95_percent)
{
    Net net;
    small_net(&net, 2);
    EpochStats st = run(&net, 4, NULL);
    cr_assert_gt(st.top1, 95.0, "test top-1 %.2f%%", st.top1);
    cr_assert_eq(st.samples, 320);
    net_free(&net);
}

Test(train, same_seed_and_threads_give_bit_identical_losses)
{
    float a[3], b[3];
    Net n1, n2;
    small_net(&n1, 2);
    run(&n1, 3, a);
    net_free(&n1);
    small_net(&n2, 2);
    run(&n2, 3, b);
    net_free(&n2);
    cr_assert_arr_eq(a, b, sizeof a, "losses %.9g %.9g %.9g vs %.9g %.9g %.9g", a[0], a[1], a[2],
                     b[0], b[1], b[2]);
    cr_assert_neq(a[0], a[2]);
}

/* The second batch holds only 20 samples. */
static int short_fill(void *user, int epoch, int index, Tensor *x, int *labels, QbErr *err)
{
    int n = synth_fill(user, epoch, index, x, labels, err);
    return index == 1 ? 20 : n;
}

Test(train, evaluation_handles_a_short_last_batch)
{
    Net net;
    QbErr err = {{0}};
    small_net(&net, 1);
    int labels[32];
    uint64_t seed = 5;
    BatchSource two = {short_fill, &seed, 2};
    EpochStats st;
    cr_assert_eq(evaluate(&net, &two, labels, &st, &err), 0);
    cr_assert_eq(st.samples, 52);
    cr_assert_eq(net.input.n, 32, "batch size restored after the short batch");
    net_free(&net);
}

/* Batch `index` holds 0, 1, ..., 127 plus 1000·index (two samples of 1x8x8), counting fills. */
static int ramp_fill(void *user, int epoch, int index, Tensor *x, int *labels, QbErr *err)
{
    (void)epoch, (void)err;
    (*(int *)user)++;
    for (size_t i = 0; i < tensor_numel(x); i++)
        x->data[i] = (float)i + 1000.0f * (float)index;
    labels[0] = labels[1] = 0;
    return x->n;
}

/* conv1 (FAQ 4-bit weights and input, the input's step pooled over `batches` calibration
 * batches at the median), bn1, pool, fc. */
static void faq_net(Net *net, const char *batches)
{
    QbErr err = {{0}};
    threads_set(1);
    net_init(net, (Dims){1, 8, 8});
    int c = layer_conv2d(net, "conv1", NET_INPUT, (Conv2dSpec){2, 3, 1, 1, 1, 0}, &err);
    int b = layer_bn2d(net, "bn1", c, &err);
    int g = layer_gap(net, "pool", b, &err);
    int f = layer_flatten(net, "flat", g, &err);
    cr_assert_geq(layer_linear(net, "fc", f, 2, 1, &err), 0, "%s", err.msg);
    QuantOption o[2] = {{"faq_calib_batches", ""}, {"faq_act_percentile", "50"}};
    snprintf(o[0].value, sizeof o[0].value, "%s", batches);
    Quantizer *wq = quantizer_new("faq", QROLE_WEIGHT, 4, 0, o, 2, &err);
    Quantizer *aq = quantizer_new("faq", QROLE_ACT, 4, 0, o, 2, &err);
    cr_assert(wq && aq, "%s", err.msg);
    cr_assert_eq(layer_quantize(net, c, wq, aq, &err), 0, "%s", err.msg);
    cr_assert_eq(net_alloc(net, 2, 1, &err), 0, "%s", err.msg);
    Rng init = rng_stream(3, "init");
    net_init_params(net, &init);
}

/* Calibration before training (quantizer.h): FAQ's input step is the median of both
 * calibration batches pooled, its weight step max|W|/7; the passes move no parameter and no
 * BN statistic; a resumed network is not calibrated again (no batch is even read). */
Test(train, calibration_sets_the_steps_once_and_never_on_resume)
{
    Net net, again;
    QbErr err = {{0}};
    int fills = 0, labels[2];
    BatchSource src = {ramp_fill, &fills, 4};
    faq_net(&net, "2");
    cr_assert_eq(net_calibrations_pending(&net, NULL), 2);
    size_t np = net.groups[PGROUP_WEIGHT].n;
    float w0[64], rm0 = net_buffer(&net, "bn1.running_mean")->data[0];
    memcpy(w0, net.groups[PGROUP_WEIGHT].w, np * sizeof(float));
    cr_assert_eq(train_calibrate(&net, &src, labels, &err), 0, "%s", err.msg);
    cr_assert_eq(fills, 2, "two batches pooled");
    cr_assert_eq(net_calibrations_pending(&net, NULL), 0);
    /* {0..127} ∪ {1000..1127}: the median sits halfway between 127 and 1000 */
    cr_assert_float_eq(net_buffer(&net, "conv1.aq.step")->data[0], 563.5f / 15.0f, 1e-4);
    float wmax = 0.0f;
    for (int i = 0; i < 18; i++)
        wmax = fmaxf(wmax, fabsf(net_param(&net, "conv1.weight")->w[i]));
    cr_assert_float_eq(net_buffer(&net, "conv1.wq.step")->data[0], wmax / 7.0f, 1e-9);
    cr_assert_arr_eq(w0, net.groups[PGROUP_WEIGHT].w, np * sizeof(float));
    cr_assert_eq(net_buffer(&net, "bn1.running_mean")->data[0], rm0);
    cr_assert(!net.calibrating && !net.train);

    char path[64];
    snprintf(path, sizeof path, "/tmp/qb-calib-%d.ckpt", (int)getpid());
    Optimizer opt;
    optim_defaults(&opt, 0.0f);
    cr_assert_eq(checkpoint_save(path, &net, &opt, NULL, &err), 0, "%s", err.msg);
    faq_net(&again, "2");
    cr_assert_eq(checkpoint_load(path, &again, &opt, NULL, CKPT_RESUME, &err), 0, "%s", err.msg);
    unlink(path);
    fills = 0;
    src.user = &fills;
    cr_assert_eq(train_calibrate(&again, &src, labels, &err), 0, "%s", err.msg);
    cr_assert_eq(fills, 0, "a resumed network reads no calibration batch");
    cr_assert_eq(net_buffer(&again, "conv1.aq.step")->data[0],
                 net_buffer(&net, "conv1.aq.step")->data[0]);
    net_free(&net);
    net_free(&again);
}

Test(train, calibration_wanting_more_batches_than_the_set_has_names_the_layer)
{
    Net net;
    QbErr err = {{0}};
    int fills = 0, labels[2];
    BatchSource src = {ramp_fill, &fills, 2};
    faq_net(&net, "3");
    cr_assert_eq(train_calibrate(&net, &src, labels, &err), -1);
    cr_assert(strstr(err.msg, "layer conv1: its quantizer wants more calibration batches than "
                              "the training set's 2"), "%s", err.msg);
    net_free(&net);
}
