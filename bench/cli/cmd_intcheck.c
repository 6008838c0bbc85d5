/* `qbench intcheck`: runs a layer whose weight method declares a shift-based integer path
 * (POT, POST, APoT) through the integer-only path, checks it against the fake-quantized
 * float layer (mismatches must be 0) and counts its operations against a uniform integer
 * layer of the same shape and bit-widths. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "quantizers/registry.h"
#include "quantizers/schemes.h"
#include "core/json.h"
#include "core/threads.h"
#include "int/intcheck.h"
#include "args.h"
#include "cli.h"

typedef struct {
    char scheme[32], ckpt[512], net[32], layer[LAYER_NAME_MAX];
    int bits, wbits, abits, k, n, lut_frac, json, classes;
    float width;
    Dims input;
    uint64_t seed;
} IntCheckArgs;

/* Weights with a shift-based integer path; activations with integer codes (int_path). */
static int shift_weights(const char *m)
{
    const QuantizerOps *ops = quantizer_find(m);
    return ops && int_has_shift_path(ops);
}

static int coded_acts(const char *m)
{
    const QuantizerOps *ops = quantizer_find(m);
    return ops && ops->int_path[QROLE_ACT] == QINT_UNIFORM;
}

static int scheme_checkable(const Scheme *sc)
{
    return sc && shift_weights(sc->wmethod) && coded_acts(sc->amethod);
}

static int checkable_entry(const void *scheme, const void *ctx)
{
    (void)ctx;
    return scheme_checkable(scheme);
}

/* "lsq+pot, lsq+post, asq+post": the schemes --scheme takes as they are. */
static void checkable_schemes(char *out, size_t cap)
{
    NameTable t = scheme_table();
    t.keep = checkable_entry;
    nametable_join(t, ", ", NULL, out, cap);
}

/* A scheme with shift-path weights and coded activations (lsq+pot, lsq+post, asq+post), else
 * a method with a shift path (pot, post, apot) with LSQ activations. */
static int resolve_scheme(const char *name, IntCheckSpec *s, QbErr *err)
{
    const Scheme *sc = scheme_find(name);
    if (scheme_checkable(sc)) {
        s->wmethod = sc->wmethod;
        s->amethod = sc->amethod;
        return 0;
    }
    if (!shift_weights(name)) {
        char methods[128], schemes[256];
        int_shift_methods(methods, sizeof methods);
        checkable_schemes(schemes, sizeof schemes);
        return qb_fail(err, "--scheme %s: expected %s (with LSQ activations), or %s, or lqnet "
                            "(binary basis)", name, methods, schemes), CLI_USAGE;
    }
    s->wmethod = name;
    s->amethod = "lsq";
    return 0;
}

static const char *path_names[3] = {"exact", "lut", "uniform"};

/* What was checked, as the first fields of the JSON report and the first line of the text. */
static void spec_json(JsonW *w, const IntCheckSpec *s)
{
    jw_str(w, "wmethod", s->wmethod);
    jw_str(w, "amethod", s->amethod);
    jw_int(w, "wbits", s->wbits);
    jw_int(w, "abits", s->abits);
    jw_int(w, "k", s->k);
    jw_int(w, "n", s->n);
    jw_int(w, "seed", (long long)s->seed);
    jw_str(w, "weights", s->weights ? "checkpoint" : "random");
}

static void spec_text(const IntCheckSpec *s)
{
    printf("intcheck: %s weights (%d-bit) x %s activations (%d-bit), k=%d n=%d, %s weights, "
           "seed %llu\n", s->wmethod, s->wbits, s->amethod, s->abits, s->k, s->n,
           s->weights ? "checkpoint" : "random", (unsigned long long)s->seed);
}

/* Basis updates before the binary-basis check: the levels it encodes are learned ones. */
#define INT_BASIS_UPDATES 3

/* A scheme (or method) whose weights and activations both have the binary-basis path. */
static int basis_scheme(const char *name, IntCheckSpec *s)
{
    const Scheme *sc = scheme_find(name);
    if (!sc || !int_has_basis_path(quantizer_find(sc->wmethod), QROLE_WEIGHT) ||
        !int_has_basis_path(quantizer_find(sc->amethod), QROLE_ACT))
        return 0;
    s->wmethod = sc->wmethod;
    s->amethod = sc->amethod;
    return 1;
}

static void basis_json(const IntCheckSpec *s, const IntBasisReport *r, long bad)
{
    JsonW w;
    jw_init(&w, 1);
    jw_obj(&w, NULL);
    spec_json(&w, s);
    jw_str(&w, "path", "binary_basis");
    jw_int(&w, "basis_updates", r->updates);
    jw_int(&w, "nonuniform_channels", r->nonuniform);
    jw_int(&w, "mismatches", bad);
    jw_int(&w, "weight_code_mismatches", r->w_codes);
    jw_int(&w, "act_code_mismatches", r->a_codes);
    jw_int(&w, "float_mismatches", r->floatb);
    jw_num(&w, "float_rel", r->float_rel);
    jw_num(&w, "float_bound", int_ref_float_bound(s->n));
    jw_int(&w, "bitops", r->bitops);
    jw_int(&w, "popcount_words", r->words);
    jw_int(&w, "rescale", r->rescale);
    jw_obj_end(&w);
    printf("%s\n", w.buf);
    jw_free(&w);
}

static void basis_text(const IntCheckSpec *s, const IntBasisReport *r, long bad)
{
    spec_text(s);
    printf("bases: after %d updates of their own, %d of %d weight channels off a uniform grid\n",
           r->updates, r->nonuniform, s->k);
    printf("mismatches: %ld\n", bad);
    printf("  codes: weights %ld, activations %ld\n", r->w_codes, r->a_codes);
    printf("  float: %ld channels; max |int - fake-quant dot| / sum|x*w| = %.3g (bound %.3g)\n",
           r->floatb, r->float_rel, int_ref_float_bound(s->n));
    printf("binary-basis dot: %lld one-bit products (MACs x %d x %d), %lld AND+popcount words "
           "of 64 bits, %lld multiply-adds by the basis products\n", r->bitops, s->wbits,
           s->abits, r->words, r->rescale);
}

/* The binary-basis path (LQ-Net): its own check and report. */
static int run_basis(const IntCheckSpec *s, int json, QbErr *err)
{
    IntBasisReport r;
    if (int_basis_check(s, INT_BASIS_UPDATES, &r, err) < 0)
        return -1;
    long bad = r.w_codes + r.a_codes + r.floatb;
    (json ? basis_json : basis_text)(s, &r, bad);
    if (bad)
        return qb_fail(err, "%ld mismatches between the binary-basis path and the "
                            "fake-quantized layer", bad);
    return 0;
}

static void print_table(const IntCheckSpec *s, const IntCheckReport *r)
{
    const IntPath *p[3] = {&r->exact, &r->lut, &r->uniform};
    printf("\n%-14s %10s %10s %10s %10s %8s %10s %4s\n", "path", "mul", "shift", "add", "lut",
           "rescale", "nnz", "acc");
    for (int i = 0; i < 3; i++) {
        if (i == 1 && !r->has_lut)
            continue;
        char name[32];
        snprintf(name, sizeof name, "%s%s%s", i == 2 ? "" : s->wmethod, i == 2 ? "" : " ",
                 path_names[i]);
        printf("%-14s %10lld %10lld %10lld %10lld %8lld %10ld %4d\n", name, p[i]->ops.mul,
               p[i]->ops.shift, p[i]->ops.add, p[i]->ops.lut, p[i]->ops.rescale, p[i]->nnz,
               p[i]->acc_bits);
    }
}

static void print_text(const IntCheckSpec *s, const IntCheckReport *r)
{
    const IntBook *b = &r->book;
    spec_text(s);
    int widest = r->exact.acc_bits > r->lut.acc_bits ? r->exact.acc_bits : r->lut.acc_bits;
    printf("levels: %d magnitudes, F=%d, denominator %lld; accumulators up to %d bits (%s)\n",
           b->nmag, b->frac, (long long)b->denom, widest, widest <= 32 ? "int32" : "int64");
    printf("mismatches: %ld\n", r->mismatches);
    printf("  codes: weights %ld (uniform %ld), activations %ld\n", r->exact.codes,
           r->uniform.codes, r->act_codes);
    printf("  grid: %ld channels (uniform %ld)\n", r->exact.grid, r->uniform.grid);
    printf("  float: %ld channels (uniform %ld); max |int - fake-quant dot| / sum|x*w| = %.3g "
           "(uniform %.3g, bound %.3g); float32 layer output %.3g\n",
           r->exact.floatb, r->uniform.floatb, r->exact.float_rel, r->uniform.float_rel,
           r->float_bound, r->exact.layer_rel);
    if (r->has_lut)
        printf("  lut: %ld channels beyond bound; max error %.3g LSB of 2^-%d (bound %.3g), "
               "relative %.3g; table %dx%d entries of %d bits\n",
               r->lut_bad, r->lut_err.max_err, r->lut_frac, r->lut_err.max_bound,
               r->lut_err.max_rel, r->lut_rows, r->lut_cols, r->lut_entry_bits);
    print_table(s, r);
}

static void json_path(JsonW *w, const char *name, const IntPath *p)
{
    jw_obj(w, NULL);
    jw_str(w, "path", name);
    jw_int(w, "mul", p->ops.mul);
    jw_int(w, "shift", p->ops.shift);
    jw_int(w, "add", p->ops.add);
    jw_int(w, "lut", p->ops.lut);
    jw_int(w, "rescale", p->ops.rescale);
    jw_int(w, "nnz", p->nnz);
    jw_int(w, "acc_bits", p->acc_bits);
    jw_int(w, "code_mismatches", p->codes);
    jw_int(w, "grid_mismatches", p->grid);
    jw_int(w, "float_mismatches", p->floatb);
    jw_num(w, "float_rel", p->float_rel);
    jw_num(w, "layer_rel", p->layer_rel);
    jw_obj_end(w);
}

static void json_lut(JsonW *w, const IntCheckReport *r)
{
    jw_obj(w, "lut");
    jw_int(w, "frac", r->lut_frac);
    jw_int(w, "rows", r->lut_rows);
    jw_int(w, "cols", r->lut_cols);
    jw_int(w, "entry_bits", r->lut_entry_bits);
    jw_num(w, "max_err_lsb", r->lut_err.max_err);
    jw_num(w, "bound_lsb", r->lut_err.max_bound);
    jw_num(w, "max_rel", r->lut_err.max_rel);
    jw_int(w, "bound_mismatches", r->lut_bad);
    jw_obj_end(w);
}

static void print_json(const IntCheckSpec *s, const IntCheckReport *r)
{
    JsonW w;
    jw_init(&w, 1);
    jw_obj(&w, NULL);
    spec_json(&w, s);
    jw_int(&w, "magnitudes", r->book.nmag);
    jw_int(&w, "frac", r->book.frac);
    jw_int(&w, "denom", r->book.denom);
    jw_int(&w, "mismatches", r->mismatches);
    jw_int(&w, "act_code_mismatches", r->act_codes);
    jw_num(&w, "float_bound", r->float_bound);
    jw_arr(&w, "paths");
    json_path(&w, path_names[0], &r->exact);
    if (r->has_lut)
        json_path(&w, path_names[1], &r->lut);
    json_path(&w, path_names[2], &r->uniform);
    jw_arr_end(&w);
    if (r->has_lut)
        json_lut(&w, r);
    jw_obj_end(&w);
    printf("%s\n", w.buf);
    jw_free(&w);
}

/* --checkpoint: the layer's trained weights replace the random ones (and set k, n). */
static int checkpoint_layer(const IntCheckArgs *a, IntCheckSpec *s, IntLayerWeights *lw,
                            QbErr *err)
{
    if (!a->net[0] || !a->layer[0])
        return qb_fail(err, "--checkpoint needs --net and --layer"), CLI_USAGE;
    IntCkptSpec c = {.path = a->ckpt, .net = a->net, .layer = a->layer, .scheme = a->scheme,
                     .wbits = s->wbits, .abits = s->abits};
    net_options_defaults(&c.net_opts);
    c.net_opts.input = a->input;
    c.net_opts.classes = a->classes;
    c.net_opts.width = a->width;
    if (int_layer_weights(&c, lw, err) < 0)
        return -1;
    s->weights = lw->w;
    s->k = lw->k;
    s->n = lw->n;
    return 0;
}

static const ArgSpec intcheck_specs[] = {
    {"--scheme", ARG_STR, ARG_TEXT(IntCheckArgs, scheme), .required = 1,
     .value = "pot|post|apot|lsq+pot|lsq+post|asq+post|lqnet", .help = "the scheme checked"},
    {"--bits", ARG_INT, ARG_AT(IntCheckArgs, bits), 1, 32, .value = "B",
     .help = "weight and activation bits (or --wbits and --abits)"},
    {"--wbits", ARG_INT, ARG_AT(IntCheckArgs, wbits), 1, 32, .value = "B", .help = "weight bits"},
    {"--abits", ARG_INT, ARG_AT(IntCheckArgs, abits), 1, 32, .value = "B",
     .help = "activation bits"},
    {"--k", ARG_INT, ARG_AT(IntCheckArgs, k), 1, 1 << 16, .value = "K",
     .help = "output channels of the synthetic layer (default 64)"},
    {"--n", ARG_INT, ARG_AT(IntCheckArgs, n), 1, 1 << 16, .value = "N",
     .help = "inputs per output of the synthetic layer (default 576)"},
    {"--lut-frac", ARG_INT, ARG_AT(IntCheckArgs, lut_frac), 0, 62, .value = "G",
     .help = "fraction bits of POST's table (default: the scheme's)"},
    {"--seed", ARG_U64, ARG_AT(IntCheckArgs, seed), 0, 9007199254740992.0, .value = "N",
     .help = "the synthetic layer's seed (default 1)"},
    {"--json", ARG_FLAG, ARG_AT(IntCheckArgs, json), .help = "JSON instead of text"},
    {"--checkpoint", ARG_STR, ARG_TEXT(IntCheckArgs, ckpt), .value = "CKPT",
     .help = "a trained layer instead of a synthetic one (with --net and --layer)"},
    {"--net", ARG_STR, ARG_TEXT(IntCheckArgs, net), .value = "NAME",
     .help = "the checkpoint's network"},
    {"--layer", ARG_STR, ARG_TEXT(IntCheckArgs, layer), .value = "L",
     .help = "the checkpoint's layer checked"},
    {"--input", ARG_DIMS, ARG_AT(IntCheckArgs, input), .value = "CxHxW",
     .help = "the checkpoint network's input (default 3x32x32)"},
    {"--classes", ARG_INT, ARG_AT(IntCheckArgs, classes), 1, 1 << 20, .value = "K",
     .help = "the checkpoint network's classes (default 10)"},
    {"--width", ARG_FLOAT, ARG_AT(IntCheckArgs, width), 0.01, 64, .value = "F",
     .help = "the checkpoint network's width (default 1)"},
    {NULL}};

static int run_intcheck(int argc, char **argv, QbErr *err)
{
    IntCheckArgs a = {.k = 64, .n = 576, .lut_frac = -1, .seed = 1, .classes = 10, .width = 1.0f,
                      .input = {3, 32, 32}};
    int rc = args_parse(argc, argv, intcheck_specs, &a, err);
    if (rc)
        return rc;
    if (!a.scheme[0] || (!a.bits && !(a.wbits && a.abits)))
        return qb_fail(err, "--scheme and --bits (or --wbits and --abits) are required"),
               CLI_USAGE;
    IntCheckSpec s = {.wbits = a.wbits ? a.wbits : a.bits, .abits = a.abits ? a.abits : a.bits,
                      .k = a.k, .n = a.n, .lut_frac = a.lut_frac, .seed = a.seed};
    int basis = basis_scheme(a.scheme, &s);
    if (!basis && (rc = resolve_scheme(a.scheme, &s, err)))
        return rc;
    threads_set(1);
    IntLayerWeights lw = {0};
    if (a.ckpt[0] && (rc = checkpoint_layer(&a, &s, &lw, err)))
        return rc;
    if (basis) {
        rc = run_basis(&s, a.json, err);
        free(lw.w);
        return rc;
    }
    IntCheckReport r;
    rc = int_check_run(&s, &r, err);
    free(lw.w);
    if (rc < 0)
        return -1;
    if (a.json)
        print_json(&s, &r);
    else
        print_text(&s, &r);
    if (r.mismatches)
        return qb_fail(err, "%ld mismatches between the integer path and the fake-quantized "
                            "layer", r.mismatches);
    return 0;
}

const CliCommand cli_intcheck = {
    "intcheck", "integer-only layer (shifts, POST's two accumulators and table, LQ-Net's "
                "binary-basis popcounts) vs fake quantization", intcheck_specs, run_intcheck, NULL};
