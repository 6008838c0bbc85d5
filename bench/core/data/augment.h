/* Per-sample augmentation as torchvision composes it for CIFAR: a random crop of the image
 * zero-padded by `pad` pixels, a random horizontal flip, then per-channel normalisation. */
#ifndef QB_AUGMENT_H
#define QB_AUGMENT_H

#include "core/rng.h"
#include "dataset.h"

/* One sample's draw: crop offset (dy, dx) in [-pad, pad] and a flip flag. {0, 0, 0} leaves
 * the image as it is. */
typedef struct {
    int dy, dx;
    int flip;
} AugmentDraw;

/* Draws dy and dx (only when pad > 0), then the flip coin (only when flip is set). */
AugmentDraw augment_draw(Rng *r, int pad, int flip);

/* out (C,H,W) = sample i, cropped and flipped, normalised by d->mean and d->std:
 * out[c][y][x] = (p(c, y + dy, x' + dx) - mean[c]) / std[c], x' = flip ? W-1-x : x, where
 * p is the pixel in scaled units and 0 outside the image (zero padding before normalising). */
void augment_sample(const Dataset *d, int i, AugmentDraw a, float *out);

#endif
