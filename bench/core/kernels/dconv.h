/* Direct 3x3 stride-1 convolution with AVX-512 or AVX2+FMA micro-kernels, for the dense
 * convolutions that dominate ResNets. The trick that keeps the kernels simple: the input is
 * padded to rows of Wp = W + 2, where a vector of consecutive outputs reads as many
 * consecutive inputs for every tap, so each tap is one vector load shared by a block of output
 * channels. Planes at most a vector wide take one output vector a row, stored straight to the
 * output (under a mask when narrower), when that needs fewer vectors than the alternative:
 * vectors over the padded-width grid, whose 2 junk columns per row are dropped when the
 * result is copied out. With AVX2, 8x8 planes take 8 row vectors against 10 on the grid.
 * About 4x the throughput of im2col + sgemm at 16 channels on an AVX-512 Xeon. The weight
 * gradient turns the roles around: dy is laid channels last, so one vector holds a pixel's
 * output channels and every input tap is a broadcast (dconv.c, wgrad_tile). */
#ifndef QB_DCONV_H
#define QB_DCONV_H

#include <stddef.h>

typedef struct {
    int C, K;         /* input and output channels */
    int H, W;         /* input size; the output is H x W too (3x3, pad 1, stride 1) */
    int Wp;           /* padded row length W + 2 */
    int Q;            /* grid outputs per channel, H * Wp rounded up to the vector width */
    int rows;         /* 1: one output vector a row, written in place; 0: the grid */
    int nvec;         /* output vectors per channel */
    size_t xp_plane;  /* floats per padded input channel, incl. the read-ahead tail */
} DGeom;

/* 1 when the fast path applies: AVX-512 or AVX2+FMA compiled in, 3x3, stride 1, pad 1,
 * groups 1, and K a multiple of 16 (forward). Backward data needs C % 16 == 0
 * (dconv_data_ok). */
int dconv_supported(int C, int K, int k, int stride, int pad, int groups);
int dconv_data_ok(int C);
void dconv_geom(DGeom *g, int C, int K, int H, int W);

/* Floats of per-thread workspace the forward / backward need. */
size_t dconv_ws_forward(const DGeom *g);
size_t dconv_ws_backward(const DGeom *g);

/* w: (K, C, 3, 3) -> wt: [K/FB][C][3][3][FB], FB output channels a block (forward layout). */
void dconv_weights_forward(const DGeom *g, const float *w, float *wt);
/* w: (K, C, 3, 3) -> wd, flipped and transposed: the forward layout of the data-gradient
 * conv, whose outputs are the C input channels. */
void dconv_weights_backward(const DGeom *g, const float *w, float *wd);

/* One image. x: (C, H, W); y: (K, H, W), assigned. ws: dconv_ws_forward floats. */
void dconv_forward(const DGeom *g, const float *x, const float *wt, float *y, float *ws);
/* Images per backward call: the weight gradient sums a chunk before reducing. */
#define DCONV_CHUNK 8

/* nimg <= DCONV_CHUNK consecutive images. dw: (K, C, 3, 3) += dL/dw; dx: (nimg, C, H, W)
 * assigned or added (add), or NULL. wd from dconv_weights_backward (unused without dx). */
void dconv_backward(const DGeom *g, int nimg, const float *x, const float *dy, const float *wd,
                    float *dw, float *dx, int add, float *ws);

#endif
