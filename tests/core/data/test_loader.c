/* Loader and augmentation: batches are a function of (seed, epoch, index) for any thread
 * count, epochs visit every sample once in a fresh order, crops shift and flips mirror. */
#include <criterion/criterion.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

#include "core/data/augment.h"
#include "core/data/loader.h"
#include "fixtures.h"

static Loader make(const Dataset *d, int batch, int shuffle, int drop, int pad, int flip,
                   uint64_t seed)
{
    Loader l;
    QbErr err = {{0}};
    LoaderConfig c = {batch, shuffle, drop, pad, flip, seed, 0};
    cr_assert_eq(loader_init(&l, d, &c, &err), 0, "%s", err.msg);
    return l;
}

/* Sample indices of one epoch, read back from the index-valued pixels. */
static int epoch_indices(const Loader *l, int epoch, int *out)
{
    const Dataset *d = l->data;
    size_t per = dims_numel(d->dims);
    float *buf = malloc((size_t)l->cfg.batch * per * sizeof(float));
    int *labels = malloc((size_t)l->cfg.batch * sizeof(int));
    Tensor x = tensor_view(l->cfg.batch, d->dims, buf);
    int total = 0;
    for (int b = 0; b < l->batches; b++) {
        int n = loader_batch(l, epoch, b, &x, labels);
        for (int j = 0; j < n; j++) {
            int i = (int)buf[j * per];
            cr_assert_eq(labels[j], d->labels[i], "label travels with its sample");
            cr_assert_eq(i, loader_order(l, epoch, total), "loader_order agrees");
            out[total++] = i;
        }
    }
    free(buf);
    free(labels);
    return total;
}

Test(loader, subset_is_the_same_samples_every_epoch_in_a_new_order)
{
    Dataset d;
    fx_dataset_index(&d, 97, (Dims){1, 2, 2}, 7);
    Loader l;
    QbErr err = {{0}};
    LoaderConfig c = {5, 1, 1, 0, 0, 3, 40};
    cr_assert_eq(loader_init(&l, &d, &c, &err), 0, "%s", err.msg);
    cr_assert_eq(l.count, 40);
    cr_assert_eq(l.batches, 8);
    int a[40], b[40], in_a[97] = {0}, in_b[97] = {0};
    cr_assert_eq(epoch_indices(&l, 0, a), 40);
    cr_assert_eq(epoch_indices(&l, 1, b), 40);
    for (int k = 0; k < 40; k++) {
        in_a[a[k]]++;
        in_b[b[k]]++;
    }
    for (int i = 0; i < 97; i++) {
        cr_assert_leq(in_a[i], 1, "sample %d repeated", i);
        cr_assert_eq(in_a[i], in_b[i], "sample %d in one epoch's subset only", i);
    }
    cr_assert_neq(memcmp(a, b, sizeof a), 0, "epochs reorder the subset");
    c.subset = -1;
    cr_assert_eq(loader_init(&l, &d, &c, &err), -1);
    cr_assert(strstr(err.msg, "subset -1"), "%s", err.msg);
    dataset_free(&d);
}

Test(loader, every_sample_exactly_once_per_epoch_with_a_short_last_batch)
{
    Dataset d;
    fx_dataset_index(&d, 103, (Dims){1, 2, 2}, 7);
    Loader l = make(&d, 10, 1, 0, 0, 0, 5);
    cr_assert_eq(l.batches, 11);
    int order[103], seen[103];
    for (int e = 0; e < 3; e++) {
        cr_assert_eq(epoch_indices(&l, e, order), 103);
        memset(seen, 0, sizeof seen);
        for (int k = 0; k < 103; k++)
            seen[order[k]]++;
        for (int i = 0; i < 103; i++)
            cr_assert_eq(seen[i], 1, "epoch %d sample %d seen %d times", e, i, seen[i]);
    }
    dataset_free(&d);
}

Test(loader, training_drops_the_last_partial_batch)
{
    Dataset d;
    fx_dataset_index(&d, 103, (Dims){1, 2, 2}, 7);
    Loader l = make(&d, 10, 1, 1, 0, 0, 5);
    cr_assert_eq(l.batches, 10);
    int order[103];
    cr_assert_eq(epoch_indices(&l, 0, order), 100);
    QbErr err = {{0}};
    Loader small;
    LoaderConfig big = {128, 1, 1, 0, 0, 0, 0};
    cr_assert_eq(loader_init(&small, &d, &big, &err), -1);
    cr_assert_str_eq(err.msg, "index/test: 103 samples, fewer than one batch of 128");
    dataset_free(&d);
}

Test(loader, order_depends_on_epoch_and_seed_only)
{
    Dataset d;
    fx_dataset_index(&d, 64, (Dims){1, 1, 1}, 4);
    Loader a = make(&d, 8, 1, 1, 0, 0, 5), b = make(&d, 8, 1, 1, 0, 0, 5);
    Loader c = make(&d, 8, 1, 1, 0, 0, 6), plain = make(&d, 8, 0, 1, 0, 0, 5);
    int e0[64], e1[64], again[64], other[64], fixed[64];
    epoch_indices(&a, 0, e0);
    epoch_indices(&a, 1, e1);
    epoch_indices(&b, 1, again);
    epoch_indices(&c, 1, other);
    epoch_indices(&plain, 1, fixed);
    cr_assert_neq(memcmp(e0, e1, sizeof e0), 0, "epochs differ");
    cr_assert_arr_eq(e1, again, sizeof e1, "a fresh loader reproduces an epoch");
    cr_assert_neq(memcmp(e1, other, sizeof e1), 0, "seeds differ");
    for (int i = 0; i < 64; i++)
        cr_assert_eq(fixed[i], i, "no shuffle keeps dataset order");
    int moved = 0;
    for (int i = 0; i < 64; i++)
        moved += e0[i] != i;
    cr_assert_gt(moved, 48, "a shuffle moves most samples (%d moved)", moved);
    dataset_free(&d);
}

static void batch_with_threads(const Loader *l, int threads, float *x, int *labels)
{
    omp_set_num_threads(threads);
    Tensor t = tensor_view(l->cfg.batch, l->data->dims, x);
    cr_assert_eq(loader_batch(l, 3, 2, &t, labels), l->cfg.batch);
}

Test(loader, augmented_batch_is_identical_for_one_and_two_threads)
{
    Dataset d;
    QbErr err = {{0}};
    DataOptions o = {.dims = {3, 10, 12}, .train_count = 200};
    cr_assert_eq(dataset_open_opts(&d, "synth", NULL, &o, DATA_TRAIN, &err), 0, "%s", err.msg);
    Loader l = make(&d, 32, 1, 1, 3, 1, 11);
    size_t n = 32 * dims_numel(d.dims);
    float *a = malloc(n * sizeof(float)), *b = malloc(n * sizeof(float));
    int la[32], lb[32];
    batch_with_threads(&l, 1, a, la);
    batch_with_threads(&l, 2, b, lb);
    cr_assert_arr_eq(a, b, n * sizeof(float));
    cr_assert_arr_eq(la, lb, sizeof la);
    Tensor t = tensor_view(32, d.dims, b);
    loader_batch(&l, 4, 2, &t, lb);
    cr_assert_neq(memcmp(a, b, n * sizeof(float)), 0, "another epoch, another batch");
    free(a);
    free(b);
    dataset_free(&d);
}

/* A 1x4x5 uint8 image with distinct pixels, mean 0.1 and std 0.5 (scaled units). */
static void image(Dataset *d, uint8_t *px, int *label, float *mean, float *std)
{
    memset(d, 0, sizeof *d);
    for (int p = 0; p < 20; p++)
        px[p] = (uint8_t)(10 + p * 11);
    *mean = 0.1f;
    *std = 0.5f;
    *label = 0;
    d->type = DATA_U8;
    d->dims = (Dims){1, 4, 5};
    d->count = 1;
    d->classes = 1;
    d->u8 = px;
    d->labels = label;
    d->scale = 1.0f / 255.0f;
    d->mean = mean;
    d->std = std;
}

static float norm(uint8_t v) { return (v / 255.0f - 0.1f) / 0.5f; }

Test(augment, crop_shifts_content_and_pads_with_zero)
{
    Dataset d;
    uint8_t px[20];
    int label;
    float mean, std, out[21];
    image(&d, px, &label, &mean, &std);
    out[20] = 12345.0f;
    augment_sample(&d, 0, (AugmentDraw){1, -2, 0}, out);
    cr_assert_eq(out[20], 12345.0f, "writes exactly C*H*W values");
    for (int y = 0; y < 4; y++)
        for (int x = 0; x < 5; x++) {
            int sy = y + 1, sx = x - 2;
            float want = sy < 4 && sx >= 0 ? norm(px[sy * 5 + sx]) : -0.1f / 0.5f;
            cr_assert_float_eq(out[y * 5 + x], want, 1e-6, "y %d x %d", y, x);
        }
}

Test(augment, flip_mirrors_then_crop_applies_to_the_flipped_image)
{
    Dataset d;
    uint8_t px[20];
    int label;
    float mean, std, out[20], id[20];
    image(&d, px, &label, &mean, &std);
    augment_sample(&d, 0, (AugmentDraw){0, 0, 0}, id);
    augment_sample(&d, 0, (AugmentDraw){0, 0, 1}, out);
    for (int y = 0; y < 4; y++)
        for (int x = 0; x < 5; x++) {
            cr_assert_float_eq(id[y * 5 + x], norm(px[y * 5 + x]), 1e-6);
            cr_assert_float_eq(out[y * 5 + x], id[y * 5 + 4 - x], 0.0f, "y %d x %d", y, x);
        }
    augment_sample(&d, 0, (AugmentDraw){0, 1, 1}, out);
    for (int x = 0; x < 5; x++) /* flipped, then the window moves right by one */
        cr_assert_float_eq(out[x], x == 0 ? -0.2f : id[5 - x], 1e-6, "x %d", x);
}

Test(augment, draws_cover_the_range_and_nothing_when_off)
{
    Rng r = rng_stream(1, "test");
    int seen[5][5] = {{0}}, flips = 0;
    for (int k = 0; k < 2000; k++) {
        AugmentDraw a = augment_draw(&r, 2, 1);
        cr_assert(a.dy >= -2 && a.dy <= 2 && a.dx >= -2 && a.dx <= 2);
        seen[a.dy + 2][a.dx + 2]++;
        flips += a.flip;
    }
    for (int i = 0; i < 25; i++)
        cr_assert_gt(seen[i / 5][i % 5], 40, "offset (%d, %d)", i / 5 - 2, i % 5 - 2);
    cr_assert(flips > 900 && flips < 1100, "%d flips", flips);
    Rng before = r;
    AugmentDraw none = augment_draw(&r, 0, 0);
    cr_assert(none.dy == 0 && none.dx == 0 && none.flip == 0);
    cr_assert_eq(r.counter, before.counter, "no draws when augmentation is off");
}

Test(loader, evaluation_batches_are_plain_normalised_samples)
{
    Dataset d;
    uint8_t px[20];
    int label, labels[4];
    float mean, std, x[4 * 20];
    image(&d, px, &label, &mean, &std);
    Loader l = make(&d, 4, 0, 0, 0, 0, 0);
    Tensor t = tensor_view(4, d.dims, x);
    cr_assert_eq(l.batches, 1);
    cr_assert_eq(loader_batch(&l, 0, 0, &t, labels), 1);
    for (int p = 0; p < 20; p++)
        cr_assert_float_eq(x[p], norm(px[p]), 1e-6);
    BatchSource s = loader_source(&l);
    cr_assert_eq(s.batches, 1);
    cr_assert_eq(s.fill(s.user, 0, 0, &t, labels, NULL), 1);
}
