#include "loader.h"

#include "augment.h"

enum { PERM_ROUNDS = 6 };

/* Perm (loader.h) is a balanced Feistel network on the smallest even number of bits covering
 * n, cycle-walked back into range: any position maps to its sample in O(1) with no table, so
 * an epoch's order follows from (seed, epoch) alone. */

/* A permutation of [0, n) keyed by `base` at `counter`. */
static Perm perm_keyed(Rng base, uint64_t counter, int n)
{
    Perm p;
    base.counter = counter * PERM_ROUNDS;
    for (int k = 0; k < PERM_ROUNDS; k++)
        p.keys[k] = rng_u64(&base);
    int bits = 1;
    while ((1ULL << bits) < (uint64_t)n)
        bits++;
    p.half = (bits + 1) / 2;
    p.mask = (1ULL << p.half) - 1;
    p.n = n;
    return p;
}

static Perm perm_make(const Loader *l, int epoch)
{
    return perm_keyed(l->order, (uint64_t)epoch, l->count);
}

static int perm_apply(const Perm *p, int position)
{
    uint64_t x = (uint64_t)position;
    do {
        uint64_t left = x >> p->half, right = x & p->mask;
        for (int k = 0; k < PERM_ROUNDS; k++) {
            Rng f = {p->keys[k], right};
            uint64_t t = left ^ (rng_u64(&f) & p->mask);
            left = right;
            right = t;
        }
        x = left << p->half | right;
    } while (x >= (uint64_t)p->n);
    return (int)x;
}

int loader_init(Loader *l, const Dataset *d, const LoaderConfig *cfg, QbErr *err)
{
    if (cfg->batch < 1 || cfg->pad < 0)
        return qb_fail(err, "%s: loader batch %d and pad %d: expected batch >= 1, pad >= 0",
                       d->name, cfg->batch, cfg->pad);
    if (cfg->drop_last && d->count < cfg->batch)
        return qb_fail(err, "%s: %d samples, fewer than one batch of %d", d->name, d->count,
                       cfg->batch);
    if (cfg->subset < 0)
        return qb_fail(err, "%s: subset %d: expected 0 (all) or a sample count", d->name,
                       cfg->subset);
    l->data = d;
    l->cfg = *cfg;
    l->count = cfg->subset && cfg->subset < d->count ? cfg->subset : d->count;
    if (cfg->drop_last && l->count < cfg->batch)
        return qb_fail(err, "%s: subset of %d samples, fewer than one batch of %d", d->name,
                       l->count, cfg->batch);
    l->batches = cfg->drop_last ? l->count / cfg->batch
                                : (int)(((long)l->count + cfg->batch - 1) / cfg->batch);
    l->order = rng_stream(cfg->seed, "data");
    l->augment = rng_stream(cfg->seed, "augment");
    /* The subset is the first `count` positions of one fixed permutation of the whole set. */
    l->pick = perm_keyed(rng_stream(cfg->seed, "subset"), 0, d->count);
    return 0;
}

static int order_at(const Loader *l, const Perm *p, int position)
{
    int k = l->cfg.shuffle ? perm_apply(p, position) : position;
    return l->count < l->data->count ? perm_apply(&l->pick, k) : k;
}

int loader_order(const Loader *l, int epoch, int position)
{
    QB_ASSERT(epoch >= 0 && position >= 0 && position < l->count);
    Perm p = perm_make(l, epoch);
    return order_at(l, &p, position);
}

/* The stream of the sample at `position` in `epoch`: a key drawn per epoch, then one per
 * position, so no two (epoch, position) pairs share draws. */
static Rng sample_stream(Rng epoch_key, int position)
{
    Rng at = {epoch_key.key, (uint64_t)position};
    Rng s = {rng_u64(&at), 0};
    return s;
}

int loader_batch(const Loader *l, int epoch, int index, Tensor *x, int *labels)
{
    const Dataset *d = l->data;
    QB_ASSERT(epoch >= 0 && index >= 0 && index < l->batches);
    int first = index * l->cfg.batch;
    int n = l->count - first < l->cfg.batch ? l->count - first : l->cfg.batch;
    QB_ASSERT(x->n >= n && x->c == d->dims.c && x->h == d->dims.h && x->w == d->dims.w);
    Perm p = perm_make(l, epoch);
    Rng e = l->augment;
    e.counter = (uint64_t)epoch;
    Rng epoch_key = {rng_u64(&e), 0};
    size_t per = dims_numel(d->dims);
#pragma omp parallel for schedule(static)
    for (int j = 0; j < n; j++) {
        int i = order_at(l, &p, first + j);
        Rng s = sample_stream(epoch_key, first + j);
        augment_sample(d, i, augment_draw(&s, l->cfg.pad, l->cfg.flip), x->data + j * per);
        labels[j] = d->labels[i];
    }
    return n;
}

static int loader_fill(void *user, int epoch, int index, Tensor *x, int *labels, QbErr *err)
{
    (void)err;
    return loader_batch(user, epoch, index, x, labels);
}

BatchSource loader_source(Loader *l)
{
    BatchSource s = {loader_fill, l, l->batches};
    return s;
}
