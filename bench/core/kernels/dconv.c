#include "dconv.h"

#include <string.h>

#include "core/err.h"

#if defined(__AVX512F__) || defined(__AVX2__)
#include <immintrin.h>
#endif

/* The kernels are written once against a few vector operations: 16 floats a vector with
 * AVX-512, 8 with AVX2+FMA (the AMD and older Intel machines). Without either the layer
 * keeps im2col + sgemm (dconv_supported says 0). The forward kernel computes a tile of up to
 * QT consecutive output vectors for FB output channels, so each input vector is shared by FB
 * FMAs and each broadcast weight by QT. The weight-gradient kernel keeps WCB input channels'
 * 9 taps as accumulators, each a vector over VL output channels, so one load of dy (channels
 * last) feeds 9 * WCB FMAs whose broadcast inputs come straight from memory. The tile sizes
 * fill the register file (32 zmm, 16 ymm) with accumulators and the values that feed them:
 * with 16 ymm, 3 x 4 accumulators leave room for 3 inputs and 1 broadcast, and keep 12 FMA
 * chains in flight against 8 before (measured 1.2-1.4x the 1 x 8 tile on Zen 3); with 32 zmm,
 * 3 x 8 take 11 loads per 24 FMAs where 1 x 16 took 17 per 16 (measured 1.1-1.3x on Zen 5).
 * Tiling changes which outputs are computed together, never the order of any
 * one output's sum, so results are bit-identical for every tile size. */
#if defined(__AVX512F__)
#define DCONV_SIMD 1
#define VL 16
#define FB 8
#define QT 3
#define WCB 2
#define v_in_reg(v) ((void)0)
typedef __m512 vf;
#define v_zero() _mm512_setzero_ps()
#define v_load(p) _mm512_loadu_ps(p)
#define v_store(p, v) _mm512_storeu_ps(p, v)
#define v_add(a, b) _mm512_add_ps(a, b)
typedef __mmask16 vmask;
#define v_mask(n) ((__mmask16)((1u << (n)) - 1u))
#define v_load_mask(p, m) _mm512_maskz_loadu_ps(m, p)
#define v_store_mask(p, m, v) _mm512_mask_storeu_ps(p, m, v)
#define v_set1(x) _mm512_set1_ps(x)
#define v_fma(a, b, c) _mm512_fmadd_ps(a, b, c)
#define v_hsum(v) _mm512_reduce_add_ps(v)
#elif defined(__AVX2__) && defined(__FMA__)
#define DCONV_SIMD 1
#define VL 8
#define FB 4
#define QT 3
#define WCB 1
/* GCC otherwise folds the tile's input loads into every FMA, which makes the kernel
 * load-bound (16 loads per 12 FMAs instead of 7): the empty asm pins the value to a register. */
#define v_in_reg(v) __asm__("" : "+x"(v))
typedef __m256 vf;
#define v_zero() _mm256_setzero_ps()
#define v_load(p) _mm256_loadu_ps(p)
#define v_store(p, v) _mm256_storeu_ps(p, v)
#define v_add(a, b) _mm256_add_ps(a, b)
typedef __m256i vmask;
#define v_mask(n)                                                                            \
    _mm256_cmpgt_epi32(_mm256_set1_epi32(n), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7))
#define v_load_mask(p, m) _mm256_maskload_ps(p, m)
#define v_store_mask(p, m, v) _mm256_maskstore_ps(p, m, v)
#define v_set1(x) _mm256_set1_ps(x)
#define v_fma(a, b, c) _mm256_fmadd_ps(a, b, c)
static inline float v_hsum(__m256 v)
{
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}
#else
#define DCONV_SIMD 0
#define VL 16 /* only sizes the (unused) geometry, weight layouts and workspaces */
#define FB 16
#define WCB 1
#endif

/* Channel counts the kernels take: a multiple of every block size above. */
#define CH_MULT 16
int dconv_supported(int C, int K, int k, int stride, int pad, int groups)
{
    return DCONV_SIMD && C >= 1 && K % CH_MULT == 0 && k == 3 && stride == 1 && pad == 1 &&
           groups == 1;
}

int dconv_data_ok(int C) { return C % CH_MULT == 0; }

void dconv_geom(DGeom *g, int C, int K, int H, int W)
{
    g->C = C;
    g->K = K;
    g->H = H;
    g->W = W;
    g->Wp = W + 2;
    g->Q = (H * g->Wp + VL - 1) / VL * VL;
    /* one vector a row, when that takes fewer vectors than the grid (8x8: 8 against 10) */
    g->rows = W <= VL && H <= g->Q / VL;
    g->nvec = g->rows ? H : g->Q / VL;
    /* rows: 1 pad + H + 1 pad, plus the tail the last vector reads past (taps up to 2*Wp+2) */
    g->xp_plane = (size_t)(H + 2) * g->Wp + VL + 2 * g->Wp + 2;
}

/* Per-thread: padded input, the output grid, and for backward the grid-laid dy. */
size_t dconv_ws_forward(const DGeom *g)
{
    return (size_t)g->C * g->xp_plane + (size_t)g->K * g->Q;
}

size_t dconv_ws_backward(const DGeom *g)
{
    /* a chunk of padded inputs and of dys channels last, one padded dy, one dx grid */
    return DCONV_CHUNK * ((size_t)g->C * g->xp_plane + (size_t)g->K * g->H * g->W) +
           (size_t)g->K * g->xp_plane + (size_t)g->C * g->Q;
}

/* Where the weight of output channel o, input channel i and tap t sits for a kernel with
 * `in` input channels: blocks of FB output channels, each block's (i, t, FB) weights
 * contiguous, so a tile streams its weights instead of touching a cache line per tap. */
static size_t tile_weight_at(int o, int i, int t, int in)
{
    return (((size_t)(o / FB) * in + i) * 9 + t) * FB + o % FB;
}

void dconv_weights_forward(const DGeom *g, const float *w, float *wt)
{
    for (int k = 0; k < g->K; k++)
        for (int c = 0; c < g->C; c++)
            for (int t = 0; t < 9; t++)
                wt[tile_weight_at(k, c, t, g->C)] = w[((size_t)k * g->C + c) * 9 + t];
}

void dconv_weights_backward(const DGeom *g, const float *w, float *wd)
{
    for (int k = 0; k < g->K; k++)
        for (int c = 0; c < g->C; c++)
            for (int t = 0; t < 9; t++)
                wd[tile_weight_at(c, k, 8 - t, g->K)] = w[((size_t)k * g->C + c) * 9 + t];
}

#if DCONV_SIMD
/* dst[0..n) = src[0..n): whole vectors, the last one overlapping the one before, so that no
 * lane reaches past either row; libc's memcpy for rows shorter than a vector. Inline: a call
 * per 28-float row cost more than the copy. */
static inline void row_copy(float *dst, const float *src, int n)
{
    if (n < VL) {
        memcpy(dst, src, sizeof(float) * n);
        return;
    }
    for (int i = 0; i + VL < n; i += VL)
        v_store(dst + i, v_load(src + i));
    v_store(dst + n - VL, v_load(src + n - VL));
}

/* x (C, H, W) -> xp: each plane (H+2) x Wp with zero borders and a zero tail. */
static void pad_planes(const DGeom *g, int C, const float *x, float *xp)
{
    for (int c = 0; c < C; c++) {
        float *p = xp + (size_t)c * g->xp_plane;
        memset(p, 0, sizeof(float) * g->Wp);
        for (int h = 0; h < g->H; h++) {
            float *row = p + (size_t)(h + 1) * g->Wp;
            row[0] = 0.0f;
            row_copy(row + 1, x + ((size_t)c * g->H + h) * g->W, g->W);
            row[g->W + 1] = 0.0f;
        }
        memset(p + (size_t)(g->H + 1) * g->Wp, 0,
               sizeof(float) * (g->xp_plane - (size_t)(g->H + 1) * g->Wp));
    }
}

/* Grid (K, Q) -> (K, H, W): drop the two junk columns of each row. */
static void grid_extract(const DGeom *g, int K, const float *grid, float *y, int add)
{
    for (int k = 0; k < K; k++)
        for (int h = 0; h < g->H; h++) {
            const float *src = grid + (size_t)k * g->Q + (size_t)h * g->Wp;
            float *dst = y + ((size_t)k * g->H + h) * g->W;
            if (add)
                for (int w = 0; w < g->W; w++)
                    dst[w] += src[w];
            else
                row_copy(dst, src, g->W);
        }
}

/* The short vector of a narrow row (rows mode, W < VL). Out of line: inlined, GCC hoists the
 * mask above the tile's loop, where it takes a seventeenth ymm register and pushes an
 * accumulator onto the stack. */
static __attribute__((noinline)) void vec_put_lanes(float *p, int lanes, vf acc, int add)
{
    const vmask m = v_mask(lanes);
    v_store_mask(p, m, add ? v_add(v_load_mask(p, m), acc) : acc);
}

/* out (+)= acc for the lanes that are outputs. Adding the finished sum to what is there is
 * the same float operation the grid copy's add does. */
static inline void vec_put(float *p, int lanes, vf acc, int add)
{
    if (lanes == VL)
        v_store(p, add ? v_add(v_load(p), acc) : acc);
    else
        vec_put_lanes(p, lanes, acc, add);
}

/* The tile's loops must unroll completely for its accumulators to live in registers. */
#define UNROLL _Pragma("GCC unroll 16")

/* out[k][v..] (+)= sum_c,taps xp[c][in(v..) + i*Wp + j] * w[k][c][i][j] for FB output
 * channels and nq <= QT output vectors from v; out's channel planes are `plane` apart.
 * Vector v reads from v*VL on the grid and from row v (v*Wp) in rows mode, and goes to v*VL
 * or v*W; `rows` is a constant at each call, so the grid's offsets stay immediates. */
static inline __attribute__((always_inline)) void conv_tile(const DGeom *g, int C, const float *xp,
                                                             const float *wt, float *out,
                                                             size_t plane, int kb, int v, int nq,
                                                             int rows, int add)
{
    const size_t vin = rows ? (size_t)g->Wp : VL, vout = rows ? (size_t)g->W : VL;
    vf acc[QT][FB];
    UNROLL for (int u = 0; u < nq; u++)
        UNROLL for (int k = 0; k < FB; k++)
            acc[u][k] = v_zero();
    for (int c = 0; c < C; c++) {
        const float *xc = xp + (size_t)c * g->xp_plane + v * vin;
        const float *wc = wt + tile_weight_at(kb, c, 0, C);
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 3; j++) {
                vf xv[QT];
                UNROLL for (int u = 0; u < nq; u++) {
                    xv[u] = v_load(xc + u * vin + i * g->Wp + j);
                    v_in_reg(xv[u]);
                }
                const float *wk = wc + (i * 3 + j) * FB;
                UNROLL for (int k = 0; k < FB; k++) {
                    vf wv = v_set1(wk[k]);
                    v_in_reg(wv);
                    UNROLL for (int u = 0; u < nq; u++)
                        acc[u][k] = v_fma(xv[u], wv, acc[u][k]);
                }
            }
    }
    const int lanes = rows ? g->W : VL;
    UNROLL for (int u = 0; u < nq; u++)
        UNROLL for (int k = 0; k < FB; k++)
            vec_put(out + (size_t)(kb + k) * plane + (v + u) * vout, lanes, acc[u][k], add);
}

/* All K output channels of one image. Small planes (8x8 on the grid: 10 vectors) split better
 * into tiles of 2. */
static inline __attribute__((always_inline)) void conv_planes(const DGeom *g, int C, int K,
                                                               const float *xp, const float *wt,
                                                               float *out, size_t plane,
                                                               int rows, int add)
{
    const int nv = g->nvec;
    for (int kb = 0; kb < K; kb += FB) {
        int v = 0;
#if QT >= 3
        if (nv >= 12)
            for (; v + 3 <= nv; v += 3)
                conv_tile(g, C, xp, wt, out, plane, kb, v, 3, rows, add);
#endif
#if QT >= 2
        for (; v + 2 <= nv; v += 2)
            conv_tile(g, C, xp, wt, out, plane, kb, v, 2, rows, add);
#endif
        for (; v < nv; v++)
            conv_tile(g, C, xp, wt, out, plane, kb, v, 1, rows, add);
    }
}

/* y (K, H, W) (+)= the convolution of the padded input xp, through the grid when the geometry
 * says so. */
static void conv_image(const DGeom *g, int C, int K, const float *xp, const float *wt,
                       float *y, int add, float *grid)
{
    if (g->rows) {
        conv_planes(g, C, K, xp, wt, y, (size_t)g->H * g->W, 1, add);
        return;
    }
    conv_planes(g, C, K, xp, wt, grid, (size_t)g->Q, 0, 0);
    grid_extract(g, K, grid, y, add);
}

/* dy (K, H, W) -> dyt [K / VL][H * W][VL]: each pixel's VL output channels one vector. */
static void dy_channels_last(const DGeom *g, const float *dy, float *dyt)
{
    const size_t hw = (size_t)g->H * g->W;
    for (int kb = 0; kb < g->K; kb += VL) {
        const float *src = dy + (size_t)kb * hw;
        float *dst = dyt + (size_t)kb * hw;
        for (size_t p = 0; p < hw; p++)
            for (int l = 0; l < VL; l++)
                dst[p * VL + l] = src[(size_t)l * hw + p];
    }
}

/* dw[kb + l][c0 + c][t] += sum over the chunk's images n, rows h and columns w of
 * dyt[n][kb + l][h][w] * xp[n][c0 + c][(h + t / 3) * Wp + w + t % 3], for nc <= WCB input
 * channels and the VL output channels from kb. Each weight's gradient sums in the order
 * (image, row, column), then joins dw once per chunk. Against the former pixel-vector kernel
 * (3 shifted input loads and WB dy planes per step, a horizontal sum per weight) this is
 * 2.6-3.1x on 7x7 to 32x32 planes with AVX-512 and level to 1.2x with AVX2 (measured on a
 * Zen 5 EPYC, 8-image chunks); a third channel (27 accumulators) spills and runs at 0.6x. */
static inline __attribute__((always_inline)) void wgrad_tile(const DGeom *g, int nimg,
                                                              const float *xp, const float *dyt,
                                                              float *dw, int kb, int c0, int nc)
{
    const size_t xs = (size_t)g->C * g->xp_plane, hw = (size_t)g->H * g->W;
    vf acc[WCB][9];
    UNROLL for (int c = 0; c < nc; c++)
        UNROLL for (int t = 0; t < 9; t++)
            acc[c][t] = v_zero();
    for (int n = 0; n < nimg; n++) {
        const float *xn = xp + n * xs + (size_t)c0 * g->xp_plane;
        const float *dn = dyt + (n * (size_t)g->K + kb) * hw;
        for (int h = 0; h < g->H; h++) {
            const float *xr = xn + (size_t)h * g->Wp, *dr = dn + (size_t)h * g->W * VL;
            for (int w = 0; w < g->W; w++) {
                vf d = v_load(dr + (size_t)w * VL);
                UNROLL for (int c = 0; c < nc; c++)
                    UNROLL for (int t = 0; t < 9; t++)
                        acc[c][t] = v_fma(v_set1(xr[c * g->xp_plane + (t / 3) * g->Wp + t % 3 + w]),
                                          d, acc[c][t]);
            }
        }
    }
    for (int c = 0; c < nc; c++)
        for (int t = 0; t < 9; t++) {
            float lanes[VL];
            v_store(lanes, acc[c][t]);
            for (int l = 0; l < VL; l++)
                dw[((size_t)(kb + l) * g->C + c0 + c) * 9 + t] += lanes[l];
        }
}

/* Out of line, one per channel count, so each tile's accumulators are allocated to registers
 * on their own. */
static __attribute__((noinline)) void wgrad_tile_full(const DGeom *g, int nimg, const float *xp,
                                                      const float *dyt, float *dw, int kb, int c0)
{
    wgrad_tile(g, nimg, xp, dyt, dw, kb, c0, WCB);
}

#if WCB > 1
static __attribute__((noinline)) void wgrad_tile_one(const DGeom *g, int nimg, const float *xp,
                                                     const float *dyt, float *dw, int kb, int c0)
{
    wgrad_tile(g, nimg, xp, dyt, dw, kb, c0, 1);
}
#endif

static void wgrad_chunk(const DGeom *g, int nimg, const float *xp, const float *dyt, float *dw)
{
    for (int kb = 0; kb < g->K; kb += VL) {
        int c = 0;
        for (; c + WCB <= g->C; c += WCB)
            wgrad_tile_full(g, nimg, xp, dyt, dw, kb, c);
#if WCB > 1
        for (; c < g->C; c++)
            wgrad_tile_one(g, nimg, xp, dyt, dw, kb, c);
#endif
    }
}
#endif

void dconv_forward(const DGeom *g, const float *x, const float *wt, float *y, float *ws)
{
#if DCONV_SIMD
    float *xp = ws, *grid = ws + (size_t)g->C * g->xp_plane;
    pad_planes(g, g->C, x, xp);
    conv_image(g, g->C, g->K, xp, wt, y, 0, grid);
#else
    (void)g, (void)x, (void)wt, (void)y, (void)ws;
#endif
}

void dconv_backward(const DGeom *g, int nimg, const float *x, const float *dy, const float *wd,
                    float *dw, float *dx, int add, float *ws)
{
#if DCONV_SIMD
    QB_ASSERT(nimg >= 1 && nimg <= DCONV_CHUNK);
    const size_t xs = (size_t)g->C * g->H * g->W, ys = (size_t)g->K * g->H * g->W;
    const size_t xps = (size_t)g->C * g->xp_plane, yps = (size_t)g->K * g->xp_plane;
    float *xp = ws;
    float *dyp = xp + nimg * xps;
    float *dxg = dyp + yps, *dyt = dxg + (size_t)g->C * g->Q;
    for (int n = 0; n < nimg; n++) {
        pad_planes(g, g->C, x + n * xs, xp + n * xps);
        dy_channels_last(g, dy + n * ys, dyt + n * ys);
    }
    wgrad_chunk(g, nimg, xp, dyt, dw);
    if (!dx)
        return;
    /* dx = conv(dy, flipped transposed w): the forward kernel with K and C swapped. */
    DGeom t = *g;
    t.C = g->K;
    t.K = g->C;
    for (int n = 0; n < nimg; n++) {
        pad_planes(g, g->K, dy + n * ys, dyp);
        conv_image(&t, g->K, g->C, dyp, wd, dx + n * xs, add, dxg);
    }
#else
    (void)g, (void)nimg, (void)x, (void)dy, (void)wd, (void)dw, (void)dx, (void)add, (void)ws;
#endif
}
