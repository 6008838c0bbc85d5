/* The settings table: every RunConfig field once, with its YAML key, flag, type, range,
 * default, help and identity; the defaults, text parsing and the JSON record walk it. */
#include "runcfg.h"

#include "core/grow.h"
#include "core/jsonr.h"
#include "nets/registry.h"
#include "quantizers/registry.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define OFF(m) offsetof(RunConfig, m)
#define CAP(m) sizeof(((RunConfig *)0)->m)
#define NUM(k, y, s, fl, t, m, lo, hi, d, h, id) \
    {k, y, s, fl, t, OFF(m), 0, 0, lo, hi, NULL, d, h, id, NULL, NULL}
#define TXT(k, y, s, fl, t, m, v, d, h, id) \
    {k, y, s, fl, t, OFF(m), CAP(m), 0, 0, 0, v, d, h, id, NULL, NULL}

static int parse_option(RunConfig *c, const char *text, char *want, size_t cap);
static int parse_override(RunConfig *c, const char *text, char *want, size_t cap);
void runcfg_copy(RunConfig *dst, const RunConfig *src)
{
    *dst = *src;
    dst->overrides = NULL;
    dst->noverrides = dst->cap_overrides = 0;
    QB_ASSERT(GROW_RESERVE(dst->overrides, dst->cap_overrides, src->noverrides) == 0);
    if (src->noverrides)
        memcpy(dst->overrides, src->overrides, sizeof *src->overrides * (size_t)src->noverrides);
    dst->noverrides = src->noverrides;
}

void runcfg_free(RunConfig *c) { GROW_FREE(c->overrides, c->noverrides, c->cap_overrides); }

static void write_options(const RunConfig *c, JsonW *w, const char *key);
static void write_overrides(const RunConfig *c, JsonW *w, const char *key);

const RunField runcfg_fields[] = {
    NUM("abits", NULL, RF_QUANT, "--abits", RF_INT, abits, 0, RF_UNBOUNDED, "(--bits)",
        "activation bits (the matrix's bits; the method checks its range)", 1),
    NUM("asq_first_layer", "asq_first_layer", RF_QUANT, "--asq-first-layer", RF_BOOL,
        asq_first_layer, 0, 0, "false", "ASQ schemes: ASQ on the first layer's input too (FORMULAS.md §1.3)", 1),
    NUM("batch", "batch", RF_TRAIN, "--batch", RF_INT, batch, 1, 65536, "128",
        "batch size (training and evaluation)", 1),
    NUM("bn_weight_decay", "bn_weight_decay", RF_TRAIN, "--bn-weight-decay", RF_FLOAT,
        bn_weight_decay, 0, 1, "1e-4", "weight decay of batch-norm affine parameters and biases", 1),
    NUM("classes", "classes", RF_TRAIN, "--classes", RF_INT, classes, 0, 100000, "(data set's)",
        "number of classes", 1),
    NUM("crop_pad", "crop_pad", RF_TRAIN, "--crop-pad", RF_INT, crop_pad, 0, 64, "4",
        "random-crop padding in pixels; 0 = no crop", 1),
    TXT("data", "data", RF_TRAIN, "--data", RF_ENUM, data, &dataset_formats, "fmnist",
        "data set", 1),
    TXT("data_dir", "data_dir", RF_TRAIN, "--data-dir", RF_PATH, data_dir, NULL, "(format's)",
        "where the data set's files are (relative to the repository)", 0),
    NUM("epochs", "epochs", RF_TRAIN, "--epochs", RF_INT, epochs, 1, 100000, "10",
        "training epochs", 1),
    TXT("first_last", "first_last", RF_QUANT, "--first-last", RF_ENUM, first_last,
        &scheme_first_last_names, "lsq8",
        "first and last layer: LSQ 8-bit (papers' text), fp (ASQ ImageNet code), apot_ref (APoT code)", 1),
    NUM("flip", "flip", RF_TRAIN, "--no-flip", RF_BOOL, flip, 0, 0, "true",
        "random horizontal flip", 1),
    TXT("from", "from", RF_TRAIN, "--from", RF_PATH, from, NULL, "none",
        "full-precision checkpoint to start from, or none; {net} stands for the cell's network; the file's contents enter the cell id", 0),
    NUM("input", "input", RF_TRAIN, "--input", RF_DIMS, input, 0, 0, "(data set's)",
        "CxHxW of one sample (synth data; cost-only tables)", 1),
    NUM("label_smoothing", "label_smoothing", RF_TRAIN, "--label-smoothing", RF_FLOAT,
        label_smoothing, 0, 0.99, "0", "label smoothing of the cross-entropy", 1),
    NUM("lr", "lr", RF_TRAIN, "--lr", RF_FLOAT, lr, 0, 100, "0.1", "base learning rate", 1),
    NUM("momentum", "momentum", RF_TRAIN, "--momentum", RF_FLOAT, momentum, 0, 0.9999, "0.9",
        "SGD momentum (Adam beta1)", 1),
    NUM("nesterov", "nesterov", RF_TRAIN, "--nesterov", RF_BOOL, nesterov, 0, 0, "false",
        "Nesterov momentum", 1),
    TXT("net", NULL, RF_TRAIN, "--net", RF_STR, net, NULL, "resnet20",
        "network (the matrix's nets)", 1),
    {"optimizer", "optimizer", RF_TRAIN, "--optimizer", RF_KIND, OFF(optimizer), 0, 0, 0, 0,
     &optim_kind_names, "sgd", "optimizer", 1, NULL, NULL},
    {"overrides", "overrides", RF_QUANT, "--override", RF_SPECIAL, OFF(overrides), CAP(overrides), 0, 0, 0,
     NULL, "[]", "mixed precision: list of {pattern: layer name or glob, bits: B, scheme: S or " SCHEME_FP "} "
     "(flag: PATTERN=" SCHEME_FP ", PATTERN=BITS or PATTERN=SCHEME:BITS)", 1, parse_override, write_overrides},
    {"quant_options", "options", RF_QUANT, "--set", RF_SPECIAL, OFF(qopts), CAP(qopts), 0, 0, 0, NULL,
     "(methods')", "quantizer conventions, name: value (flag: NAME=VALUE); each method's "
     "names, values and defaults: `qbench schema --options`; an experiment's go to the cells "
     "whose methods declare them", 1, parse_option, write_options},
    NUM("quant_lr_mult", "quant_lr_mult", RF_TRAIN, "--quant-lr-mult", RF_FLOAT, quant_lr_mult,
        0, 1000, "1", "learning-rate multiplier of the quantizer parameters (steps, clips, adapters)", 1),
    NUM("quant_weight_decay", "quant_weight_decay", RF_TRAIN, "--quant-weight-decay", RF_FLOAT,
        quant_weight_decay, 0, 1, "1e-4", "weight decay of the quantizer parameters (FORMULAS.md §1.7)", 1),
    NUM("schedule.gamma", "gamma", RF_TRAIN, "--gamma", RF_FLOAT, sched.gamma, 0, 1, "0.1",
        "step schedule decay factor", 1),
    {"schedule.kind", "schedule", RF_TRAIN, "--schedule", RF_KIND, OFF(sched.kind), 0, 0, 0, 0,
     &sched_kind_names, "cosine",
     "learning-rate schedule (epoch-stepped, as PyTorch's schedulers; cosine_per_step: the "
     "cosine curve per iteration)", 1, NULL, NULL},
    {"schedule.milestones", "milestones", RF_TRAIN, "--milestones", RF_INTLIST,
     OFF(sched.milestones), SCHED_MAX_MILESTONES, OFF(sched.nmilestones), 1, 1000000, NULL, "[]",
     "step schedule: epochs at which lr is multiplied by gamma", 1, NULL, NULL},
    NUM("schedule.min_lr", "min_lr", RF_TRAIN, "--min-lr", RF_FLOAT, sched.min_lr, 0, 100, "0",
        "cosine schedule floor", 1),
    NUM("schedule.warmup_epochs", "warmup_epochs", RF_TRAIN, "--warmup", RF_INT,
        sched.warmup_epochs, 0, 100000, "0", "linear warm-up epochs", 1),
    TXT("scheme", NULL, RF_QUANT, "--scheme", RF_STR, scheme, NULL, "(full precision)",
        "quantization scheme (the matrix's schemes)", 1),
    NUM("seed", NULL, RF_TRAIN, "--seed", RF_U64, seed, 0, 9007199254740992.0, "1",
        "seed of initialisation, data order and augmentation (the matrix's seeds)", 1),
    TXT("shortcut", "shortcut", RF_TRAIN, "--shortcut", RF_ENUM, shortcut, &net_shortcut_names, "b",
        "CIFAR ResNets: a = zero-padding shortcut, b = 1x1-conv projection (ASQ and APoT code)", 1),
    NUM("threads", "threads", RF_TRAIN, "--threads", RF_INT, threads, 1, 256, "1",
        "threads per cell (make's CELL_THREADS overrides)", 0),
    NUM("train_subset", "train_subset", RF_TRAIN, "--train-subset", RF_INT, train_subset, 0,
        100000000, "0", "train on this many samples (a fixed seeded choice); 0 = all", 1),
    NUM("wbits", NULL, RF_QUANT, "--wbits", RF_INT, wbits, 0, RF_UNBOUNDED, "(--bits)",
        "weight bits (the matrix's bits; the method checks its range)", 1),
    NUM("weight_decay", "weight_decay", RF_TRAIN, "--weight-decay", RF_FLOAT, weight_decay, 0, 1,
        "1e-4", "weight decay of conv and linear weights", 1),
    NUM("width", "width", RF_TRAIN, "--width", RF_FLOAT, width, 0.01, 64, "1",
        "channel-width multiplier of the network", 1),
    /* outputs: not recorded */
    TXT(NULL, NULL, RF_TRAIN, "--checkpoint", RF_PATH, ckpt, NULL, "none",
        "checkpoint written every epoch", 0),
    TXT(NULL, NULL, RF_TRAIN, "--best-checkpoint", RF_PATH, best_ckpt, NULL, "none",
        "the weights of the epoch with the best test top-1 so far (the first of equals), "
        "rewritten when it improves: what a chain link with start: best starts from", 0),
    NUM(NULL, NULL, RF_TRAIN, "--resume", RF_BOOL, resume, 0, 0, "false",
        "resume from --checkpoint when it exists", 0),
};
const int runcfg_nfields = (int)(sizeof runcfg_fields / sizeof *runcfg_fields);
_Static_assert(sizeof runcfg_fields / sizeof *runcfg_fields <= RUNCFG_FIELDS_MAX,
               "raise RUNCFG_FIELDS_MAX");

static int in_section(const void *entry, const void *sec)
{
    return ((const RunField *)entry)->sec == *(const RunFieldSection *)sec;
}

NameTable runcfg_yaml_keys(const RunFieldSection *sec)
{
    NameTable t = NAMETABLE(runcfg_fields, RunField, yaml);
    t.keep = in_section, t.ctx = sec;
    return t;
}

const RunField *runcfg_field_yaml(RunFieldSection sec, const char *key)
{
    return nametable_find(runcfg_yaml_keys(&sec), key);
}

const RunField *runcfg_field_flag(const char *flag)
{
    return nametable_find(NAMETABLE(runcfg_fields, RunField, flag), flag);
}

void *runcfg_field_ptr(const RunField *f, RunConfig *c) { return (char *)c + f->off; }

size_t runcfg_field_size(const RunField *f)
{
    switch (f->type) {
    case RF_U64:
        return sizeof(uint64_t);
    case RF_STR:
    case RF_PATH:
    case RF_ENUM:
    case RF_SPECIAL:
        return f->cap;
    case RF_DIMS:
        return sizeof(Dims);
    case RF_INTLIST:
        return f->cap * sizeof(int);
    default:
        return sizeof(int);
    }
}

static const void *field_cptr(const RunField *f, const RunConfig *c)
{
    return (const char *)c + f->off;
}

void runcfg_field_values(const RunField *f, const char *sep, char *out, size_t cap)
{
    nametable_join(*f->values, sep, NULL, out, cap);
}

void runcfg_field_want(const RunField *f, char *out, size_t cap)
{
    switch (f->type) {
    case RF_INT:
    case RF_U64:
        if (f->max >= RF_UNBOUNDED) /* the bit-widths: each method checks its own range */
            snprintf(out, cap, "an integer, at least %.16g", f->min);
        else
            snprintf(out, cap, "an integer in [%.16g, %.16g]", f->min, f->max);
        return;
    case RF_FLOAT:
        snprintf(out, cap, "a number in [%.16g, %.16g]", f->min, f->max);
        return;
    case RF_BOOL:
        snprintf(out, cap, "true or false");
        return;
    case RF_ENUM:
    case RF_KIND: {
        size_t n = (size_t)snprintf(out, cap, "one of ");
        if (n < cap)
            runcfg_field_values(f, ", ", out + n, cap - n);
        return;
    }
    case RF_DIMS:
        snprintf(out, cap, "CxHxW, e.g. 3x32x32");
        return;
    case RF_INTLIST:
        snprintf(out, cap, "up to %zu comma-separated integers in [%.16g, %.16g]", f->cap, f->min,
                 f->max);
        return;
    default:
        snprintf(out, cap, "a non-empty value under %zu characters", f->cap);
    }
}

static int parse_number(const RunField *f, const char *text, double *x)
{
    char *end;
    errno = 0;
    *x = strtod(text, &end);
    int integral = f->type != RF_FLOAT;
    return errno || end == text || *end || *x != *x || *x < f->min || *x > f->max ||
                   (integral && *x != (double)(long long)*x)
               ? -1
               : 0;
}

int runcfg_parse_dims(const char *s, Dims *d)
{
    char tail;
    if (sscanf(s, "%dx%dx%d%c", &d->c, &d->h, &d->w, &tail) != 3 || d->c < 1 || d->h < 1 ||
        d->w < 1 || d->c > 65536 || d->h > 65536 || d->w > 65536)
        return -1;
    return 0;
}

/* "150,225" */
static int parse_intlist(const RunField *f, RunConfig *c, const char *text)
{
    int *items = runcfg_field_ptr(f, c), *count = (int *)((char *)c + f->count_off);
    *count = 0;
    for (const char *p = text; *p;) {
        char *end;
        errno = 0;
        long v = strtol(p, &end, 10);
        if (end == p || errno || v < f->min || v > f->max || (size_t)*count == f->cap ||
            (*end && *end != ','))
            return -1;
        items[(*count)++] = (int)v;
        p = *end ? end + 1 : end;
    }
    return 0;
}

static int parse_value(const RunField *f, RunConfig *c, const char *text)
{
    void *p = runcfg_field_ptr(f, c);
    double x;
    switch (f->type) {
    case RF_INT:
    case RF_U64:
    case RF_FLOAT:
        if (parse_number(f, text, &x) < 0)
            return -1;
        if (f->type == RF_INT)
            *(int *)p = (int)x;
        else if (f->type == RF_U64)
            *(uint64_t *)p = (uint64_t)x;
        else
            *(float *)p = (float)x;
        return 0;
    case RF_BOOL:
        if (strcmp(text, "true") && strcmp(text, "false"))
            return -1;
        *(int *)p = !strcmp(text, "true");
        return 0;
    case RF_PATH:
        if (!strcmp(text, "none"))
            text = "";
        /* fall through */
    case RF_STR:
        if (strlen(text) >= f->cap || (!text[0] && f->type == RF_STR))
            return -1;
        memcpy(p, text, strlen(text) + 1);
        return 0;
    case RF_ENUM:
        if (nametable_index(*f->values, text) < 0 || strlen(text) >= f->cap)
            return -1;
        memcpy(p, text, strlen(text) + 1);
        return 0;
    case RF_KIND:
        return (*(int *)p = nametable_index(*f->values, text)) < 0 ? -1 : 0;
    case RF_DIMS:
        return runcfg_parse_dims(text, p);
    case RF_INTLIST:
        return parse_intlist(f, c, text);
    case RF_SPECIAL:
        break;
    }
    return -1;
}

int runcfg_field_set(const RunField *f, RunConfig *c, const char *text, char *want, size_t cap)
{
    if (f->type == RF_SPECIAL)
        return f->parse(c, text, want, cap);
    if (parse_value(f, c, text) == 0)
        return 0;
    runcfg_field_want(f, want, cap);
    size_t n = strlen(want);
    if (f->type == RF_ENUM || f->type == RF_KIND)
        nametable_suggest(*f->values, text, want + n, cap - n);
    return -1;
}

int runcfg_option_index(const RunConfig *c, const char *name)
{
    int at = 0;
    while (at < c->nqopts && strcmp(c->qopts[at].name, name))
        at++;
    return at;
}

/* NAME=VALUE: a value the method declaring NAME does not take is refused here, as in an
 * experiment file; whether the methods in use declare NAME is checked when the scheme is
 * applied. */
static int parse_option(RunConfig *c, const char *text, char *want, size_t cap)
{
    const char *eq = strchr(text, '=');
    QuantOption *o = &c->qopts[c->nqopts];
    if (!eq || eq == text || !eq[1] || c->nqopts == QOPT_MAX ||
        (size_t)(eq - text) >= sizeof o->name || strlen(eq + 1) >= sizeof o->value) {
        snprintf(want, cap, "NAME=VALUE (at most %d)", QOPT_MAX);
        return -1;
    }
    memcpy(o->name, text, (size_t)(eq - text));
    o->name[eq - text] = '\0';
    const QuantOptionSpec *s = quantizer_option_any(o->name);
    if (s && !quantizer_option_valid(s, eq + 1)) {
        quantizer_option_want(s, eq + 1, want, cap);
        return -1;
    }
    snprintf(o->value, sizeof o->value, "%s", eq + 1);
    c->nqopts++;
    return 0;
}

/* PATTERN=fp | PATTERN=BITS | PATTERN=SCHEME:BITS */
static int parse_override(RunConfig *c, const char *text, char *want, size_t cap)
{
    const char *eq = strchr(text, '=');
    char scheme[SCHEME_NAME_MAX] = "";
    int bits = 0;
    LayerOverride *o = NULL;
    if (!eq || eq == text || (size_t)(eq - text) >= sizeof o->pattern ||
        (!scheme_is_fp(eq + 1) && sscanf(eq + 1, "%d", &bits) != 1 &&
         sscanf(eq + 1, "%31[^:]:%d", scheme, &bits) != 2) ||
        !(o = GROW_PUSH(c->overrides, c->noverrides, c->cap_overrides))) {
        snprintf(want, cap, "PATTERN=" SCHEME_FP ", PATTERN=BITS or PATTERN=SCHEME:BITS");
        return -1;
    }
    memcpy(o->pattern, text, (size_t)(eq - text));
    snprintf(o->scheme, sizeof o->scheme, "%s", scheme_is_fp(eq + 1) ? SCHEME_FP : scheme);
    o->bits = bits;
    return 0;
}

void runcfg_defaults(RunConfig *c)
{
    memset(c, 0, sizeof *c);
    for (int i = 0; i < runcfg_nfields; i++) {
        const RunField *f = &runcfg_fields[i];
        char want[128];
        if (f->dflt[0] == '(' || f->dflt[0] == '[')
            continue;
        QB_ASSERT(runcfg_field_set(f, c, f->dflt, want, sizeof want) == 0);
    }
}

static void write_options(const RunConfig *c, JsonW *w, const char *key)
{
    jw_obj(w, key);
    for (int i = 0; i < c->nqopts; i++)
        jw_str(w, c->qopts[i].name, c->qopts[i].value);
    jw_obj_end(w);
}

static void write_overrides(const RunConfig *c, JsonW *w, const char *key)
{
    jw_arr(w, key);
    for (int i = 0; i < c->noverrides; i++) {
        jw_obj(w, NULL);
        jw_int(w, "bits", c->overrides[i].bits);
        jw_str(w, "pattern", c->overrides[i].pattern);
        jw_str(w, "scheme", c->overrides[i].scheme);
        jw_obj_end(w);
    }
    jw_arr_end(w);
}

static void write_field(const RunField *f, const RunConfig *c, JsonW *w, const char *key)
{
    const void *p = field_cptr(f, c);
    char buf[64];
    switch (f->type) {
    case RF_INT:
        jw_int(w, key, *(const int *)p);
        return;
    case RF_U64:
        jw_int(w, key, (long long)*(const uint64_t *)p);
        return;
    case RF_FLOAT:
        jw_num(w, key, *(const float *)p);
        return;
    case RF_BOOL:
        jw_bool(w, key, *(const int *)p);
        return;
    case RF_STR:
    case RF_PATH:
    case RF_ENUM:
        jw_str(w, key, p);
        return;
    case RF_KIND:
        jw_str(w, key, nametable_name(*f->values, *(const int *)p));
        return;
    case RF_DIMS: {
        const Dims *d = p;
        snprintf(buf, sizeof buf, "%dx%dx%d", d->c, d->h, d->w);
        jw_str(w, key, buf);
        return;
    }
    case RF_INTLIST:
        jw_arr(w, key);
        for (int i = 0; i < *(const int *)((const char *)c + f->count_off); i++)
            jw_int(w, NULL, ((const int *)p)[i]);
        jw_arr_end(w);
        return;
    case RF_SPECIAL:
        f->write(c, w, key);
        return;
    }
}

void runcfg_field_text(const RunField *f, const RunConfig *c, char *out, size_t cap)
{
    const void *p = field_cptr(f, c);
    out[0] = '\0';
    switch (f->type) {
    case RF_INT:
        snprintf(out, cap, "%d", *(const int *)p);
        return;
    case RF_U64:
        snprintf(out, cap, "%llu", (unsigned long long)*(const uint64_t *)p);
        return;
    case RF_FLOAT: { /* the shortest text that reads back as the same float */
        char t[32];
        for (int digits = 6; digits <= 9; digits++) {
            snprintf(t, sizeof t, "%.*g", digits, *(const float *)p);
            if ((float)strtod(t, NULL) == *(const float *)p)
                break;
        }
        snprintf(out, cap, "%s", t);
        return;
    }
    case RF_BOOL:
        snprintf(out, cap, "%s", *(const int *)p ? "true" : "false");
        return;
    case RF_STR:
    case RF_PATH:
    case RF_ENUM:
        snprintf(out, cap, "%s", (const char *)p);
        return;
    case RF_KIND:
        snprintf(out, cap, "%s", nametable_name(*f->values, *(const int *)p));
        return;
    case RF_DIMS: {
        const Dims *d = p;
        if (d->c)
            snprintf(out, cap, "%dx%dx%d", d->c, d->h, d->w);
        return;
    }
    case RF_INTLIST:
        for (int i = 0, n = 0; i < *(const int *)((const char *)c + f->count_off); i++)
            n += snprintf(out + n, cap - (size_t)n, i ? ",%d" : "%d", ((const int *)p)[i]);
        return;
    case RF_SPECIAL:
        QB_ASSERT(!"RF_SPECIAL has no single text");
    }
}

/* A boolean's flag sets the value its name says: --nesterov true, --no-flip false. */
static int bool_flag_value(const RunField *f) { return strncmp(f->flag, "--no-", 5) != 0; }

int runcfg_parse_flags(RunConfig *c, const char *text, const char *what, QbErr *err)
{
    char buf[2048], *save = NULL, want[160];
    if (strlen(text) >= sizeof buf)
        return qb_fail(err, "%s: longer than %zu characters", what, sizeof buf - 1);
    snprintf(buf, sizeof buf, "%s", text);
    for (char *flag = strtok_r(buf, " \t\n", &save); flag; flag = strtok_r(NULL, " \t\n", &save)) {
        const RunField *f = runcfg_field_flag(flag);
        if (!f) {
            char hint[160];
            nametable_suggest(NAMETABLE(runcfg_fields, RunField, flag), flag, hint, sizeof hint);
            return qb_fail(err, "%s: unknown flag '%s' (`qbench train --help` lists them)%s",
                           what, flag, hint);
        }
        if (f->type == RF_BOOL) {
            *(int *)runcfg_field_ptr(f, c) = bool_flag_value(f);
            continue;
        }
        const char *value = strtok_r(NULL, " \t\n", &save);
        if (!value)
            return qb_fail(err, "%s: %s needs a value", what, flag);
        if (runcfg_field_set(f, c, value, want, sizeof want) < 0)
            return qb_fail(err, "%s: %s %s: expected %s", what, flag, value, want);
    }
    return 0;
}

static int flag_listed(const char *flag, const char *const *only)
{
    while (only && *only && strcmp(*only, flag))
        only++;
    return !only || *only;
}

void runcfg_write_flags(FILE *out, const RunConfig *c, const char *const *only)
{
    for (int i = 0; i < runcfg_nfields; i++) {
        const RunField *f = &runcfg_fields[i];
        char text[RUN_PATH_MAX + 64];
        if (!f->key || !strcmp(f->flag, "--threads") || !flag_listed(f->flag, only))
            continue;
        if (f->type == RF_SPECIAL) {
            for (int k = 0; f->write == write_options && k < c->nqopts; k++)
                fprintf(out, " %s %s=%s", f->flag, c->qopts[k].name, c->qopts[k].value);
            for (int k = 0; f->write == write_overrides && k < c->noverrides; k++) {
                const LayerOverride *o = &c->overrides[k];
                if (scheme_is_fp(o->scheme))
                    fprintf(out, " %s %s=%s", f->flag, o->pattern, SCHEME_FP);
                else if (o->scheme[0])
                    fprintf(out, " %s %s=%s:%d", f->flag, o->pattern, o->scheme, o->bits);
                else
                    fprintf(out, " %s %s=%d", f->flag, o->pattern, o->bits);
            }
            continue;
        }
        if (f->type == RF_BOOL) {
            /* the flag moves its default one way only: absent, the default holds */
            if (*(const int *)field_cptr(f, c) == bool_flag_value(f))
                fprintf(out, " %s", f->flag);
            continue;
        }
        runcfg_field_text(f, c, text, sizeof text);
        /* 0 of a field whose default is decided elsewhere ("(data set's)") is that default */
        if (text[0] && !(f->dflt[0] == '(' && f->type == RF_INT && !strcmp(text, "0")))
            fprintf(out, " %s %s", f->flag, text);
    }
}

/* Keys "object.key" open that object for the rows that share its prefix. */
void runcfg_to_json(const RunConfig *c, JsonW *w, const char *key)
{
    char open[32] = "";
    jw_obj(w, key);
    for (int i = 0; i < runcfg_nfields; i++) {
        const RunField *f = &runcfg_fields[i];
        if (!f->key)
            continue;
        const char *dot = strchr(f->key, '.');
        size_t plen = dot ? (size_t)(dot - f->key) : 0;
        if (open[0] && (plen != strlen(open) || strncmp(f->key, open, plen))) {
            jw_obj_end(w);
            open[0] = '\0';
        }
        if (dot && !open[0]) {
            snprintf(open, sizeof open, "%.*s", (int)plen, f->key);
            jw_obj(w, open);
        }
        write_field(f, c, w, dot ? dot + 1 : f->key);
    }
    if (open[0])
        jw_obj_end(w);
    jw_obj_end(w);
}

void runcfg_identity_json(const RunConfig *c, JsonW *w, const char *key)
{
    RunConfig id = *c;
    for (int i = 0; i < runcfg_nfields; i++) {
        const RunField *f = &runcfg_fields[i];
        if (f->identity)
            continue;
        QB_ASSERT(f->type != RF_SPECIAL && f->type != RF_INTLIST);
        memset(runcfg_field_ptr(f, &id), 0, runcfg_field_size(f));
    }
    runcfg_to_json(&id, w, key);
}

/* An overrides entry {bits, pattern, scheme} as its flag's item (parse_override's text). */
static int override_item(const JsonV *o, char *out, size_t cap)
{
    const char *pattern = json_str_at(o, "pattern", NULL), *scheme = json_str_at(o, "scheme", "");
    double bits = json_num_at(o, "bits", -1);
    if (o->type != JV_OBJ || !pattern || bits < 0)
        return -1;
    if (scheme_is_fp(scheme))
        snprintf(out, cap, "%s=%s", pattern, SCHEME_FP);
    else if (scheme[0])
        snprintf(out, cap, "%s=%s:%d", pattern, scheme, (int)bits);
    else
        snprintf(out, cap, "%s=%d", pattern, (int)bits);
    return 0;
}

/* The items of a RF_SPECIAL field's JSON value, each through the field's parser. */
static int special_from_json(const RunField *f, RunConfig *c, const JsonV *v, char *want,
                             size_t cap)
{
    char item[RUN_PATH_MAX];
    int options = f->write == write_options;
    if (v->type != (options ? JV_OBJ : JV_ARR)) {
        snprintf(want, cap, options ? "an object of NAME: VALUE" : "an array of overrides");
        return -1;
    }
    for (int i = 0; i < v->n; i++) {
        const JsonV *it = &v->items[i];
        if (options && it->type == JV_STR)
            snprintf(item, sizeof item, "%s=%s", v->keys[i], it->str);
        else if (options || override_item(it, item, sizeof item) < 0) {
            snprintf(want, cap, options ? "text values" : "{bits, pattern, scheme} entries");
            return -1;
        }
        if (f->parse(c, item, want, cap) < 0)
            return -1;
    }
    return 0;
}

/* A recorded value as the text its flag takes (runcfg_field_set), into out. */
static int json_value_text(const RunField *f, const JsonV *v, char *out, size_t cap)
{
    static const JsonType want[] = {[RF_INT] = JV_NUM, [RF_U64] = JV_NUM, [RF_FLOAT] = JV_NUM,
                                    [RF_BOOL] = JV_BOOL, [RF_STR] = JV_STR, [RF_PATH] = JV_STR,
                                    [RF_ENUM] = JV_STR, [RF_KIND] = JV_STR, [RF_DIMS] = JV_STR,
                                    [RF_INTLIST] = JV_ARR};
    if (v->type != want[f->type])
        return -1;
    size_t at = 0;
    out[0] = '\0';
    switch (v->type) {
    case JV_NUM:
        snprintf(out, cap, "%.17g", v->num);
        return 0;
    case JV_BOOL:
        snprintf(out, cap, "%s", v->num ? "true" : "false");
        return 0;
    case JV_STR:
        snprintf(out, cap, "%s", v->str);
        return 0;
    default:
        for (int i = 0; i < v->n && at < cap; i++) {
            if (v->items[i].type != JV_NUM)
                return -1;
            at += (size_t)snprintf(out + at, cap - at, i ? ",%.17g" : "%.17g", v->items[i].num);
        }
        return 0;
    }
}

/* One recorded field into c; the empty values runcfg_to_json writes for unset fields (no
 * scheme, a data set's own shape) set the zero value, which no flag spells. */
static int field_from_json(const RunField *f, RunConfig *c, const JsonV *v, char *want,
                           size_t cap)
{
    char text[RUN_PATH_MAX];
    if (f->type == RF_SPECIAL)
        return special_from_json(f, c, v, want, cap);
    if (json_value_text(f, v, text, sizeof text) < 0) {
        runcfg_field_want(f, want, cap);
        return -1;
    }
    if ((f->type == RF_STR && !text[0]) || (f->type == RF_DIMS && !strcmp(text, "0x0x0"))) {
        memset(runcfg_field_ptr(f, c), 0, runcfg_field_size(f));
        return 0;
    }
    return runcfg_field_set(f, c, text, want, cap);
}

int runcfg_from_json(RunConfig *c, const JsonV *v, const char *what, QbErr *err)
{
    if (!v || v->type != JV_OBJ)
        return qb_fail(err, "%s: expected a JSON object of settings", what);
    for (int i = 0; i < runcfg_nfields; i++) {
        const RunField *f = &runcfg_fields[i];
        char want[200];
        if (!f->key)
            continue;
        const JsonV *x = json_at(v, f->key);
        if (!x)
            return qb_fail(err, "%s: %s is missing", what, f->key);
        if (field_from_json(f, c, x, want, sizeof want) < 0)
            return qb_fail(err, "%s: %s: expected %s", what, f->key, want);
    }
    return 0;
}
