/* `qbench intrun`: a trained QAT checkpoint run as a whole network in integers (int/intnet.h)
 * beside the fake-quantized float network it was evaluated as, image by image on the same
 * test images: top-1 of both, prediction agreement, per-layer code mismatches, operations,
 * weight bytes and time per image, each approximation named where it is printed. The
 * checkpoint's model record rebuilds the network, as `qbench eval` does. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/checkpoint.h"
#include "core/data/loader.h"
#include "core/train.h"
#include "int/intnet.h"
#include "run/record.h"
#include "run/run.h"
#include "args.h"
#include "cli.h"

typedef struct {
    char ckpt[RUN_PATH_MAX], dir[RUN_PATH_MAX];
    int limit;
} IntrunArgs;

static const ArgSpec intrun_specs[] = {
    {"--checkpoint", ARG_STR, ARG_TEXT(IntrunArgs, ckpt), .value = "FILE", .required = 1,
     .help = "a QAT checkpoint with a model record (what `qbench run-cell` and `qbench train` "
             "write)"},
    {"--data-dir", ARG_STR, ARG_TEXT(IntrunArgs, dir), .value = "DIR",
     .help = "where the test set's files are (default: the recorded directory, else the "
             "format's)"},
    {"--limit", ARG_INT, ARG_AT(IntrunArgs, limit), 1, 1 << 30, .value = "N",
     .help = "the first N test images only (default: all)"},
    {NULL}};

/* The record's configuration and its test set; errors name the checkpoint. */
static int intrun_setup(const IntrunArgs *a, ModelRecord *rec, Dataset *test, QbErr *err)
{
    CkptMeta m = {0};
    int rc = checkpoint_read_meta(a->ckpt, &m, err);
    if (rc == 0 && !m.record)
        rc = qb_fail(err, "%s: checkpoint format %u has no model record; intrun rebuilds the "
                          "network from one (retrain the cell to write it)", a->ckpt, m.version);
    int have = rc == 0 && (rc = record_read(a->ckpt, &m, rec, err)) == 0;
    ckpt_meta_free(&m);
    if (rc == 0 && !rec->cfg.scheme[0])
        rc = qb_fail(err, "%s: a full-precision checkpoint (its record names no scheme); intrun "
                          "runs QAT checkpoints", a->ckpt);
    if (rc == 0 && a->dir[0])
        snprintf(rec->cfg.data_dir, sizeof rec->cfg.data_dir, "%s", a->dir);
    if (rc == 0 && run_dataset_open(&rec->cfg, DATA_TEST, test, err) < 0)
        rc = -1;
    if (rc == 0 && (test->dims.c != rec->input.c || test->dims.h != rec->input.h ||
                    test->dims.w != rec->input.w || test->classes != rec->classes)) {
        rc = qb_fail(err, "%s: its network takes %dx%dx%d samples of %d classes, the test set %s "
                          "has %dx%dx%d samples of %d", a->ckpt, rec->input.c, rec->input.h,
                     rec->input.w, rec->classes, test->source, test->dims.c, test->dims.h,
                     test->dims.w, test->classes);
        dataset_free(test);
    }
    if (rc && have)
        record_free(rec);
    return rc;
}

/* What the run counts, image by image. */
typedef struct {
    IntNet in;
    const int *labels;
    int limit, seen, classes;
    long float_ok, int_ok, agree;
    double int_seconds;
} IntrunTally;

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static int float_argmax(const float *v, int n)
{
    int best = 0;
    for (int i = 1; i < n; i++)
        if (v[i] > v[best])
            best = i;
    return best;
}

/* Each image of an evaluated batch run again in integers and compared. */
static void tally_batch(void *user, const Tensor *out, int n)
{
    IntrunTally *t = user;
    const Tensor *x = &t->in.net->input;
    size_t numel = (size_t)x->c * x->h * x->w;
    for (int i = 0; i < n && t->seen < t->limit; i++, t->seen++) {
        double t0 = now();
        const int64_t *logits = int_net_run(&t->in, x->data + (size_t)i * numel);
        int yi = int_net_argmax(logits, t->classes);
        t->int_seconds += now() - t0;
        int yf = float_argmax(out->data + (size_t)i * t->classes, t->classes);
        int_net_compare(&t->in, i);
        t->float_ok += yf == t->labels[i];
        t->int_ok += yi == t->labels[i];
        t->agree += yi == yf;
    }
}

static double pct(double a, double b) { return b > 0 ? 100.0 * a / b : 0.0; }

static void print_layers(const IntNet *in)
{
    long long mul = 0, shift = 0, add = 0, req = 0, bytes = 0, consts = 0;
    printf("%-22s %-12s %-9s %18s %14s %14s %14s %9s %8s\n", "layer", "W/A", "acc",
           "code mismatches", "mul", "shift", "add", "W bytes", "fix err");
    for (int i = 0; i < in->n; i++) {
        const IntLayer *c = in->nodes[i].c;
        if (!c)
            continue;
        char wa[40], acc[16], mm[40];
        snprintf(wa, sizeof wa, "%s%d/%s%d", c->wmethod, c->wbits, c->amethod, c->abits);
        snprintf(acc, sizeof acc, "%s(%d)", c->wide ? "int64" : "int32", c->acc_bits);
        snprintf(mm, sizeof mm, "%lld (%.3f%%)", c->code_mismatch,
                 pct((double)c->code_mismatch, (double)c->codes_compared));
        long long wb = ((long long)c->k * c->n * c->wbits + 7) / 8;
        printf("%-22s %-12s %-9s %18s %14lld %14lld %14lld %9lld %8.3f\n",
               in->net->layers[i].name, wa, acc, mm, c->ops.mul, c->ops.shift, c->ops.add, wb,
               c->max_fix_err);
        mul += c->ops.mul;
        shift += c->ops.shift;
        add += c->ops.add;
        req += c->ops.rescale;
        bytes += wb;
        consts += (long long)c->k * ((c->w_odd ? 2 : 1) * 4 + 8);
    }
    printf("total per image: %lld multiplies, %lld shifts, %lld adds in conv/linear; %lld "
           "requantizing multiplies; %lld adds/compares/divisions elsewhere\n",
           mul, shift, add, req, in->elem_ops);
    printf("weights: %lld bytes of codes at their bit-widths, %lld bytes of per-channel "
           "multipliers (int32) and biases (int64)\n", bytes, consts);
}

static void report(const IntrunArgs *a, const ModelRecord *rec, const IntrunTally *t)
{
    const RunConfig *c = &rec->cfg;
    printf("%s %s W%dA%d %s: %d test images\n", c->net, c->scheme, c->wbits, c->abits, a->ckpt,
           t->seen);
    printf("top-1 integer %.2f%%, fake-quantized float (qbench eval's network) %.2f%%; "
           "predictions agree on %.2f%% (%ld of %d)\n", pct((double)t->int_ok, t->seen),
           pct((double)t->float_ok, t->seen), pct((double)t->agree, t->seen), t->agree, t->seen);
    printf("time per image, integer run, one thread, scalar C: %.3f ms\n",
           1e3 * t->int_seconds / (t->seen ? t->seen : 1));
    print_layers(&t->in);
    printf("approximations: values between layers are fixed point with %d fraction bits; "
           "multipliers have %d-bit mantissas (fix err: the largest error a multiplier adds to "
           "a layer's outputs, in 2^-%d, rounding included); round half up where the float "
           "network rounds half to even; average pooling divides with rounding; the input "
           "image is quantized in float as the first layer's quantizer does. Code mismatches "
           "count the input codes of each conv/linear that differ from the fake-quantized "
           "network's on the same image (the integer run feeds its own codes forward). "
           "Operations: shift/add counts are the shift-add form of the method's book, zero "
           "weights skipped and padded positions included; the time is of the multiply form "
           "(sign·magnitude integers), so it does not measure shift-add hardware.\n",
           INT_NET_FRAC, INT_FIX_MANT_BITS, INT_NET_FRAC);
}

static int intrun_eval(const IntrunArgs *a, ModelRecord *rec, Dataset *test, IntrunTally *t,
                       QbErr *err)
{
    const RunConfig *c = &rec->cfg;
    Net net;
    Loader l;
    LoaderConfig lc = {c->batch, 0, 0, 0, 0, c->seed, 0};
    int *labels = calloc((size_t)c->batch, sizeof(int));
    QB_ASSERT(labels);
    int rc = run_net_restore(c, test->dims, test->classes, a->ckpt, "its model record", &net,
                             err);
    if (rc == 0) {
        net.train = 0;
        net_forward(&net); /* Qw(W) and the quantizers' steps, for the build */
        if ((rc = int_net_build(&t->in, &net, err)) < 0)
            qb_wrap(err, "%s: ", a->ckpt);
    }
    if (rc == 0 && (rc = loader_init(&l, test, &lc, err)) == 0) {
        BatchSource src = loader_source(&l);
        t->labels = labels;
        t->classes = test->classes;
        t->limit = a->limit && a->limit < test->count ? a->limit : test->count;
        src.batches = (t->limit + c->batch - 1) / c->batch;
        EpochStats st;
        rc = evaluate_to(&net, &src, labels, &st, tally_batch, t, err);
    }
    if (rc == 0)
        report(a, rec, t);
    int_net_free(&t->in);
    free(labels);
    net_free(&net);
    return rc;
}

static int run_intrun(int argc, char **argv, QbErr *err)
{
    IntrunArgs a = {0};
    ModelRecord rec;
    Dataset test;
    IntrunTally t;
    memset(&t, 0, sizeof t);
    int rc = args_parse(argc, argv, intrun_specs, &a, err);
    if (rc == 0 && (rc = intrun_setup(&a, &rec, &test, err)) == 0) {
        rc = intrun_eval(&a, &rec, &test, &t, err);
        record_free(&rec);
        dataset_free(&test);
    }
    return rc;
}

const CliCommand cli_intrun = {
    "intrun", "a QAT checkpoint run as a whole network in integers, against its fake-quantized "
              "evaluation",
    intrun_specs, run_intrun, NULL};
