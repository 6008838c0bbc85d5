/* `qbench bench`: times forward, backward and the optimizer step of a network's training
 * step (FP32, or fake-quantized with a scheme), and cblas_sgemm on a 2048^3 problem in the
 * same run as the machine's practical peak. Training FLOPs are counted as 3 x 2 x MACs per
 * image (forward, input gradient, weight gradient). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cblas.h>

#include "../../nets/registry.h"
#include "../../quantizers/schemes.h"
#include "../cli/args.h"
#include "../cli/cli.h"
#include "../core/atomic_file.h"
#include "../core/cost.h"
#include "../core/json.h"
#include "../core/optim/optim.h"
#include "../core/rng.h"
#include "../core/threads.h"
#include "../core/xent.h"

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* Best of 3 multiplications of two 2048x2048 matrices with OpenBLAS on `threads` threads. */
static double sgemm_peak(int threads)
{
    const int n = 2048;
    size_t sz = (size_t)n * n;
    float *a = aligned_alloc(64, sz * 4), *b = aligned_alloc(64, sz * 4), *c = aligned_alloc(64, sz * 4);
    QB_ASSERT(a && b && c);
    Rng r = rng_stream(1, "bench");
    for (size_t i = 0; i < sz; i++) {
        a[i] = rng_uniform(&r) - 0.5f;
        b[i] = rng_uniform(&r) - 0.5f;
        c[i] = 0.0f;
    }
    threads_blas(threads);
    double best = 1e30;
    for (int rep = 0; rep < 4; rep++) {
        double t0 = now_seconds();
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1.0f, a, n, b, n, 0.0f, c, n);
        double t = now_seconds() - t0;
        if (rep > 0 && t < best) /* the first call warms up the threads and pages */
            best = t;
    }
    threads_blas(1);
    free(a);
    free(b);
    free(c);
    return 2.0 * n * n * (double)n / best / 1e9;
}

typedef struct {
    double fwd, bwd, opt; /* seconds per step */
    double macs;          /* per image */
} StepTiming;

/* Builds the net at `in`, then times `iters` steps after `warmup` untimed ones. */
static int time_steps(const char *name, Dims in, const char *scheme, int bits, int batch,
                      int threads, int iters, int warmup, StepTiming *out, QbErr *err)
{
    Net net;
    NetOptions o;
    net_options_defaults(&o);
    o.input = in;
    if (net_build(&net, name, &o, err) < 0)
        return -1;
    if (scheme[0] && scheme_apply(&net, scheme, bits, NULL, err) < 0) {
        net_free(&net);
        return -1;
    }
    CostTable ct;
    cost_table(&net, &ct);
    out->macs = ct.macs;
    cost_free(&ct);
    if (net_alloc(&net, batch, threads, err) < 0) {
        net_free(&net);
        return -1;
    }
    Rng r = rng_stream(1, "bench");
    net_init_params(&net, &r);
    for (size_t i = 0; i < tensor_numel(&net.input); i++)
        net.input.data[i] = rng_normal(&r);
    int *labels = malloc(sizeof(int) * (size_t)batch);
    QB_ASSERT(labels);
    for (int i = 0; i < batch; i++)
        labels[i] = (int)rng_below(&r, 10);
    Optimizer opt;
    optim_defaults(&opt, 1e-4f);
    net.train = 1;
    out->fwd = out->bwd = out->opt = 0.0;
    for (int it = 0; it < warmup + iters; it++) {
        double t0 = now_seconds();
        net_zero_grad(&net);
        net_forward(&net);
        xent_forward(net_output(&net), labels, 0.0f, net_output_grad(&net));
        double t1 = now_seconds();
        net_backward(&net);
        double t2 = now_seconds();
        optim_step(&opt, &net, 0.01f);
        double t3 = now_seconds();
        if (it >= warmup) {
            out->fwd += (t1 - t0) / iters;
            out->bwd += (t2 - t1) / iters;
            out->opt += (t3 - t2) / iters;
        }
    }
    free(labels);
    net_free(&net);
    return 0;
}

typedef struct {
    int threads, batch, iters, warmup, bits;
    char net[32], scheme[32];
    char json[512];
} BenchArgs;

static void report_case(JsonW *w, const char *label, const BenchArgs *a, const StepTiming *t,
                        double peak)
{
    double step = t->fwd + t->bwd + t->opt, ips = a->batch / step;
    double gflops = 6.0 * t->macs * a->batch / step / 1e9;
    printf("%-22s fwd %6.1f ms  bwd %6.1f ms  opt %5.2f ms  %7.1f images/s  %6.1f GFLOP/s  "
           "%.2f of sgemm peak\n",
           label, t->fwd * 1e3, t->bwd * 1e3, t->opt * 1e3, ips, gflops, gflops / peak);
    jw_obj(w, NULL);
    jw_str(w, "case", label);
    jw_num(w, "forward_ms", t->fwd * 1e3);
    jw_num(w, "backward_ms", t->bwd * 1e3);
    jw_num(w, "optimizer_ms", t->opt * 1e3);
    jw_num(w, "images_per_s", ips);
    jw_num(w, "step_gflops", gflops);
    jw_num(w, "fraction_of_sgemm_peak", gflops / peak);
    jw_obj_end(w);
}

int cmd_bench(int argc, char **argv, QbErr *err)
{
    BenchArgs a = {2, 128, 20, 3, 4, "resnet20", "", ""};
    const ArgSpec specs[] = {
        {"--threads", ARG_INT, &a.threads, 1, 256, 0},
        {"--batch", ARG_INT, &a.batch, 1, 4096, 0},
        {"--iters", ARG_INT, &a.iters, 1, 100000, 0},
        {"--warmup", ARG_INT, &a.warmup, 0, 1000, 0},
        {"--net", ARG_STR, a.net, 0, 0, sizeof a.net},
        {"--scheme", ARG_STR, a.scheme, 0, 0, sizeof a.scheme},
        {"--bits", ARG_INT, &a.bits, 2, 8, 0},
        {"--json", ARG_STR, a.json, 0, 0, sizeof a.json},
        {NULL, 0, NULL, 0, 0, 0},
    };
    int rc = args_parse(argc, argv, specs, err);
    if (rc)
        return rc;
    threads_set(a.threads);
    double peak = sgemm_peak(a.threads);
    printf("qbench bench: OpenBLAS core %s, %d threads, batch %d, %s, %d timed steps\n",
           threads_blas_core(), a.threads, a.batch, a.net, a.iters);
    printf("sgemm 2048^3 peak      %.1f GFLOP/s\n", peak);
    JsonW w;
    jw_init(&w, 1);
    jw_obj(&w, NULL);
    jw_str(&w, "blas_core", threads_blas_core());
    jw_int(&w, "threads", a.threads);
    jw_int(&w, "batch", a.batch);
    jw_str(&w, "net", a.net);
    jw_num(&w, "sgemm_gflops", peak);
    jw_arr(&w, "cases");
    static const Dims inputs[] = {{3, 32, 32}, {1, 28, 28}};
    double headline = 0.0;
    /* FP32 first; with --scheme the same shapes fake-quantized (label e.g. lsq4-3x32x32) */
    for (int i = 0; i < (a.scheme[0] ? 4 : 2) && rc == 0; i++) {
        StepTiming t;
        char label[64];
        const Dims in = inputs[i % 2];
        const char *scheme = i < 2 ? "" : a.scheme;
        if (i < 2)
            snprintf(label, sizeof label, "fp32-%dx%dx%d", in.c, in.h, in.w);
        else
            snprintf(label, sizeof label, "%s%d-%dx%dx%d", a.scheme, a.bits, in.c, in.h, in.w);
        rc = time_steps(a.net, in, scheme, a.bits, a.batch, a.threads, a.iters, a.warmup, &t,
                        err);
        if (rc == 0) {
            report_case(&w, label, &a, &t, peak);
            if (i == 0)
                headline = 6.0 * t.macs * a.batch / (t.fwd + t.bwd + t.opt) / 1e9 / peak;
        }
    }
    jw_arr_end(&w);
    jw_num(&w, "fraction_of_sgemm_peak", headline);
    jw_obj_end(&w);
    if (rc == 0 && a.json[0])
        rc = atomic_write(a.json, w.buf, w.len, err);
    jw_free(&w);
    return rc;
}
