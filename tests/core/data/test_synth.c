/* synth: a function of its seed and options, balanced, and learnable by a small CNN. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/data/loader.h"
#include "core/layers/layers.h"
#include "core/threads.h"
#include "core/train.h"

static Dataset open_synth(const DataOptions *o, DataSplit split)
{
    Dataset d;
    QbErr err = {{0}};
    cr_assert_eq(dataset_open_opts(&d, "synth", NULL, o, split, &err), 0, "%s", err.msg);
    return d;
}

Test(synth, same_seed_gives_the_same_set_for_any_thread_count)
{
    DataOptions o = {.dims = {2, 8, 9}, .train_count = 50, .seed = 7};
    threads_set(1);
    Dataset a = open_synth(&o, DATA_TRAIN);
    threads_set(2);
    Dataset b = open_synth(&o, DATA_TRAIN);
    cr_assert_arr_eq(a.u8, b.u8, 50 * 2 * 8 * 9);
    cr_assert_eq(a.fingerprint, b.fingerprint);
    o.seed = 8;
    Dataset c = open_synth(&o, DATA_TRAIN);
    cr_assert_neq(a.fingerprint, c.fingerprint);
    cr_assert_neq(memcmp(a.u8, c.u8, 50 * 2 * 8 * 9), 0);
    dataset_free(&a);
    dataset_free(&b);
    dataset_free(&c);
}

Test(synth, options_and_defaults)
{
    DataOptions o = {.classes = 6, .dims = {3, 12, 10}, .train_count = 30, .test_count = 9};
    Dataset tr = open_synth(&o, DATA_TRAIN), te = open_synth(&o, DATA_TEST);
    cr_assert(tr.dims.c == 3 && tr.dims.h == 12 && tr.dims.w == 10);
    cr_assert(tr.count == 30 && te.count == 9 && tr.classes == 6 && te.classes == 6);
    for (int i = 0; i < 30; i++)
        cr_assert_eq(tr.labels[i], i % 6, "balanced labels");
    cr_assert_neq(tr.fingerprint, te.fingerprint);
    cr_assert_neq(memcmp(tr.u8, te.u8, 9 * 360), 0, "the test split has its own samples");
    cr_assert_arr_eq(tr.mean, te.mean, 3 * sizeof(float), "statistics from the training split");
    cr_assert_arr_eq(tr.std, te.std, 3 * sizeof(float));
    cr_assert(tr.mean[0] > 0.4f && tr.mean[0] < 0.6f && tr.std[0] > 0.05f, "mean %f std %f",
              tr.mean[0], tr.std[0]);
    dataset_free(&tr);
    dataset_free(&te);
    Dataset d = open_synth(NULL, DATA_TEST);
    cr_assert(d.dims.c == 1 && d.dims.h == 28 && d.dims.w == 28);
    cr_assert(d.count == 500 && d.classes == 10);
    cr_assert_str_eq(d.source, "synth(seed 0, 1x28x28, 10 classes, 500 samples)");
    dataset_free(&d);
}

Test(synth, bad_options_are_named)
{
    Dataset d;
    QbErr err = {{0}};
    DataOptions o = {.dims = {1, 7, 8}};
    cr_assert_eq(dataset_open_opts(&d, "synth", NULL, &o, DATA_TRAIN, &err), -1);
    cr_assert_str_eq(err.msg, "synth: dims 1x7x8: expected C >= 1, H and W >= 8, at most 2^30 "
                              "values");
    DataOptions k = {.classes = 1};
    cr_assert_eq(dataset_open_opts(&d, "synth", NULL, &k, DATA_TRAIN, &err), -1);
    cr_assert_str_eq(err.msg, "synth: 1 classes: expected at least 2");
}

/* Two conv-bn-relu stages (max-pool between them), global average pooling, linear. */
static void small_cnn(Net *net, Dims in, int classes, int batch)
{
    QbErr err = {{0}};
    net_init(net, in);
    int x = NET_INPUT;
    for (int s = 1; s <= 2; s++) {
        char conv[16], bn[16], relu[16];
        snprintf(conv, sizeof conv, "conv%d", s);
        snprintf(bn, sizeof bn, "bn%d", s);
        snprintf(relu, sizeof relu, "relu%d", s);
        x = layer_conv2d(net, conv, x, (Conv2dSpec){8, 3, 1, 1, 1, 0}, &err);
        x = layer_relu(net, relu, layer_bn2d(net, bn, x, &err), &err);
        if (s == 1)
            x = layer_maxpool(net, "pool", x, 2, 2, 0, &err);
        cr_assert_geq(x, 0, "%s", err.msg);
    }
    x = layer_flatten(net, "flat", layer_gap(net, "gap", x, &err), &err);
    cr_assert_geq(layer_linear(net, "fc", x, classes, 1, &err), 0, "%s", err.msg);
    cr_assert_eq(net_alloc(net, batch, threads_get(), &err), 0, "%s", err.msg);
    Rng init = rng_stream(1, "init");
    net_init_params(net, &init);
}

/* Correlation of each pixel with its down-right and its down-left neighbour, about the
 * image's mean: a 45-degree grating is constant along one diagonal, a 135-degree one along
 * the other, and a horizontal mirror swaps the two sums. */
static void diagonal_correlations(const uint8_t *img, int h, int w, double *down_right,
                                  double *down_left)
{
    double mean = 0.0;
    for (int i = 0; i < h * w; i++)
        mean += img[i];
    mean /= h * w;
    *down_right = *down_left = 0.0;
    for (int y = 0; y + 1 < h; y++)
        for (int x = 1; x + 1 < w; x++) {
            double v = img[y * w + x] - mean;
            *down_right += v * (img[(y + 1) * w + x + 1] - mean);
            *down_left += v * (img[(y + 1) * w + x - 1] - mean);
        }
}

/* Random horizontal flips (on by default in training) must not change a sample's class:
 * within every class the mirror-sensitive statistic averages out, while single samples do
 * show it (so the statistic does see orientation). */
Test(synth, every_class_is_closed_under_horizontal_mirroring)
{
    DataOptions o = {.dims = {1, 16, 16}, .train_count = 2000, .seed = 5};
    Dataset d = open_synth(&o, DATA_TRAIN);
    double sum[10] = {0}, sum_abs[10] = {0};
    for (int i = 0; i < d.count; i++) {
        double dr, dl;
        diagonal_correlations(d.u8 + (size_t)i * 256, 16, 16, &dr, &dl);
        sum[d.labels[i]] += dr - dl;
        sum_abs[d.labels[i]] += fabs(dr - dl);
    }
    int diagonal_classes = 0;
    for (int k = 0; k < 10; k++) {
        cr_assert_lt(fabs(sum[k]), 0.25 * sum_abs[k], "class %d: mirror asymmetry %.3g of %.3g",
                     k, sum[k], sum_abs[k]);
        diagonal_classes += sum_abs[k] > 0.0;
    }
    cr_assert_eq(diagonal_classes, 10);
    dataset_free(&d);
}

/* Trains small_cnn on the training split and returns the test top-1 after `epochs`. */
static double small_cnn_top1(const DataOptions *o, int epochs, int batch, int flip, float lr)
{
    threads_set(2);
    Dataset tr = open_synth(o, DATA_TRAIN), te = open_synth(o, DATA_TEST);
    Net net;
    small_cnn(&net, tr.dims, tr.classes, batch);
    Loader lt, le;
    QbErr err = {{0}};
    cr_assert_eq(loader_init(&lt, &tr, &(LoaderConfig){batch, 1, 1, 0, flip, 1, 0}, &err), 0);
    cr_assert_eq(loader_init(&le, &te, &(LoaderConfig){batch, 0, 0, 0, 0, 1, 0}, &err), 0);
    BatchSource train = loader_source(&lt), test = loader_source(&le);
    int labels[64];
    Optimizer opt;
    optim_defaults(&opt, 1e-4f);
    Schedule s = {SCHED_COSINE, lr, epochs, 0, 0.0f, {0}, 0, 0.1f};
    Trainer t = {&net, &opt, &s, 0.0f, labels, NULL, NULL, NULL};
    EpochStats st;
    for (int e = 0; e < epochs; e++) {
        memset(&st, 0, sizeof st);
        cr_assert_eq(train_epoch(&t, &train, e, 0, &st, &err), 0, "%s", err.msg);
    }
    cr_assert_eq(evaluate(&net, &test, labels, &st, &err), 0, "%s", err.msg);
    cr_assert_eq(st.samples, te.count);
    net_free(&net);
    dataset_free(&tr);
    dataset_free(&te);
    return st.top1;
}

/* The set's promise: a small CNN (global pooling, so texture rather than position) passes
 * 95% within 3 epochs, through the loader and the training loop. */
Test(synth, small_cnn_learns_it_above_95_percent_in_three_epochs)
{
    DataOptions o = {.dims = {1, 16, 16}, .train_count = 2000, .test_count = 500, .seed = 3};
    double top1 = small_cnn_top1(&o, 3, 50, 0, 0.1f);
    cr_assert_gt(top1, 95.0, "test top-1 %.2f%%", top1);
}

/* What the smoke profiles rely on: a few epochs over 256 images of the smoke input size,
 * with the default flip augmentation, reach 90% (chance is 10%), so a quantizer that breaks
 * training shows in a smoke table as a number near 10. */
Test(synth, smoke_sized_training_with_flips_passes_90_percent)
{
    DataOptions o = {.dims = {1, 16, 16}, .train_count = 256, .seed = 1};
    double top1 = small_cnn_top1(&o, 6, 16, 1, 0.05f);
    cr_assert_gt(top1, 90.0, "test top-1 %.2f%%", top1);
}
