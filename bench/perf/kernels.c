#include "kernels.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "core/err.h"
#include "core/kernels/dconv.h"
#include "core/rng.h"

static double seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static float *random_floats(Rng *r, size_t n)
{
    float *p = malloc(n * sizeof(float));
    QB_ASSERT(p);
    for (size_t i = 0; i < n; i++)
        p[i] = rng_uniform(r) - 0.5f;
    return p;
}

typedef struct {
    double fwd, wgrad, both; /* best seconds per chunk */
} KernelTimes;

static void time_shape(const DGeom *g, int reps, KernelTimes *t)
{
    Rng r = rng_stream(1, "bench-kernels");
    const size_t xs = (size_t)g->C * g->H * g->W, ys = (size_t)g->K * g->H * g->W;
    const size_t wn = (size_t)g->K * g->C * 9;
    float *x = random_floats(&r, DCONV_CHUNK * xs), *dy = random_floats(&r, DCONV_CHUNK * ys);
    float *w = random_floats(&r, wn), *wt = malloc(wn * sizeof(float));
    float *wd = malloc(wn * sizeof(float)), *dw = calloc(wn, sizeof(float));
    float *y = malloc(DCONV_CHUNK * ys * sizeof(float)), *dx = malloc(DCONV_CHUNK * xs * sizeof(float));
    size_t ws_n = dconv_ws_forward(g) > dconv_ws_backward(g) ? dconv_ws_forward(g)
                                                              : dconv_ws_backward(g);
    float *ws = malloc(ws_n * sizeof(float));
    QB_ASSERT(wt && wd && dw && y && dx && ws);
    dconv_weights_forward(g, w, wt);
    dconv_weights_backward(g, w, wd);
    *t = (KernelTimes){1e30, 1e30, 1e30};
    for (int rep = 0; rep < reps; rep++) {
        double t0 = seconds();
        for (int n = 0; n < DCONV_CHUNK; n++)
            dconv_forward(g, x + n * xs, wt, y + n * ys, ws);
        double t1 = seconds();
        dconv_backward(g, DCONV_CHUNK, x, dy, wd, dw, NULL, 0, ws);
        double t2 = seconds();
        dconv_backward(g, DCONV_CHUNK, x, dy, wd, dw, dx, 0, ws);
        double t3 = seconds();
        t->fwd = t1 - t0 < t->fwd ? t1 - t0 : t->fwd;
        t->wgrad = t2 - t1 < t->wgrad ? t2 - t1 : t->wgrad;
        t->both = t3 - t2 < t->both ? t3 - t2 : t->both;
    }
    free(x), free(dy), free(w), free(wt), free(wd), free(dw), free(y), free(dx), free(ws);
}

void bench_kernels(int reps)
{
    static const int shapes[][2] = {{16, 32}, {32, 16}, {64, 8}, {16, 28}, {32, 14}, {64, 7}};
    if (!dconv_supported(16, 16, 3, 1, 1, 1)) {
        printf("kernels: this build has neither AVX-512 nor AVX2+FMA: no direct kernels\n");
        return;
    }
    for (size_t i = 0; i < sizeof shapes / sizeof shapes[0]; i++) {
        const int C = shapes[i][0], hw = shapes[i][1];
        DGeom g;
        dconv_geom(&g, C, C, hw, hw);
        KernelTimes t;
        time_shape(&g, reps, &t);
        const double gflop = 2.0 * C * C * 9 * hw * hw * DCONV_CHUNK / 1e9;
        printf("kernels %2d channels %2dx%-2d  forward %6.1f  weight gradient %6.1f  "
               "data gradient %6.1f GFLOP/s\n",
               C, hw, hw, gflop / t.fwd, gflop / t.wgrad,
               t.both > t.wgrad ? gflop / (t.both - t.wgrad) : 0.0);
    }
}
