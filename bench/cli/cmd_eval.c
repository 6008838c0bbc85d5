/* `qbench eval`: a checkpoint's top-1, top-5 and loss on the test split, in evaluation mode.
 * A checkpoint with a model record (run/record.h) rebuilds its network, quantizers and test
 * set from it, at its training batch size and thread count, which reproduces the top-1 its
 * run recorded; one without (format 1) takes the settings as flags, named by the error that
 * asks for them. --dump-logits writes every test sample's logits. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/atomic_file.h"
#include "core/checkpoint.h"
#include "core/data/loader.h"
#include "core/data/npy.h"
#include "core/json.h"
#include "core/jsonr.h"
#include "core/train.h"
#include "run/record.h"
#include "run/run.h"
#include "args.h"
#include "cli.h"

/* The settings-table flags that describe the network and its test set, in EvalArgs.model
 * order: a checkpoint without a record needs them, one with a record must agree with them. */
static const char *const model_flags[] = {"--net",   "--width",      "--shortcut",
                                          "--scheme", "--wbits",     "--abits",
                                          "--first-last", "--data", "--input",
                                          "--classes", "--asq-first-layer", "--set",
                                          "--override", NULL};
enum { MODEL_TEXT = 10 }; /* the flags above with a value of their own */

typedef struct {
    char ckpt[RUN_PATH_MAX], dir[RUN_PATH_MAX], dump[RUN_PATH_MAX];
    char model[MODEL_TEXT][RUN_PATH_MAX];
    int asq_first_layer, bits, batch, threads, json;
    ArgList opts, overrides;
} EvalArgs;

static const ArgSpec eval_specs[] = {
    {"--checkpoint", ARG_STR, ARG_TEXT(EvalArgs, ckpt), .value = "FILE", .required = 1,
     .help = "the checkpoint evaluated"},
    {"--data-dir", ARG_STR, ARG_TEXT(EvalArgs, dir), .value = "DIR",
     .help = "where the test set's files are (default: the recorded directory, else the "
             "format's)"},
    {"--batch", ARG_INT, ARG_AT(EvalArgs, batch), 1, 65536, .value = "N",
     .help = "batch size (default: the training batch the checkpoint records, which "
             "reproduces its recorded top-1; 500 without a record)"},
    {"--threads", ARG_INT, ARG_AT(EvalArgs, threads), 1, 256, .value = "N",
     .help = "threads (default: the recorded run's; 1 without a record)"},
    {"--dump-logits", ARG_STR, ARG_TEXT(EvalArgs, dump), .value = "FILE",
     .help = "write the logits as .npy, float32, test samples x classes in the test set's "
             "order (written atomically)"},
    {"--json", ARG_FLAG, ARG_AT(EvalArgs, json), .help = "JSON instead of text"},
    {"--net", ARG_STR, ARG_TEXT(EvalArgs, model[0]), .value = "NAME",
     .help = "settings of a checkpoint without a model record (with one they must agree with "
             "it): the network"},
    {"--width", ARG_STR, ARG_TEXT(EvalArgs, model[1]), .value = "F",
     .help = "width multiplier (default 1)"},
    {"--shortcut", ARG_STR, ARG_TEXT(EvalArgs, model[2]), .value = "a|b",
     .help = "ResNet shortcut option (default b)"},
    {"--scheme", ARG_STR, ARG_TEXT(EvalArgs, model[3]), .value = "S",
     .help = "quantization scheme (default: full precision)"},
    {"--wbits", ARG_STR, ARG_TEXT(EvalArgs, model[4]), .value = "B", .help = "weight bits"},
    {"--abits", ARG_STR, ARG_TEXT(EvalArgs, model[5]), .value = "B",
     .help = "activation bits"},
    {"--first-last", ARG_STR, ARG_TEXT(EvalArgs, model[6]), .value = "POLICY",
     .help = "first and last layer policy (default lsq8)"},
    {"--data", ARG_STR, ARG_TEXT(EvalArgs, model[7]), .value = "FORMAT",
     .help = "the data set (default fmnist)"},
    {"--input", ARG_STR, ARG_TEXT(EvalArgs, model[8]), .value = "CxHxW",
     .help = "sample shape (synth data; default: the data set's)"},
    {"--classes", ARG_STR, ARG_TEXT(EvalArgs, model[9]), .value = "K",
     .help = "classes (default: the data set's)"},
    {"--asq-first-layer", ARG_FLAG, ARG_AT(EvalArgs, asq_first_layer),
     .help = "ASQ on the first layer's input too"},
    {"--set", ARG_LIST, ARG_AT(EvalArgs, opts), .value = "NAME=VALUE",
     .help = "a method option (repeatable)"},
    {"--override", ARG_LIST, ARG_AT(EvalArgs, overrides), .value = "PATTERN=...",
     .help = "a mixed-precision rule (repeatable)"},
    {"--bits", ARG_INT, ARG_AT(EvalArgs, bits), 1, 1 << 30, .value = "B",
     .help = "weight and activation bits where --wbits/--abits are not given"},
    {NULL}};

/* One item of a settings-table flag into c. */
static int set_flag(RunConfig *c, const char *flag, const char *value, QbErr *err)
{
    const RunField *f = runcfg_field_flag(flag);
    char want[200];
    QB_ASSERT(f);
    if (runcfg_field_set(f, c, value, want, sizeof want) < 0)
        return qb_fail(err, "%s %s: expected %s", flag, value, want), CLI_USAGE;
    return 0;
}

/* The configuration the flags describe, from the defaults (a checkpoint without a record). */
static int flags_config(const EvalArgs *a, RunConfig *c, QbErr *err)
{
    int rc = 0;
    for (int i = 0; rc == 0 && i < MODEL_TEXT; i++)
        if (a->model[i][0])
            rc = set_flag(c, model_flags[i], a->model[i], err);
    for (int k = 0; rc == 0 && k < a->opts.n; k++)
        rc = set_flag(c, "--set", a->opts.items[k], err);
    for (int k = 0; rc == 0 && k < a->overrides.n; k++)
        rc = set_flag(c, "--override", a->overrides.items[k], err);
    c->asq_first_layer |= a->asq_first_layer;
    if (rc == 0 && a->bits) {
        c->wbits = c->wbits ? c->wbits : a->bits;
        c->abits = c->abits ? c->abits : a->bits;
    }
    if (rc == 0 && c->scheme[0] && !(c->wbits && c->abits))
        rc = (qb_fail(err, "--scheme %s needs --bits B (or --wbits and --abits)", c->scheme),
              CLI_USAGE);
    return rc;
}

/* A checkpoint without a record: the error that says which flags rebuild it, with the values
 * of the training configuration it holds when it holds one. */
static int no_record(const char *path, const CkptMeta *m, QbErr *err)
{
    char *said = NULL;
    size_t n = 0;
    RunConfig c;
    JsonV *v = NULL;
    QbErr ignored;
    runcfg_defaults(&c);
    if (m->config && json_parse(m->config, path, &v, &ignored) == 0 &&
        runcfg_from_json(&c, v, path, &ignored) == 0) {
        FILE *f = open_memstream(&said, &n);
        QB_ASSERT(f);
        runcfg_write_flags(f, &c, model_flags);
        fclose(f);
    }
    qb_fail(err, "%s: checkpoint format %u has no model record, so its network must be given: "
                 "--net NAME and, for a quantized one, --scheme S --bits B (with --width, "
                 "--shortcut, --first-last, --set, --override and --data as it was trained)%s%s",
            path, m->version, said ? "; its training configuration says:" : "", said ? said : "");
    free(said);
    json_free(v);
    runcfg_free(&c);
    return CLI_USAGE;
}

/* With a record, a model flag given must say what the record says. */
static int flags_agree(const EvalArgs *a, const RunConfig *rec, const char *path, QbErr *err)
{
    RunConfig given;
    runcfg_defaults(&given);
    int rc = 0;
    for (int i = 0; rc == 0 && i < MODEL_TEXT; i++) {
        const RunField *f = runcfg_field_flag(model_flags[i]);
        char want[RUN_PATH_MAX], have[RUN_PATH_MAX];
        if (!a->model[i][0] || (rc = set_flag(&given, model_flags[i], a->model[i], err)) != 0)
            continue;
        runcfg_field_text(f, &given, want, sizeof want);
        runcfg_field_text(f, rec, have, sizeof have);
        if (strcmp(want, have))
            rc = qb_fail(err, "%s: %s %s disagrees with the checkpoint's record (%s); leave the "
                              "flag out", path, model_flags[i], a->model[i],
                         have[0] ? have : "none");
    }
    if (rc == 0 && a->bits && (a->bits != rec->wbits || a->bits != rec->abits))
        rc = qb_fail(err, "%s: --bits %d disagrees with the checkpoint's record (W%dA%d); leave "
                          "the flag out", path, a->bits, rec->wbits, rec->abits);
    if (rc == 0 && (a->opts.n || a->overrides.n || a->asq_first_layer))
        rc = qb_fail(err, "%s: --set, --override and --asq-first-layer are for checkpoints "
                          "without a model record; this one records its own", path);
    runcfg_free(&given);
    return rc;
}

/* What is evaluated: the configuration, the test set, and what the output notes. */
typedef struct {
    RunConfig cfg;
    ModelRecord rec;
    int recorded;
    Dataset test;
    char notes[2][1400];
} EvalSetup;

static int test_set_open(EvalSetup *s, const char *path, QbErr *err)
{
    if (run_dataset_open(&s->cfg, DATA_TEST, &s->test, err) < 0)
        return -1;
    const Dataset *d = &s->test;
    if (!s->recorded)
        return 0;
    if (d->dims.c != s->rec.input.c || d->dims.h != s->rec.input.h ||
        d->dims.w != s->rec.input.w || d->classes != s->rec.classes)
        return qb_fail(err, "%s: its network takes %dx%dx%d samples of %d classes, the test set "
                            "%s (%s) has %dx%dx%d samples of %d", path, s->rec.input.c,
                       s->rec.input.h, s->rec.input.w, s->rec.classes, d->name, d->source,
                       d->dims.c, d->dims.h, d->dims.w, d->classes);
    if (d->fingerprint != s->rec.test_fingerprint || d->count != s->rec.test_count)
        snprintf(s->notes[0], sizeof s->notes[0],
                 "the test set read (%s, %d samples, fingerprint %016llx) is not the one the "
                 "checkpoint was evaluated on (%s, %d samples, %016llx)", d->source, d->count,
                 (unsigned long long)d->fingerprint, s->rec.test_name, s->rec.test_count,
                 (unsigned long long)s->rec.test_fingerprint);
    return 0;
}

static int setup(const EvalArgs *a, EvalSetup *s, QbErr *err)
{
    CkptMeta m = {0};
    int rc = checkpoint_read_meta(a->ckpt, &m, err);
    runcfg_defaults(&s->cfg);
    s->recorded = rc == 0 && m.record;
    if (rc == 0 && s->recorded && (rc = record_read(a->ckpt, &m, &s->rec, err)) == 0 &&
        (rc = flags_agree(a, &s->rec.cfg, a->ckpt, err)) == 0) {
        runcfg_free(&s->cfg);
        runcfg_copy(&s->cfg, &s->rec.cfg);
    } else if (rc == 0 && !s->recorded) {
        rc = a->model[0][0] ? flags_config(a, &s->cfg, err) : no_record(a->ckpt, &m, err);
        s->cfg.batch = 500;
        s->cfg.threads = 1;
    }
    ckpt_meta_free(&m);
    if (rc)
        return rc;
    if (a->dir[0])
        snprintf(s->cfg.data_dir, sizeof s->cfg.data_dir, "%s", a->dir);
    s->cfg.batch = a->batch ? a->batch : s->cfg.batch;
    s->cfg.threads = a->threads ? a->threads : s->cfg.threads;
    return test_set_open(s, a->ckpt, err);
}

static void setup_free(EvalSetup *s)
{
    runcfg_free(&s->cfg);
    if (s->recorded)
        record_free(&s->rec);
    dataset_free(&s->test);
}

/* Every batch's logits, in order. */
typedef struct {
    float *data;
    size_t at, cap;
} Logits;

static void logits_add(void *user, const Tensor *out, int n)
{
    Logits *l = user;
    size_t k = (size_t)n * out->c * out->h * out->w;
    QB_ASSERT(l->at + k <= l->cap);
    memcpy(l->data + l->at, out->data, k * sizeof(float));
    l->at += k;
}

/* Whether FILE can be written, before the evaluation spends its time: a temp file beside it,
 * removed again. */
static int writable(const char *path, QbErr *err)
{
    AtomicFile f;
    if (atomic_open(&f, path, err) < 0)
        return qb_wrap(err, "--dump-logits: ");
    atomic_abort(&f);
    return 0;
}

/* Builds the network, loads the checkpoint, evaluates (collecting logits when asked). */
static int evaluate_checkpoint(const EvalArgs *a, EvalSetup *s, EpochStats *st, Logits *lg,
                               QbErr *err)
{
    const RunConfig *c = &s->cfg;
    Net net;
    Loader l;
    LoaderConfig lc = {c->batch, 0, 0, 0, 0, c->seed, 0};
    int *labels = calloc((size_t)c->batch, sizeof(int));
    QB_ASSERT(labels);
    int rc = run_net_restore(c, s->test.dims, s->test.classes, a->ckpt,
                             s->recorded ? "its model record" : "the flags", &net, err);
    if (rc == 0 && (rc = loader_init(&l, &s->test, &lc, err)) == 0) {
        BatchSource src = loader_source(&l);
        lg->cap = (size_t)s->test.count * (size_t)s->test.classes;
        lg->data = a->dump[0] ? malloc(lg->cap * sizeof(float)) : NULL;
        QB_ASSERT(lg->data || !a->dump[0]);
        rc = evaluate_to(&net, &src, labels, st, lg->data ? logits_add : NULL, lg, err);
    }
    if (rc == 0 && s->recorded)
        record_code_difference(&s->rec, &net, s->notes[1], sizeof s->notes[1]);
    free(labels);
    net_free(&net);
    return rc;
}

static void report(const EvalArgs *a, const EvalSetup *s, const EpochStats *st)
{
    const RunConfig *c = &s->cfg;
    char what[64] = "";
    if (c->scheme[0])
        snprintf(what, sizeof what, " %s W%dA%d", c->scheme, c->wbits, c->abits);
    if (!a->json) {
        printf("%s%s %s on %s (%ld samples): top-1 %.2f%% top-5 %.2f%% loss %.4f\n", c->net, what,
               a->ckpt, s->test.name, st->samples, st->top1, st->top5, st->loss);
        for (int i = 0; i < 2; i++)
            if (s->notes[i][0])
                printf("note: %s\n", s->notes[i]);
        return;
    }
    JsonW w;
    jw_init(&w, 0);
    jw_obj(&w, NULL);
    jw_str(&w, "checkpoint", a->ckpt);
    jw_bool(&w, "recorded", s->recorded);
    jw_str(&w, "net", c->net);
    jw_str(&w, "scheme", c->scheme);
    jw_int(&w, "wbits", c->wbits);
    jw_int(&w, "abits", c->abits);
    jw_str(&w, "data", s->test.name);
    jw_int(&w, "samples", st->samples);
    jw_num(&w, "top1", st->top1);
    jw_num(&w, "top5", st->top5);
    jw_num(&w, "loss", st->loss);
    if (a->dump[0])
        jw_str(&w, "logits", a->dump);
    jw_arr(&w, "notes");
    for (int i = 0; i < 2; i++)
        if (s->notes[i][0])
            jw_str(&w, NULL, s->notes[i]);
    jw_arr_end(&w);
    jw_obj_end(&w);
    printf("%s\n", w.buf);
    jw_free(&w);
}

static int run_eval(int argc, char **argv, QbErr *err)
{
    EvalArgs *a = calloc(1, sizeof *a);
    QB_ASSERT(a);
    EvalSetup s;
    memset(&s, 0, sizeof s);
    EpochStats st = {0};
    Logits lg = {0};
    int rc = args_parse(argc, argv, eval_specs, a, err);
    if (rc == 0 && a->dump[0])
        rc = writable(a->dump, err);
    if (rc == 0)
        rc = setup(a, &s, err);
    if (rc == 0)
        rc = evaluate_checkpoint(a, &s, &st, &lg, err);
    if (rc == 0 && lg.data) {
        int64_t shape[2] = {s.test.count, s.test.classes};
        if (npy_write(a->dump, NPY_F32, 2, shape, lg.data, err) < 0)
            rc = qb_wrap(err, "--dump-logits: ");
    }
    if (rc == 0)
        report(a, &s, &st);
    free(lg.data);
    setup_free(&s);
    free(a);
    return rc;
}

const CliCommand cli_eval = {
    "eval", "top-1 and top-5 of a checkpoint on the test split, rebuilt from its record",
    eval_specs, run_eval, NULL};
