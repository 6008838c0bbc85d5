/* `qbench bench`: times forward, backward and the optimizer step of a network's training
 * step and its eval (inference) step, FP32 and fake-quantized with each --scheme given, the
 * process's peak RSS after the first (FP32) case, and cblas_sgemm on a 2048^3 problem in the
 * same run as the machine's practical peak (last, so its buffers are not in that RSS).
 * Training FLOPs are counted as 3 x 2 x MACs per image (forward, input gradient, weight
 * gradient). --profile splits the step by kind of work (kernels/prof.h). --paired N times
 * each scheme's step against FP32's again, in N interleaved pairs (perf/median_interval.h):
 * on a machine shared with other work that ratio, unlike the one from separate runs, is not
 * moved by the neighbours' load changing between the two runs. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sys/resource.h>

#include <cblas.h>

#include "nets/registry.h"
#include "quantizers/schemes.h"
#include "cli/args.h"
#include "cli/cli.h"
#include "core/atomic_file.h"
#include "core/cost.h"
#include "core/json.h"
#include "core/kernels/prof.h"
#include "core/optim/optim.h"
#include "core/rng.h"
#include "core/threads.h"
#include "core/xent.h"
#include "perf/kernels.h"
#include "perf/median_interval.h"

static double clock_seconds(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static double now_seconds(void) { return clock_seconds(CLOCK_MONOTONIC); }

/* CPU seconds of all the process's threads: on a shared machine, where other processes take
 * turns on the cores, it grows only while this process runs, unlike the wall clock. */
static double cpu_seconds(void) { return clock_seconds(CLOCK_PROCESS_CPUTIME_ID); }

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
    double fwd, bwd, opt; /* seconds per training step */
    double eval;          /* seconds per eval (inference) step */
    double cpu_step, cpu_eval; /* CPU seconds (all threads) per training / eval step */
    double macs;          /* per image */
    double prof[PROF_KINDS]; /* seconds per training step, with --profile */
} StepTiming;

typedef enum { PHASE_FORWARD, PHASE_BACKWARD } Phase;

/* The profile's section for one layer's forward or backward, as its kind declares it
 * (LayerOps.prof); conv2d refines its own backward (and the quantizers inside conv2d and
 * linear) with nested sections. */
static ProfKind layer_kind(const Layer *L, Phase ph) { return L->ops->prof[ph]; }

/* net_forward / net_backward with every layer in its profile section. */
static void profiled_pass(Net *net, Phase ph)
{
    for (int i = 0; i < net->nlayers; i++) {
        Layer *L = &net->layers[ph == PHASE_FORWARD ? i : net->nlayers - 1 - i];
        if (ph == PHASE_FORWARD && !net_runs_forward(net, L))
            continue;
        prof_push(layer_kind(L, ph));
        if (ph == PHASE_FORWARD)
            L->ops->forward(net, L);
        else
            L->ops->backward(net, L);
        prof_pop();
    }
}

static void run_pass(Net *net, Phase ph, int profile)
{
    if (profile)
        profiled_pass(net, ph);
    else if (ph == PHASE_FORWARD)
        net_forward(net);
    else
        net_backward(net);
}

typedef struct {
    double fwd, bwd, opt, cpu; /* seconds of one training step; cpu: all threads */
} StepSample;

static void train_step(Net *net, Optimizer *opt, const int *labels, int profile, StepSample *s)
{
    double c0 = cpu_seconds(), t0 = now_seconds();
    net_zero_grad(net);
    run_pass(net, PHASE_FORWARD, profile);
    xent_forward(net_output(net), labels, 0.0f, net_output_grad(net));
    double t1 = now_seconds();
    run_pass(net, PHASE_BACKWARD, profile);
    double t2 = now_seconds();
    prof_push(PROF_OPTIM);
    optim_step(opt, net, 0.01f);
    prof_pop();
    s->fwd = t1 - t0;
    s->bwd = t2 - t1;
    s->opt = now_seconds() - t2;
    s->cpu = cpu_seconds() - c0;
}

/* A network built for the bench, with its random batch and labels and its optimizer. */
typedef struct {
    Net net;
    int *labels;
    Optimizer opt;
    double macs; /* per image */
} BenchNet;

static void bench_net_free(BenchNet *b)
{
    free(b->labels);
    net_free(&b->net);
}

/* Builds the net at `in` with `scheme` ("" for FP32), in training mode. */
static int bench_net_build(BenchNet *b, const char *name, Dims in, const char *scheme, int bits,
                           int batch, int threads, QbErr *err)
{
    NetOptions o;
    net_options_defaults(&o);
    o.input = in;
    b->labels = NULL;
    if (net_build(&b->net, name, &o, err) < 0)
        return -1;
    if ((scheme[0] && scheme_apply(&b->net, scheme, bits, NULL, err) < 0) ||
        net_alloc(&b->net, batch, threads, err) < 0) {
        net_free(&b->net);
        return -1;
    }
    CostTable ct;
    cost_table(&b->net, &ct);
    b->macs = ct.macs;
    cost_free(&ct);
    Rng r = rng_stream(1, "bench");
    net_init_params(&b->net, &r);
    for (size_t i = 0; i < tensor_numel(&b->net.input); i++)
        b->net.input.data[i] = rng_normal(&r);
    b->labels = malloc(sizeof(int) * (size_t)batch);
    QB_ASSERT(b->labels);
    for (int i = 0; i < batch; i++)
        b->labels[i] = (int)rng_below(&r, 10);
    optim_defaults(&b->opt, 1e-4f);
    b->net.train = 1;
    return 0;
}

/* Times `iters` training steps after `warmup` untimed ones, then as many eval steps. */
static void time_net(BenchNet *b, int iters, int warmup, int profile, StepTiming *out)
{
    Net *net = &b->net;
    out->fwd = out->bwd = out->opt = out->eval = out->cpu_step = 0.0;
    out->macs = b->macs;
    for (int it = 0; it < warmup + iters; it++) {
        if (it == warmup)
            prof_reset();
        StepSample s;
        train_step(net, &b->opt, b->labels, profile, &s);
        if (it >= warmup) {
            out->fwd += s.fwd / iters;
            out->bwd += s.bwd / iters;
            out->opt += s.opt / iters;
            out->cpu_step += s.cpu / iters;
        }
    }
    prof_read(out->prof);
    for (int k = 0; k < PROF_KINDS; k++)
        out->prof[k] /= iters;
    net->train = 0;
    double cpu0 = 0.0;
    for (int it = 0; it < warmup + iters; it++) {
        if (it == warmup)
            cpu0 = cpu_seconds();
        double t0 = now_seconds();
        net_forward(net);
        if (it >= warmup)
            out->eval += (now_seconds() - t0) / iters;
    }
    out->cpu_eval = (cpu_seconds() - cpu0) / iters;
    net->train = 1;
}

static int time_case(const char *name, Dims in, const char *scheme, int bits, int batch,
                     int threads, int iters, int warmup, int profile, StepTiming *out,
                     QbErr *err)
{
    BenchNet b;
    if (bench_net_build(&b, name, in, scheme, bits, batch, threads, err) < 0)
        return -1;
    time_net(&b, iters, warmup, profile, out);
    bench_net_free(&b);
    return 0;
}

/* Per-pair ratios (wall and CPU) of `iters` interleaved training steps of `a` over `base`,
 * after `warmup` untimed pairs; the order within a pair alternates so neither step always
 * runs on the caches the other left. */
static void time_pairs(BenchNet *a, BenchNet *base, int iters, int warmup, double *wall,
                       double *cpu)
{
    for (int it = 0; it < warmup + iters; it++) {
        StepSample sa, sb;
        if (it % 2) {
            train_step(&base->net, &base->opt, base->labels, 0, &sb);
            train_step(&a->net, &a->opt, a->labels, 0, &sa);
        } else {
            train_step(&a->net, &a->opt, a->labels, 0, &sa);
            train_step(&base->net, &base->opt, base->labels, 0, &sb);
        }
        if (it >= warmup) {
            wall[it - warmup] = (sa.fwd + sa.bwd + sa.opt) / (sb.fwd + sb.bwd + sb.opt);
            cpu[it - warmup] = sa.cpu / sb.cpu;
        }
    }
}

static void print_interval(double lo, double hi)
{
    if (isnan(lo))
        printf("no interval (fewer than 6 pairs)");
    else
        printf("95%% interval %.2f-%.2f", lo, hi);
}

/* The speed targets printed beside the figures they judge (docs/benchmarks.md): a scheme's
 * training step at most 1.15x FP32's by the upper end of the paired median's interval, and
 * FP32's step at 0.8 of the sgemm peak or better on one thread. */
#define TARGET_SCHEME_TAX 1.15
#define TARGET_SGEMM_FRACTION 0.8

static const char *target_verdict(int met) { return met ? "met" : "NOT MET"; }

/* The `ratio step/fp32` line from `iters` interleaved pairs of the scheme's and FP32's step. */
static int paired_ratio(const char *label, const char *name, Dims in, const char *scheme,
                        int bits, int batch, int threads, int iters, int warmup, JsonW *w,
                        QbErr *err)
{
    BenchNet a, base;
    if (bench_net_build(&a, name, in, scheme, bits, batch, threads, err) < 0)
        return -1;
    if (bench_net_build(&base, name, in, "", bits, batch, threads, err) < 0) {
        bench_net_free(&a);
        return -1;
    }
    double *wall = malloc(sizeof(double) * 2 * (size_t)iters), *cpu = wall + iters;
    QB_ASSERT(wall);
    time_pairs(&a, &base, iters, warmup, wall, cpu);
    double m, lo, hi, mc, loc, hic;
    median_interval(wall, iters, &m, &lo, &hi);
    median_interval(cpu, iters, &mc, &loc, &hic);
    printf("ratio step/fp32 %s: %.2f (median of %d interleaved pairs, ", label, m, iters);
    print_interval(lo, hi);
    printf("; by CPU time %.2f, ", mc);
    print_interval(loc, hic);
    printf("); target: interval's upper end <= %.2f: %s\n", TARGET_SCHEME_TAX,
           isnan(hi) ? "no interval" : target_verdict(hi <= TARGET_SCHEME_TAX));
    jw_obj(w, NULL);
    jw_str(w, "case", label);
    jw_int(w, "pairs", iters);
    jw_num(w, "ratio_median", m);
    jw_num(w, "ratio_lo", lo);
    jw_num(w, "ratio_hi", hi);
    jw_num(w, "cpu_ratio_median", mc);
    jw_num(w, "cpu_ratio_lo", loc);
    jw_num(w, "cpu_ratio_hi", hic);
    jw_obj_end(w);
    free(wall);
    bench_net_free(&base);
    bench_net_free(&a);
    return 0;
}

typedef struct {
    int threads, batch, iters, warmup, bits, profile, paired, kernels;
    char net[32];
    ArgList schemes;
    char json[512];
} BenchArgs;

static double step_seconds(const StepTiming *t) { return t->fwd + t->bwd + t->opt; }

static double peak_rss_mib(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss / 1024.0; /* KiB on Linux */
}

static void print_profile(const char *label, const StepTiming *t)
{
    double sum = 0.0;
    for (int k = 0; k < PROF_KINDS; k++)
        sum += t->prof[k];
    printf("profile %s (share of a training step, %.1f ms):\n", label, sum * 1e3);
    for (int k = 0; k < PROF_KINDS; k++)
        if (t->prof[k] > 0.0)
            printf("  %-36s %5.1f%%  %7.2f ms\n", prof_name(k), 100.0 * t->prof[k] / sum,
                   t->prof[k] * 1e3);
}

static void report_case(JsonW *w, const char *label, const BenchArgs *a, const StepTiming *t)
{
    double step = step_seconds(t), ips = a->batch / step;
    double gflops = 6.0 * t->macs * a->batch / step / 1e9;
    printf("%-22s fwd %6.1f ms  bwd %6.1f ms  opt %5.2f ms  %7.1f images/s  %6.1f GFLOP/s  "
           "eval %6.1f ms  %7.1f images/s  cpu %.0f + %.0f ms\n",
           label, t->fwd * 1e3, t->bwd * 1e3, t->opt * 1e3, ips, gflops, t->eval * 1e3,
           a->batch / t->eval, t->cpu_step * 1e3, t->cpu_eval * 1e3);
    if (a->profile)
        print_profile(label, t);
    jw_obj(w, NULL);
    jw_str(w, "case", label);
    jw_num(w, "forward_ms", t->fwd * 1e3);
    jw_num(w, "backward_ms", t->bwd * 1e3);
    jw_num(w, "optimizer_ms", t->opt * 1e3);
    jw_num(w, "images_per_s", ips);
    jw_num(w, "step_gflops", gflops);
    jw_num(w, "eval_ms", t->eval * 1e3);
    jw_num(w, "eval_images_per_s", a->batch / t->eval);
    jw_num(w, "cpu_ms_per_step", t->cpu_step * 1e3);
    jw_num(w, "eval_cpu_ms", t->cpu_eval * 1e3);
    if (a->profile) {
        jw_obj(w, "profile_ms");
        for (int k = 0; k < PROF_KINDS; k++)
            jw_num(w, prof_name(k), t->prof[k] * 1e3);
        jw_obj_end(w);
    }
    jw_obj_end(w);
}

/* Case i: FP32 for i < 2, then each scheme; the two input shapes alternate. */
static void case_label(const BenchArgs *a, int i, const Dims *in, char *label, size_t cap)
{
    if (i < 2)
        snprintf(label, cap, "fp32-%dx%dx%d", in->c, in->h, in->w);
    else
        snprintf(label, cap, "%s%d-%dx%dx%d", a->schemes.items[i / 2 - 1], a->bits, in->c,
                 in->h, in->w);
}

static const ArgSpec bench_specs[] = {
    {"--threads", ARG_INT, ARG_AT(BenchArgs, threads), 1, 256, .value = "N",
     .help = "threads (default 2)"},
    {"--batch", ARG_INT, ARG_AT(BenchArgs, batch), 1, 4096, .value = "N",
     .help = "batch size (default 128)"},
    {"--iters", ARG_INT, ARG_AT(BenchArgs, iters), 1, 100000, .value = "N",
     .help = "timed steps (default 20)"},
    {"--warmup", ARG_INT, ARG_AT(BenchArgs, warmup), 0, 1000, .value = "N",
     .help = "untimed steps first (default 3)"},
    {"--net", ARG_STR, ARG_TEXT(BenchArgs, net), .value = "NAME",
     .help = "the network (default resnet20)"},
    {"--scheme", ARG_LIST, ARG_AT(BenchArgs, schemes), .value = "S",
     .help = "a scheme timed beside FP32"},
    {"--bits", ARG_INT, ARG_AT(BenchArgs, bits), 2, 8, .value = "B",
     .help = "the schemes' bits (default 4)"},
    {"--profile", ARG_FLAG, ARG_AT(BenchArgs, profile),
     .help = "each kind of work's share of a step"},
    {"--paired", ARG_INT, ARG_AT(BenchArgs, paired), 0, 100000, .value = "N",
     .help = "each scheme against FP32 in N interleaved steps (median, 95% interval)"},
    {"--json", ARG_STR, ARG_TEXT(BenchArgs, json), .value = "FILE",
     .help = "the timings written as JSON"},
    {"--kernels", ARG_FLAG, ARG_AT(BenchArgs, kernels),
     .help = "only the direct 3x3 kernels, one thread, in --iters repetitions (GFLOP/s)"},
    {NULL}};

static int run_bench(int argc, char **argv, QbErr *err)
{
    BenchArgs a = {.threads = 2, .batch = 128, .iters = 20, .warmup = 3, .bits = 4,
                   .net = "resnet20"};
    int rc = args_parse(argc, argv, bench_specs, &a, err);
    if (rc)
        return rc;
    if (a.kernels) {
        threads_set(1);
        bench_kernels(a.iters);
        return 0;
    }
    threads_set(a.threads);
    prof_enable(a.profile);
    printf("qbench bench: OpenBLAS core %s, %d threads, batch %d, %s, %d timed steps\n",
           threads_blas_core(), a.threads, a.batch, a.net, a.iters);
    JsonW w;
    jw_init(&w, 1);
    jw_obj(&w, NULL);
    jw_str(&w, "blas_core", threads_blas_core());
    jw_int(&w, "threads", a.threads);
    jw_int(&w, "batch", a.batch);
    jw_str(&w, "net", a.net);
    jw_arr(&w, "cases");
    static const Dims inputs[] = {{3, 32, 32}, {1, 28, 28}};
    StepTiming fp32[2];
    double headline_gflops = 0.0, rss_fp32 = 0.0;
    for (int i = 0; i < 2 * (1 + a.schemes.n) && rc == 0; i++) {
        StepTiming t;
        char label[96];
        const Dims in = inputs[i % 2];
        case_label(&a, i, &in, label, sizeof label);
        rc = time_case(a.net, in, i < 2 ? "" : a.schemes.items[i / 2 - 1], a.bits, a.batch,
                       a.threads, a.iters, a.warmup, a.profile, &t, err);
        if (rc)
            break;
        report_case(&w, label, &a, &t);
        if (i < 2)
            fp32[i] = t;
        else
            printf("ratio step/fp32 %s: %.2f (by CPU time %.2f)\n", label,
                   step_seconds(&t) / step_seconds(&fp32[i % 2]),
                   t.cpu_step / fp32[i % 2].cpu_step);
        if (i == 0) {
            headline_gflops = 6.0 * t.macs * a.batch / step_seconds(&t) / 1e9;
            rss_fp32 = peak_rss_mib();
            printf("peak RSS %s training step: %.1f MiB\n", label, rss_fp32);
        }
    }
    jw_arr_end(&w);
    jw_arr(&w, "paired");
    for (int i = 2; i < 2 * (1 + a.schemes.n) && rc == 0 && a.paired > 0; i++) {
        char label[96];
        case_label(&a, i, &inputs[i % 2], label, sizeof label);
        rc = paired_ratio(label, a.net, inputs[i % 2], a.schemes.items[i / 2 - 1], a.bits,
                          a.batch, a.threads, a.paired, a.warmup, &w, err);
    }
    jw_arr_end(&w);
    if (rc == 0) {
        printf("peak RSS over all cases: %.1f MiB\n", peak_rss_mib());
        double peak = sgemm_peak(a.threads);
        printf("sgemm 2048^3 peak      %.1f GFLOP/s; FP32 %s step at %.2f of it", peak,
               "3x32x32", headline_gflops / peak);
        if (a.threads == 1)
            printf("; target >= %.2f: %s", TARGET_SGEMM_FRACTION,
                   target_verdict(headline_gflops / peak >= TARGET_SGEMM_FRACTION));
        printf("\n");
        jw_num(&w, "peak_rss_fp32_mib", rss_fp32);
        jw_num(&w, "sgemm_gflops", peak);
        jw_num(&w, "fraction_of_sgemm_peak", headline_gflops / peak);
    }
    jw_obj_end(&w);
    if (rc == 0 && a.json[0])
        rc = atomic_write(a.json, w.buf, w.len, err);
    jw_free(&w);
    return rc;
}

const CliCommand cli_bench = {
    "bench", "time the training step (and each scheme's against FP32's) and the sgemm peak",
    bench_specs, run_bench, NULL};
