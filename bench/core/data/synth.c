/* synth: a deterministic classification set made from a seed. Class k is a sinusoidal
 * grating with one of 3 orientations (k mod 3: vertical, horizontal, diagonal) and a period
 * from a geometric ladder (k div 3); each sample draws its phase and contrast and adds noise,
 * so the class lives in local texture that small convolutions detect anywhere in the image.
 * Every class is closed under horizontal mirroring, the default training augmentation: the
 * diagonal class draws 45 or 135 degrees per sample (two classes of 45 and 135 degrees would
 * swap labels under a flip, and capped any network at about 80%). Noise is kept well below
 * the contrast so that a small network learns the set within a hundred or so SGD steps:
 * that is what lets the smoke profile tell a working quantizer from a broken one. */
#include <math.h>
#include <stdio.h>

#include "core/rng.h"
#include "formats.h"

enum { SYNTH_ORIENTATIONS = 3 };

typedef struct {
    Dims dims;
    int classes;
    int count;
} SynthShape;

static int synth_shape(const DataRequest *r, SynthShape *s, QbErr *err)
{
    const DataOptions *o = r->opt;
    s->dims = o->dims.c || o->dims.h || o->dims.w ? o->dims : (Dims){1, 28, 28};
    s->classes = o->classes ? o->classes : 10;
    int n = r->split == DATA_TRAIN ? o->train_count : o->test_count;
    s->count = n ? n : (r->split == DATA_TRAIN ? 10000 : 500);
    /* below 8 pixels the period ladder collapses and classes would coincide */
    if (s->dims.c < 1 || s->dims.h < 8 || s->dims.w < 8 || dims_numel(s->dims) > (1u << 30))
        return qb_fail(err, "synth: dims %dx%dx%d: expected C >= 1, H and W >= 8, at most 2^30 "
                       "values", s->dims.c, s->dims.h, s->dims.w);
    if (s->classes < 2)
        return qb_fail(err, "synth: %d classes: expected at least 2", s->classes);
    if (s->count < 1)
        return qb_fail(err, "synth: %d samples: expected at least 1", s->count);
    return 0;
}

/* Periods from 2.5 pixels up to half the shorter side, spaced geometrically. */
static double synth_period(int level, int levels, Dims d)
{
    double lo = 2.5, hi = fmax(0.5 * (d.h < d.w ? d.h : d.w), lo);
    return levels == 1 ? 0.5 * (lo + hi) : lo * pow(hi / lo, (double)level / (levels - 1));
}

/* One sample; its own counter range of the split's stream keeps samples independent, so
 * they can be generated in parallel. Draws per sample: 3 + 2 per pixel. */
static void synth_sample(uint8_t *out, int label, const SynthShape *s, Rng r)
{
    int levels = (s->classes + SYNTH_ORIENTATIONS - 1) / SYNTH_ORIENTATIONS;
    int orientation = label % SYNTH_ORIENTATIONS;
    double diagonal = rng_uniform(&r) < 0.5 ? 0.25 : 0.75;
    double theta = M_PI * (orientation == 0 ? 0.0 : orientation == 1 ? 0.5 : diagonal);
    double k = 2.0 * M_PI / synth_period(label / SYNTH_ORIENTATIONS, levels, s->dims);
    double phase = 2.0 * M_PI * rng_uniform(&r);
    double contrast = 48.0 + 32.0 * rng_uniform(&r);
    double kx = k * cos(theta), ky = k * sin(theta);
    for (int c = 0; c < s->dims.c; c++)
        for (int y = 0; y < s->dims.h; y++)
            for (int x = 0; x < s->dims.w; x++) {
                /* triangular noise, std 15/sqrt(6) ~ 6 grey levels */
                double noise = 15.0 * (rng_uniform(&r) + rng_uniform(&r) - 1.0);
                double v = 128.0 + contrast * cos(kx * x + ky * y + phase) + noise;
                v = nearbyint(v);
                *out++ = (uint8_t)(v < 0.0 ? 0.0 : v > 255.0 ? 255.0 : v);
            }
}

int synth_open(Dataset *d, const DataRequest *r, QbErr *err)
{
    SynthShape s;
    if (synth_shape(r, &s, err) < 0)
        return -1;
    snprintf(d->source, sizeof d->source, "synth(seed %llu, %dx%dx%d, %d classes, %d samples)",
             (unsigned long long)r->opt->seed, s.dims.c, s.dims.h, s.dims.w, s.classes, s.count);
    if (dataset_alloc(d, DATA_U8, s.dims, s.count, err) < 0)
        return -1;
    d->classes = s.classes;
    Rng base = rng_stream(r->opt->seed, r->split == DATA_TRAIN ? "synth-train" : "synth-test");
    size_t per = dims_numel(s.dims);
#pragma omp parallel for schedule(static)
    for (int i = 0; i < s.count; i++) {
        Rng one = {base.key, (uint64_t)i << 32};
        d->labels[i] = i % s.classes;
        synth_sample(d->u8 + (size_t)i * per, d->labels[i], &s, one);
    }
    return 0;
}
