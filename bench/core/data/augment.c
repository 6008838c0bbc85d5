#include "augment.h"

AugmentDraw augment_draw(Rng *r, int pad, int flip)
{
    AugmentDraw a = {0, 0, 0};
    if (pad > 0) {
        a.dy = (int)rng_below(r, 2u * (uint32_t)pad + 1u) - pad;
        a.dx = (int)rng_below(r, 2u * (uint32_t)pad + 1u) - pad;
    }
    if (flip)
        a.flip = (int)rng_below(r, 2);
    return a;
}

void augment_sample(const Dataset *d, int i, AugmentDraw a, float *out)
{
    int H = d->dims.h, W = d->dims.w;
    for (int c = 0; c < d->dims.c; c++) {
        float inv = 1.0f / d->std[c], pad = -d->mean[c] * inv;
        size_t plane = (size_t)c * H * W;
        for (int y = 0; y < H; y++, out += W) {
            int sy = y + a.dy;
            for (int x = 0; x < W; x++) {
                int sx = (a.flip ? W - 1 - x : x) + a.dx;
                int inside = sy >= 0 && sy < H && sx >= 0 && sx < W;
                out[x] = inside
                             ? (dataset_pixel(d, i, plane + (size_t)sy * W + sx) - d->mean[c]) * inv
                             : pad;
            }
        }
    }
}
