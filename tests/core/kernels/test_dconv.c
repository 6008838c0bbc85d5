/* The direct 3x3 kernels (bench/core/kernels/dconv.c) against naive loops: forward output,
 * weight gradient and data gradient (assigned and added), on channel counts and plane sizes
 * that exercise whole and partial vectors, every split of a plane into output tiles, several
 * channel blocks and a multi-image chunk.
 * Run on whichever SIMD flavour this build compiled (AVX-512 or AVX2+FMA); `make test` also
 * runs this suite built for AVX2 on a machine with AVX-512 (mk/test.mk), so both flavours
 * are checked there. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>

#include "core/kernels/dconv.h"
#include "core/rng.h"

typedef struct {
    int C, K, H, W;
} Shape;

static float *randoms(Rng *r, size_t n)
{
    float *p = malloc(n * sizeof(float));
    cr_assert(p);
    for (size_t i = 0; i < n; i++)
        p[i] = rng_uniform(r) - 0.5f;
    return p;
}

static float x_at(const float *x, Shape s, int c, int h, int w)
{
    return h < 0 || h >= s.H || w < 0 || w >= s.W ? 0.0f : x[((size_t)c * s.H + h) * s.W + w];
}

/* y[k][h][w] = sum_c,i,j x[c][h+i-1][w+j-1] * w[k][c][i][j] */
static double ref_y(const float *x, const float *w, Shape s, int k, int h, int wo)
{
    double acc = 0.0;
    for (int c = 0; c < s.C; c++)
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 3; j++)
                acc += (double)x_at(x, s, c, h + i - 1, wo + j - 1) *
                       w[((size_t)k * s.C + c) * 9 + i * 3 + j];
    return acc;
}

static void expect_close(double got, double want, const char *what, int a, int b)
{
    cr_expect(fabs(got - want) <= 1e-4 + 1e-4 * fabs(want), "%s [%d][%d]: %g, naive %g", what, a,
              b, got, want);
}

static void check_forward(Shape s)
{
    Rng r = rng_stream(7, "dconv");
    DGeom g;
    dconv_geom(&g, s.C, s.K, s.H, s.W);
    const size_t xn = (size_t)s.C * s.H * s.W, yn = (size_t)s.K * s.H * s.W;
    float *x = randoms(&r, xn), *w = randoms(&r, (size_t)s.K * s.C * 9);
    float *wt = malloc(sizeof(float) * s.K * s.C * 9), *y = malloc(sizeof(float) * yn);
    float *ws = malloc(sizeof(float) * dconv_ws_forward(&g));
    dconv_weights_forward(&g, w, wt);
    dconv_forward(&g, x, wt, y, ws);
    for (int k = 0; k < s.K; k++)
        for (int h = 0; h < s.H; h++)
            for (int q = 0; q < s.W; q++)
                expect_close(y[((size_t)k * s.H + h) * s.W + q], ref_y(x, w, s, k, h, q), "y", k,
                             h * s.W + q);
    free(x), free(w), free(wt), free(y), free(ws);
}

/* dx is checked when the kernels compute it (dconv_data_ok); otherwise only dw, as for the
 * net's first convolution. */
static void check_backward(Shape s, int nimg, int add)
{
    const int with_dx = dconv_data_ok(s.C);
    Rng r = rng_stream(8, "dconv");
    DGeom g;
    dconv_geom(&g, s.C, s.K, s.H, s.W);
    const size_t xs = (size_t)s.C * s.H * s.W, ys = (size_t)s.K * s.H * s.W;
    const size_t wn = (size_t)s.K * s.C * 9;
    float *x = randoms(&r, nimg * xs), *dy = randoms(&r, nimg * ys), *w = randoms(&r, wn);
    float *dx = randoms(&r, nimg * xs), *dx0 = malloc(sizeof(float) * nimg * xs);
    float *dw = calloc(wn, sizeof(float)), *wd = malloc(sizeof(float) * wn);
    float *ws = malloc(sizeof(float) * dconv_ws_backward(&g));
    for (size_t i = 0; i < nimg * xs; i++)
        dx0[i] = dx[i];
    if (with_dx) /* its layout takes whole blocks of input channels */
        dconv_weights_backward(&g, w, wd);
    dconv_backward(&g, nimg, x, dy, wd, dw, with_dx ? dx : NULL, add, ws);
    for (int k = 0; k < s.K; k++)
        for (int c = 0; c < s.C; c++)
            for (int t = 0; t < 9; t++) {
                double acc = 0.0;
                for (int n = 0; n < nimg; n++)
                    for (int h = 0; h < s.H; h++)
                        for (int q = 0; q < s.W; q++)
                            acc += (double)dy[n * ys + ((size_t)k * s.H + h) * s.W + q] *
                                   x_at(x + n * xs, s, c, h + t / 3 - 1, q + t % 3 - 1);
                expect_close(dw[((size_t)k * s.C + c) * 9 + t], acc, "dw", k, c * 9 + t);
            }
    /* dx[c][h][w] = sum_k,i,j dy[k][h-i+1][w-j+1] * w[k][c][i][j] */
    Shape t = {s.K, s.C, s.H, s.W};
    for (int n = 0; n < nimg * with_dx; n++)
        for (int c = 0; c < s.C; c++)
            for (int h = 0; h < s.H; h++)
                for (int q = 0; q < s.W; q++) {
                    double acc = 0.0;
                    for (int k = 0; k < s.K; k++)
                        for (int i = 0; i < 3; i++)
                            for (int j = 0; j < 3; j++)
                                acc += (double)x_at(dy + n * ys, t, k, h - i + 1, q - j + 1) *
                                       w[((size_t)k * s.C + c) * 9 + i * 3 + j];
                    size_t at = n * xs + ((size_t)c * s.H + h) * s.W + q;
                    expect_close(dx[at], acc + (add ? dx0[at] : 0.0), "dx", n * s.C + c,
                                 h * s.W + q);
                }
    free(x), free(dy), free(w), free(dx), free(dx0), free(dw), free(wd), free(ws);
}

/* With AVX2 (8 lanes) these cover both output modes and every tile split (tiles of 3 when a
 * plane has >= 12 vectors, then 2, then 1). Rows mode (W <= 8, one vector a row): 8x8 is 8
 * vectors (2s), 5x7 is 5 masked ones (2s and a 1), 13x6 is 13 masked ones (3s and a 1).
 * Grid mode: 16x16 is 36 vectors (3s), 7x14 is 14 (3s and a 2), 13x28 is 49 (3s and a 1),
 * 10x28 is 38 (3s and a 2), 9x3 is 6 (2s), 4x4 is 3 (a 2 and a 1). The weight gradient's
 * tiles of two input channels (AVX-512) take every channel count here whole; the odd counts
 * below add the one-channel tile after them. */
static const Shape shapes[] = {{16, 16, 8, 8},   {16, 32, 5, 7},   {32, 16, 9, 3},
                               {48, 16, 16, 16}, {16, 16, 13, 6},  {16, 16, 7, 14},
                               {16, 32, 13, 28}, {16, 16, 10, 28}};

Test(dconv, forward_matches_naive_loops)
{
    if (!dconv_supported(16, 16, 3, 1, 1, 1))
        cr_skip_test("this build has neither AVX-512 nor AVX2+FMA: no direct kernels");
    for (size_t i = 0; i < sizeof shapes / sizeof shapes[0]; i++)
        check_forward(shapes[i]);
    check_forward((Shape){3, 16, 6, 6}); /* the net's first conv: 3 input channels */
}

Test(dconv, backward_matches_naive_loops)
{
    if (!dconv_supported(16, 16, 3, 1, 1, 1))
        cr_skip_test("this build has neither AVX-512 nor AVX2+FMA: no direct kernels");
    for (size_t i = 0; i < sizeof shapes / sizeof shapes[0]; i++) {
        check_backward(shapes[i], 1, 0);
        check_backward(shapes[i], 3, 1);
    }
    check_backward((Shape){16, 16, 4, 4}, DCONV_CHUNK, 0);
    check_backward((Shape){3, 16, 6, 6}, 2, 0); /* the first conv: dw only */
    check_backward((Shape){1, 32, 5, 9}, 1, 0);
}
