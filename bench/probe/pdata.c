#include "pdata.h"

#include <stdlib.h>
#include <string.h>

#include "core/data/loader.h"

/* Batch 0 of epoch 0 of `d` into t (shuffled or in data set order). */
static int first_batch(const Dataset *d, int shuffle, uint64_t seed, Tensor *t, QbErr *err)
{
    Loader l;
    LoaderConfig lc = {t->n, shuffle, 1, 0, 0, seed, 0};
    int *labels = calloc((size_t)t->n, sizeof(int));
    QB_ASSERT(labels);
    int rc = loader_init(&l, d, &lc, err);
    if (rc == 0)
        loader_batch(&l, 0, 0, t, labels);
    free(labels);
    return rc;
}

int pdata_open(ProbeData *d, const char *format, const char *dir, int batch, uint64_t seed,
               QbErr *err)
{
    memset(d, 0, sizeof *d);
    DataOptions o = {0};
    o.seed = seed;
    if (!strcmp(format, "synth"))
        o.train_count = o.test_count = batch;
    if (dataset_open_opts(&d->train, format, dir, &o, DATA_TRAIN, err) < 0 ||
        dataset_open_opts(&d->test, format, dir, &o, DATA_TEST, err) < 0)
        return -1;
    size_t n = (size_t)batch * dims_numel(d->train.dims);
    d->buf = malloc(2 * n * sizeof(float));
    QB_ASSERT(d->buf);
    d->init = tensor_view(batch, d->train.dims, d->buf);
    d->measure = tensor_view(batch, d->test.dims, d->buf + n);
    if (first_batch(&d->train, 1, seed, &d->init, err) < 0 ||
        first_batch(&d->test, 0, seed, &d->measure, err) < 0)
        return -1;
    return 0;
}

void pdata_close(ProbeData *d)
{
    dataset_free(&d->train);
    dataset_free(&d->test);
    free(d->buf);
    d->buf = NULL;
}
