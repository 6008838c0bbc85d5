#include "schema.h"

#include <stddef.h>
#include <string.h>

#include "core/grow.h"
#include "nets/registry.h"
#include "quantizers/registry.h"

/* The option must be declared by some registered method, with a value its spec allows;
 * whether the methods in use declare it is checked when the scheme is applied. */
static int set_options(YDoc *d, const YNode *n, const char *field, RunConfig *c, QbErr *err)
{
    if (ydoc_want_map(d, n, field, err) < 0)
        return -1;
    for (int i = 0; i < ydoc_map_count(n); i++) {
        char path[256], why[1024];
        const char *name = ydoc_map_key(d, n, i);
        const YNode *v = ydoc_map_value(d, n, i);
        const QuantOptionSpec *s = quantizer_option_any(name);
        ydoc_field(path, sizeof path, field, name);
        if (!s) {
            quantizer_option_unknown(name, why, sizeof why);
            return ydoc_fail(d, v, path, err, "%s", why);
        }
        if (!ydoc_text(v) || !quantizer_option_valid(s, ydoc_text(v)) ||
            strlen(ydoc_text(v)) >= QOPT_NAME_MAX) {
            quantizer_option_want(s, ydoc_text(v), why, sizeof why);
            return ydoc_fail(d, v, path, err, "expected %s", why);
        }
        int at = runcfg_option_index(c, name);
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
    if (bits && ydoc_int(d, bits, path, 1, 64, &b, err) < 0)
        return -1;
    o->bits = (int)b;
    ydoc_field(path, sizeof path, field, "scheme");
    if (scheme && ydoc_str(d, scheme, path, o->scheme, sizeof o->scheme, err) < 0)
        return -1;
    if (o->scheme[0] && !scheme_is_fp(o->scheme) && !scheme_find(o->scheme)) {
        char why[1024];
        scheme_unknown(o->scheme, 1, why, sizeof why);
        return ydoc_fail(d, scheme, path, err, "%s", why);
    }
    /* the methods' own range; an override without a scheme is checked against the
     * matrix's schemes when the experiment is complete */
    if (o->bits && o->scheme[0] && !scheme_is_fp(o->scheme) &&
        scheme_bits_check(scheme_find(o->scheme), o->bits, err) < 0) {
        char why[sizeof err->msg];
        snprintf(why, sizeof why, "%s", err->msg);
        ydoc_field(path, sizeof path, field, "bits");
        return ydoc_fail(d, bits, path, err, "%.400s", why);
    }
    if (!o->bits && !o->scheme[0])
        return ydoc_fail(d, n, field, err, "an override needs bits, scheme, or both");
    return 0;
}

static int set_overrides(YDoc *d, const YNode *n, const char *field, RunConfig *c, QbErr *err)
{
    if (ydoc_want_seq(d, n, field, err) < 0)
        return -1;
    c->noverrides = 0;
    for (int i = 0; i < ydoc_seq_count(n); i++) {
        char path[256];
        ydoc_index(path, sizeof path, field, i);
        LayerOverride *o = GROW_PUSH(c->overrides, c->noverrides, c->cap_overrides);
        if (!o)
            return ydoc_fail(d, n, field, err, "too many overrides");
        if (set_override(d, ydoc_seq_at(d, n, i), path, o, err) < 0)
            return -1;
    }
    return 0;
}

/* The table's structured fields, read from YAML by their own readers. */
static const struct {
    const char *yaml;
    int (*read)(YDoc *d, const YNode *n, const char *field, RunConfig *c, QbErr *err);
} structured[] = {{"options", set_options}, {"overrides", set_overrides}};

static int read_structured(YDoc *d, const RunField *f, const YNode *v, const char *path,
                           RunConfig *c, QbErr *err)
{
    for (size_t i = 0; i < sizeof structured / sizeof *structured; i++)
        if (!strcmp(structured[i].yaml, f->yaml))
            return structured[i].read(d, v, path, c, err);
    QB_ASSERT(!"a structured settings field without a YAML reader");
    return -1;
}

static int read_intlist(YDoc *d, const RunField *f, const YNode *n, const char *field,
                        RunConfig *c, QbErr *err)
{
    int *items = runcfg_field_ptr(f, c), *count = (int *)((char *)c + f->count_off);
    if (ydoc_want_seq(d, n, field, err) < 0)
        return -1;
    if ((size_t)ydoc_seq_count(n) > f->cap)
        return ydoc_fail(d, n, field, err, "at most %zu entries", f->cap);
    *count = 0;
    for (int i = 0; i < ydoc_seq_count(n); i++) {
        char path[256];
        long long v;
        ydoc_index(path, sizeof path, field, i);
        if (ydoc_int(d, ydoc_seq_at(d, n, i), path, (long long)f->min, (long long)f->max, &v,
                     err) < 0)
            return -1;
        items[(*count)++] = (int)v;
    }
    return 0;
}

/* Numbers and booleans through the typed accessors (plain scalars, ranges); text values
 * through the table's own parser, so YAML and the CLI accept the same values. */
static int field_apply(YDoc *d, const RunField *f, const YNode *v, const char *path, RunConfig *c,
                       QbErr *err)
{
    void *p = runcfg_field_ptr(f, c);
    char text[RUN_PATH_MAX], want[160];
    long long i;
    int k;
    double x;
    switch (f->type) {
    case RF_INT:
    case RF_U64:
        if (ydoc_int(d, v, path, (long long)f->min, (long long)f->max, &i, err) < 0)
            return -1;
        if (f->type == RF_INT)
            *(int *)p = (int)i;
        else
            *(uint64_t *)p = (uint64_t)i;
        return 0;
    case RF_FLOAT:
        if (ydoc_float(d, v, path, f->min, f->max, &x, err) < 0)
            return -1;
        *(float *)p = (float)x;
        return 0;
    case RF_BOOL:
        return ydoc_bool(d, v, path, p, err);
    case RF_ENUM:
    case RF_KIND:
        if (ydoc_enum(d, v, path, *f->values, &k, err) < 0)
            return -1;
        snprintf(text, sizeof text, "%s", nametable_name(*f->values, k));
        break;
    case RF_INTLIST:
        return read_intlist(d, f, v, path, c, err);
    case RF_SPECIAL:
        return read_structured(d, f, v, path, c, err);
    default:
        if (ydoc_str(d, v, path, text, f->type == RF_DIMS ? 64 : f->cap, err) < 0)
            return -1;
    }
    if (runcfg_field_set(f, c, text, want, sizeof want) < 0)
        return ydoc_fail(d, v, path, err, "expected %s", want);
    return 0;
}

int schema_apply(YDoc *d, const YNode *map, SchemaSection sec, const char *field, RunConfig *c,
                 QbErr *err)
{
    if (ydoc_want_map(d, map, field, err) < 0)
        return -1;
    if (ydoc_check_table_keys(d, map, field, runcfg_yaml_keys(&sec), err) < 0)
        return -1;
    for (int i = 0; i < ydoc_map_count(map); i++) {
        char path[256];
        const char *key = ydoc_map_key(d, map, i);
        ydoc_field(path, sizeof path, field, key);
        if (field_apply(d, runcfg_field_yaml(sec, key), ydoc_map_value(d, map, i),
                        path, c, err) < 0)
            return -1;
    }
    return 0;
}

/* Text in a Markdown table cell, each '|' (which would end the cell) written as `bar`: ", "
 * between the choices of "a|b", a backslash and '|' in prose (max|w|). */
static void md_cell(FILE *f, const char *text, const char *bar)
{
    for (const char *p = text; *p; p++)
        if (*p == '|')
            fputs(bar, f);
        else
            fputc(*p, f);
}

static void markdown_section(FILE *f, SchemaSection sec)
{
    fprintf(f, "| key | `qbench train` flag | default | meaning |\n|---|---|---|---|\n");
    for (int i = 0; i < runcfg_nfields; i++) {
        const RunField *r = &runcfg_fields[i];
        if (!r->yaml || r->sec != sec)
            continue;
        fprintf(f, "| `%s` | `%s` | `%s` | ", r->yaml, r->flag, r->dflt);
        md_cell(f, r->help, "\\|");
        if (r->type == RF_ENUM || r->type == RF_KIND) {
            char values[256];
            runcfg_field_values(r, ", ", values, sizeof values);
            fprintf(f, "; one of %s", values);
        } else if (r->type == RF_INT || r->type == RF_FLOAT || r->type == RF_INTLIST) {
            fprintf(f, "; %.16g to %.16g", r->min, r->max);
        }
        fputs(r->identity ? "" : " (the value is not part of the cell id)", f);
        fputs(" |\n", f);
    }
}

void schema_markdown(FILE *f)
{
    fprintf(f, "### `train:` fields\n\n");
    markdown_section(f, SCHEMA_TRAIN);
    fprintf(f, "\n### `quant:` fields\n\n");
    markdown_section(f, SCHEMA_QUANT);
    fprintf(f, "\n### `quant.options:` conventions (declared by the quantizers)\n\n");
    schema_options_markdown(f);
}

void schema_options_markdown(FILE *f)
{
    fprintf(f, "| option | values | default | method | meaning |\n|---|---|---|---|---|\n");
    for (int i = 0; i < quantizer_count(); i++)
        for (const QuantOptionSpec *s = quantizer_at(i)->options; s && s->name; s++) {
            fprintf(f, "| `%s` | ", s->name);
            md_cell(f, s->values, ", ");
            fprintf(f, " | `%s` | %s | ", s->dflt, quantizer_at(i)->name);
            md_cell(f, s->help, "\\|");
            fputs(" |\n", f);
        }
}
