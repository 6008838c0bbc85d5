#include "schema.h"

#include <stddef.h>
#include <string.h>

#include "../../nets/registry.h"
#include "../../quantizers/registry.h"
#include "../cli/args.h"

typedef enum { F_INT, F_FLOAT, F_BOOL, F_STR, F_ENUM, F_CUSTOM } FieldType;

typedef struct Field Field;
struct Field {
    const char *key;
    SchemaSection sec;
    FieldType type;
    size_t off, cap;          /* into RunConfig; cap for strings */
    double min, max;
    const char *values;       /* F_ENUM: "a|b" */
    int (*custom)(YDoc *d, const YNode *n, const char *field, RunConfig *c, QbErr *err);
    const char *dflt, *help;
};

#define OFF(m) offsetof(RunConfig, m)
#define CAP(m) sizeof(((RunConfig *)0)->m)

static int set_input(YDoc *d, const YNode *n, const char *field, RunConfig *c, QbErr *err)
{
    const char *s = ydoc_text(n);
    if (!s || args_dims(s, &c->input) < 0)
        return ydoc_fail(d, n, field, err, "expected CxHxW, e.g. 3x32x32");
    return 0;
}

static int set_optimizer(YDoc *d, const YNode *n, const char *field, RunConfig *c, QbErr *err)
{
    char s[8];
    if (ydoc_enum(d, n, field, "sgd|adam", s, sizeof s, err) < 0)
        return -1;
    return optim_kind_parse(s, &c->optimizer) < 0 ? -1 : 0;
}

static int set_schedule(YDoc *d, const YNode *n, const char *field, RunConfig *c, QbErr *err)
{
    char s[16];
    if (ydoc_enum(d, n, field, "cosine|step|constant", s, sizeof s, err) < 0)
        return -1;
    return sched_kind_parse(s, &c->sched.kind);
}

static int set_milestones(YDoc *d, const YNode *n, const char *field, RunConfig *c, QbErr *err)
{
    if (ydoc_want_seq(d, n, field, err) < 0)
        return -1;
    if (ydoc_seq_count(n) > SCHED_MAX_MILESTONES)
        return ydoc_fail(d, n, field, err, "at most %d milestones", SCHED_MAX_MILESTONES);
    c->sched.nmilestones = 0;
    for (int i = 0; i < ydoc_seq_count(n); i++) {
        char path[256];
        long long v;
        ydoc_index(path, sizeof path, field, i);
        if (ydoc_int(d, ydoc_seq_at(d, n, i), path, 1, 1000000, &v, err) < 0)
            return -1;
        c->sched.milestones[c->sched.nmilestones++] = (int)v;
    }
    return 0;
}

static int set_from(YDoc *d, const YNode *n, const char *field, RunConfig *c, QbErr *err)
{
    if (ydoc_str(d, n, field, c->from, sizeof c->from, err) < 0)
        return -1;
    if (!strcmp(c->from, "none"))
        c->from[0] = '\0';
    return 0;
}

static int set_data(YDoc *d, const YNode *n, const char *field, RunConfig *c, QbErr *err)
{
    return ydoc_enum(d, n, field, "fmnist|cifar10|npy|synth", c->data, sizeof c->data, err);
}

/* The option must be declared by some registered method, with a value its spec allows;
 * whether the methods in use declare it is checked when the scheme is applied. */
static const QuantOptionSpec *option_spec(const char *name)
{
    for (int i = 0; i < quantizer_count(); i++)
        for (const QuantOptionSpec *s = quantizer_at(i)->options; s && s->name; s++)
            if (!strcmp(s->name, name))
                return s;
    return NULL;
}

static int option_value_ok(const QuantOptionSpec *s, const char *v)
{
    char *end;
    if (!strcmp(s->values, "int"))
        return strtol(v, &end, 10), *v && !*end;
    if (!strcmp(s->values, "float"))
        return strtod(v, &end), *v && !*end;
    size_t len = strlen(v);
    for (const char *p = s->values; *p;) {
        size_t l = strcspn(p, "|");
        if (l == len && !strncmp(p, v, len))
            return 1;
        p += l + (p[l] == '|');
    }
    return 0;
}

static void option_names(char *out, size_t cap)
{
    out[0] = '\0';
    for (int i = 0; i < quantizer_count(); i++)
        for (const QuantOptionSpec *s = quantizer_at(i)->options; s && s->name; s++)
            if (!strstr(out, s->name))
                snprintf(out + strlen(out), cap - strlen(out), "%s%s", *out ? ", " : "", s->name);
}

static int set_options(YDoc *d, const YNode *n, const char *field, RunConfig *c, QbErr *err)
{
    if (ydoc_want_map(d, n, field, err) < 0)
        return -1;
    for (int i = 0; i < ydoc_map_count(n); i++) {
        char path[256], known[512];
        const char *name = ydoc_map_key(d, n, i);
        const YNode *v = ydoc_map_value(d, n, i);
        const QuantOptionSpec *s = option_spec(name);
        ydoc_field(path, sizeof path, field, name);
        option_names(known, sizeof known);
        if (!s)
            return ydoc_fail(d, v, path, err, "unknown quantizer option; expected one of: %s",
                             known);
        if (!ydoc_text(v) || !option_value_ok(s, ydoc_text(v)) ||
            strlen(ydoc_text(v)) >= QOPT_NAME_MAX)
            return ydoc_fail(d, v, path, err, "expected %s", s->values);
        int at = 0;
        while (at < c->nqopts && strcmp(c->qopts[at].name, name))
            at++;
        if (at == QOPT_MAX)
            return ydoc_fail(d, v, path, err, "at most %d quantizer options", QOPT_MAX);
        snprintf(c->qopts[at].name, QOPT_NAME_MAX, "%s", name);
        snprintf(c->qopts[at].value, QOPT_NAME_MAX, "%s", ydoc_text(v));
        c->nqopts += at == c->nqopts;
    }
    return 0;
}

static int set_override(YDoc *d, const YNode *n, const char *field, LayerOverride *o, QbErr *err)
{
    static const char *const keys[] = {"pattern", "bits", "scheme", NULL};
    static const char *const required[] = {"pattern", NULL};
    char path[256];
    memset(o, 0, sizeof *o);
    if (ydoc_want_map(d, n, field, err) < 0 || ydoc_check_keys(d, n, field, keys, err) < 0 ||
        ydoc_require(d, n, field, required, err) < 0)
        return -1;
    ydoc_field(path, sizeof path, field, "pattern");
    if (ydoc_str(d, ydoc_map_get(d, n, "pattern"), path, o->pattern, sizeof o->pattern, err) < 0)
        return -1;
    const YNode *bits = ydoc_map_get(d, n, "bits"), *scheme = ydoc_map_get(d, n, "scheme");
    long long b = 0;
    ydoc_field(path, sizeof path, field, "bits");
    if (bits && ydoc_int(d, bits, path, 2, 8, &b, err) < 0)
        return -1;
    o->bits = (int)b;
    ydoc_field(path, sizeof path, field, "scheme");
    if (scheme && ydoc_str(d, scheme, path, o->scheme, sizeof o->scheme, err) < 0)
        return -1;
    if (o->scheme[0] && strcmp(o->scheme, "fp") && !scheme_find(o->scheme)) {
        char names[256];
        scheme_names(names, sizeof names);
        return ydoc_fail(d, scheme, path, err, "unknown scheme '%s'; expected fp or one of: %s",
                         o->scheme, names);
    }
    if (!o->bits && !o->scheme[0])
        return ydoc_fail(d, n, field, err, "an override needs bits, scheme, or both");
    return 0;
}

static int set_overrides(YDoc *d, const YNode *n, const char *field, RunConfig *c, QbErr *err)
{
    if (ydoc_want_seq(d, n, field, err) < 0)
        return -1;
    if (ydoc_seq_count(n) > RUN_OVERRIDES_MAX)
        return ydoc_fail(d, n, field, err, "at most %d overrides", RUN_OVERRIDES_MAX);
    c->noverrides = 0;
    for (int i = 0; i < ydoc_seq_count(n); i++) {
        char path[256];
        ydoc_index(path, sizeof path, field, i);
        if (set_override(d, ydoc_seq_at(d, n, i), path, &c->overrides[c->noverrides++], err) < 0)
            return -1;
    }
    return 0;
}

static const Field fields[] = {
    {"data", SCHEMA_TRAIN, F_CUSTOM, 0, 0, 0, 0, NULL, set_data, "fmnist",
     "data set: fmnist, cifar10, npy or synth"},
    {"data_dir", SCHEMA_TRAIN, F_STR, OFF(data_dir), CAP(data_dir), 0, 0, NULL, NULL, "(format's)",
     "where the data set's files are (relative to the repository)"},
    {"input", SCHEMA_TRAIN, F_CUSTOM, 0, 0, 0, 0, NULL, set_input, "(data set's)",
     "CxHxW of one sample (synth data; cost-only tables)"},
    {"classes", SCHEMA_TRAIN, F_INT, OFF(classes), 0, 0, 100000, NULL, NULL, "(data set's)",
     "number of classes"},
    {"width", SCHEMA_TRAIN, F_FLOAT, OFF(width), 0, 0.01, 64, NULL, NULL, "1",
     "channel-width multiplier of the network"},
    {"shortcut", SCHEMA_TRAIN, F_ENUM, OFF(shortcut), CAP(shortcut), 0, 0, "a|b", NULL, "b",
     "CIFAR ResNets: a = zero-padding shortcut, b = 1x1-conv projection (ASQ and APoT code)"},
    {"train_subset", SCHEMA_TRAIN, F_INT, OFF(train_subset), 0, 0, 100000000, NULL, NULL, "0",
     "train on this many samples (a fixed seeded choice); 0 = all"},
    {"crop_pad", SCHEMA_TRAIN, F_INT, OFF(crop_pad), 0, 0, 64, NULL, NULL, "4",
     "random-crop padding in pixels; 0 = no crop"},
    {"flip", SCHEMA_TRAIN, F_BOOL, OFF(flip), 0, 0, 0, NULL, NULL, "true",
     "random horizontal flip"},
    {"epochs", SCHEMA_TRAIN, F_INT, OFF(epochs), 0, 1, 100000, NULL, NULL, "10", "training epochs"},
    {"batch", SCHEMA_TRAIN, F_INT, OFF(batch), 0, 1, 65536, NULL, NULL, "128",
     "batch size (training and evaluation)"},
    {"optimizer", SCHEMA_TRAIN, F_CUSTOM, 0, 0, 0, 0, NULL, set_optimizer, "sgd", "sgd or adam"},
    {"lr", SCHEMA_TRAIN, F_FLOAT, OFF(lr), 0, 0, 100, NULL, NULL, "0.1", "base learning rate"},
    {"momentum", SCHEMA_TRAIN, F_FLOAT, OFF(momentum), 0, 0, 0.9999, NULL, NULL, "0.9",
     "SGD momentum (Adam beta1)"},
    {"nesterov", SCHEMA_TRAIN, F_BOOL, OFF(nesterov), 0, 0, 0, NULL, NULL, "false",
     "Nesterov momentum"},
    {"weight_decay", SCHEMA_TRAIN, F_FLOAT, OFF(weight_decay), 0, 0, 1, NULL, NULL, "1e-4",
     "weight decay of conv and linear weights"},
    {"bn_weight_decay", SCHEMA_TRAIN, F_FLOAT, OFF(bn_weight_decay), 0, 0, 1, NULL, NULL, "1e-4",
     "weight decay of batch-norm affine parameters and biases"},
    {"schedule", SCHEMA_TRAIN, F_CUSTOM, 0, 0, 0, 0, NULL, set_schedule, "cosine",
     "cosine, step or constant (epoch-stepped, as PyTorch's schedulers)"},
    {"warmup_epochs", SCHEMA_TRAIN, F_INT, OFF(sched.warmup_epochs), 0, 0, 100000, NULL, NULL,
     "0", "linear warm-up epochs"},
    {"milestones", SCHEMA_TRAIN, F_CUSTOM, 0, 0, 0, 0, NULL, set_milestones, "[]",
     "step schedule: epochs at which lr is multiplied by gamma"},
    {"gamma", SCHEMA_TRAIN, F_FLOAT, OFF(sched.gamma), 0, 0, 1, NULL, NULL, "0.1",
     "step schedule decay factor"},
    {"min_lr", SCHEMA_TRAIN, F_FLOAT, OFF(sched.min_lr), 0, 0, 100, NULL, NULL, "0",
     "cosine schedule floor"},
    {"label_smoothing", SCHEMA_TRAIN, F_FLOAT, OFF(label_smoothing), 0, 0, 0.99, NULL, NULL, "0",
     "label smoothing of the cross-entropy"},
    {"quant_lr_mult", SCHEMA_TRAIN, F_FLOAT, OFF(quant_lr_mult), 0, 0, 1000, NULL, NULL, "1",
     "learning-rate multiplier of the quantizer parameters (steps, clips, adapters)"},
    {"quant_weight_decay", SCHEMA_TRAIN, F_FLOAT, OFF(quant_weight_decay), 0, 0, 1, NULL, NULL,
     "1e-4", "weight decay of the quantizer parameters (spec 1.7)"},
    {"threads", SCHEMA_TRAIN, F_INT, OFF(threads), 0, 1, 256, NULL, NULL, "1",
     "threads per cell (make's CELL_THREADS overrides; not part of the cell id)"},
    {"from", SCHEMA_TRAIN, F_CUSTOM, 0, 0, 0, 0, NULL, set_from, "none",
     "full-precision checkpoint to start from, or none; {net} stands for the cell's network (the file's contents enter the cell id)"},
    {"first_last", SCHEMA_QUANT, F_ENUM, OFF(first_last), CAP(first_last), 0, 0,
     "lsq8|fp|apot_ref", NULL, "lsq8",
     "first and last layer: LSQ 8-bit (papers' text), fp (ASQ ImageNet code), apot_ref (APoT code)"},
    {"asq_first_layer", SCHEMA_QUANT, F_BOOL, OFF(asq_first_layer), 0, 0, 0, NULL, NULL, "false",
     "ASQ schemes: ASQ on the first layer's input too (spec 1.3)"},
    {"options", SCHEMA_QUANT, F_CUSTOM, 0, 0, 0, 0, NULL, set_options, "(methods')",
     "quantizer conventions, name: value (see the option table below)"},
    {"overrides", SCHEMA_QUANT, F_CUSTOM, 0, 0, 0, 0, NULL, set_overrides, "[]",
     "mixed precision: list of {pattern: layer name or glob, bits: B, scheme: S or fp}"},
};

static const Field *field_find(SchemaSection sec, const char *key)
{
    for (size_t i = 0; i < sizeof fields / sizeof *fields; i++)
        if (fields[i].sec == sec && !strcmp(fields[i].key, key))
            return &fields[i];
    return NULL;
}

static int field_apply(YDoc *d, const Field *f, const YNode *v, const char *path, RunConfig *c,
                       QbErr *err)
{
    char *base = (char *)c;
    long long i;
    double x;
    switch (f->type) {
    case F_INT:
        if (ydoc_int(d, v, path, (long long)f->min, (long long)f->max, &i, err) < 0)
            return -1;
        *(int *)(base + f->off) = (int)i;
        return 0;
    case F_FLOAT:
        if (ydoc_float(d, v, path, f->min, f->max, &x, err) < 0)
            return -1;
        *(float *)(base + f->off) = (float)x;
        return 0;
    case F_BOOL:
        return ydoc_bool(d, v, path, (int *)(base + f->off), err);
    case F_STR:
        return ydoc_str(d, v, path, base + f->off, f->cap, err);
    case F_ENUM:
        return ydoc_enum(d, v, path, f->values, base + f->off, f->cap, err);
    case F_CUSTOM:
        return f->custom(d, v, path, c, err);
    }
    return -1;
}

int schema_apply(YDoc *d, const YNode *map, SchemaSection sec, const char *field, RunConfig *c,
                 QbErr *err)
{
    if (ydoc_want_map(d, map, field, err) < 0)
        return -1;
    const char *keys[sizeof fields / sizeof *fields + 1];
    int nkeys = 0;
    for (size_t i = 0; i < sizeof fields / sizeof *fields; i++)
        if (fields[i].sec == sec)
            keys[nkeys++] = fields[i].key;
    keys[nkeys] = NULL;
    if (ydoc_check_keys(d, map, field, keys, err) < 0)
        return -1;
    for (int i = 0; i < ydoc_map_count(map); i++) {
        char path[256];
        const char *key = ydoc_map_key(d, map, i);
        ydoc_field(path, sizeof path, field, key);
        if (field_apply(d, field_find(sec, key), ydoc_map_value(d, map, i), path, c, err) < 0)
            return -1;
    }
    return 0;
}

/* "a|b" would split a Markdown table cell. */
static void md_values(FILE *f, const char *values)
{
    for (const char *p = values; *p; p++)
        if (*p == '|')
            fputs(", ", f);
        else
            fputc(*p, f);
}

static void markdown_section(FILE *f, SchemaSection sec)
{
    fprintf(f, "| key | default | meaning |\n|---|---|---|\n");
    for (size_t i = 0; i < sizeof fields / sizeof *fields; i++) {
        if (fields[i].sec != sec)
            continue;
        fprintf(f, "| `%s` | `%s` | %s", fields[i].key, fields[i].dflt, fields[i].help);
        if (fields[i].type == F_ENUM) {
            fputs("; one of ", f);
            md_values(f, fields[i].values);
        }
        fputs(" |\n", f);
    }
}

void schema_markdown(FILE *f)
{
    fprintf(f, "### `train:` fields\n\n");
    markdown_section(f, SCHEMA_TRAIN);
    fprintf(f, "\n### `quant:` fields\n\n");
    markdown_section(f, SCHEMA_QUANT);
    fprintf(f, "\n### `quant.options:` conventions (declared by the quantizers)\n\n"
               "| option | values | default | method | meaning |\n|---|---|---|---|---|\n");
    for (int i = 0; i < quantizer_count(); i++)
        for (const QuantOptionSpec *s = quantizer_at(i)->options; s && s->name; s++) {
            fprintf(f, "| `%s` | ", s->name);
            md_values(f, s->values);
            fprintf(f, " | `%s` | %s | %s |\n", s->dflt, quantizer_at(i)->name, s->help);
        }
}
