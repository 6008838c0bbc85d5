#include "ydoc.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int ydoc_fail(const YDoc *d, const YNode *n, const char *field, QbErr *err, const char *fmt, ...)
{
    char msg[700];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    int line = n ? (int)n->start_mark.line + 1 : 1, col = n ? (int)n->start_mark.column + 1 : 1;
    return qb_fail(err, "%s:%d:%d: %s%s%s", d->path, line, col, field && *field ? field : "",
                   field && *field ? ": " : "", msg);
}

void ydoc_field(char *out, size_t cap, const char *parent, const char *key)
{
    snprintf(out, cap, "%s%s%s", parent && *parent ? parent : "", parent && *parent ? "." : "",
             key);
}

void ydoc_index(char *out, size_t cap, const char *parent, int i)
{
    snprintf(out, cap, "%s[%d]", parent, i);
}

const char *ydoc_text(const YNode *n)
{
    return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

int ydoc_map_count(const YNode *map)
{
    return (int)(map->data.mapping.pairs.top - map->data.mapping.pairs.start);
}

const char *ydoc_map_key(const YDoc *d, const YNode *map, int i)
{
    YNode *k = yaml_document_get_node((yaml_document_t *)&d->doc,
                                      map->data.mapping.pairs.start[i].key);
    return ydoc_text(k);
}

YNode *ydoc_map_value(YDoc *d, const YNode *map, int i)
{
    return yaml_document_get_node(&d->doc, map->data.mapping.pairs.start[i].value);
}

YNode *ydoc_map_get(YDoc *d, const YNode *map, const char *key)
{
    for (int i = 0; map && map->type == YAML_MAPPING_NODE && i < ydoc_map_count(map); i++)
        if (!strcmp(ydoc_map_key(d, map, i), key))
            return ydoc_map_value(d, map, i);
    return NULL;
}

YNode *ydoc_extended_get(YDoc *d, const YNode *map, const char *name, const char *key,
                         const char *subkey, char *owner, size_t cap)
{
    int entries = map && map->type == YAML_MAPPING_NODE ? ydoc_map_count(map) : 0;
    for (int hops = 0; name && hops < entries; hops++) {
        YNode *entry = ydoc_map_get(d, map, name), *v = ydoc_map_get(d, entry, key);
        if (v && subkey)
            v = ydoc_map_get(d, v, subkey);
        if (v) {
            snprintf(owner, cap, "%s", name);
            return v;
        }
        name = ydoc_text(ydoc_map_get(d, entry, "extends"));
    }
    return NULL;
}

int ydoc_seq_count(const YNode *seq)
{
    return (int)(seq->data.sequence.items.top - seq->data.sequence.items.start);
}

YNode *ydoc_seq_at(YDoc *d, const YNode *seq, int i)
{
    return yaml_document_get_node(&d->doc, seq->data.sequence.items.start[i]);
}

/* Keys must be scalars and unique within each mapping. */
static int check_mappings(YDoc *d, QbErr *err)
{
    for (yaml_node_t *n = d->doc.nodes.start; n < d->doc.nodes.top; n++) {
        if (n->type != YAML_MAPPING_NODE)
            continue;
        for (int i = 0; i < ydoc_map_count(n); i++) {
            YNode *k = yaml_document_get_node(&d->doc, n->data.mapping.pairs.start[i].key);
            if (!ydoc_text(k))
                return ydoc_fail(d, k, NULL, err, "a mapping key must be a plain name");
            for (int j = 0; j < i; j++)
                if (!strcmp(ydoc_map_key(d, n, j), ydoc_text(k)))
                    return ydoc_fail(d, k, ydoc_text(k), err, "duplicate key (first at line %d)",
                                     (int)yaml_document_get_node(
                                         &d->doc, n->data.mapping.pairs.start[j].key)
                                             ->start_mark.line + 1);
        }
    }
    return 0;
}

/* Line and column of byte `offset` of f: libyaml locates encoding errors (invalid UTF-8,
 * control characters) by offset only, leaving the mark at 1:1. */
static void offset_position(FILE *f, size_t offset, int *line, int *col)
{
    *line = 1, *col = 1;
    rewind(f);
    for (size_t i = 0; i < offset; i++) {
        int c = getc(f);
        if (c == EOF)
            return;
        if (c == '\n')
            ++*line, *col = 1;
        else
            ++*col;
    }
}

int ydoc_load(YDoc *d, const char *path, QbErr *err)
{
    memset(d, 0, sizeof *d);
    snprintf(d->path, sizeof d->path, "%s", path);
    FILE *f = fopen(path, "rb");
    if (!f)
        return qb_fail(err, "%s: cannot open: %s", path, strerror(errno));
    yaml_parser_t p;
    QB_ASSERT(yaml_parser_initialize(&p));
    yaml_parser_set_input_file(&p, f);
    int ok = yaml_parser_load(&p, &d->doc);
    int line = (int)p.problem_mark.line + 1, col = (int)p.problem_mark.column + 1;
    if (!ok && p.error == YAML_READER_ERROR)
        offset_position(f, p.problem_offset, &line, &col);
    if (!ok)
        qb_fail(err, "%s:%d:%d: YAML syntax: %s%s%s", path, line, col,
                p.problem ? p.problem : "unreadable", p.context ? " " : "",
                p.context ? p.context : "");
    yaml_parser_delete(&p);
    fclose(f);
    if (!ok)
        return -1;
    d->loaded = 1;
    if (check_mappings(d, err) < 0)
        return ydoc_free(d), -1;
    return 0;
}

void ydoc_free(YDoc *d)
{
    if (d->loaded)
        yaml_document_delete(&d->doc);
    d->loaded = 0;
}

YNode *ydoc_root(YDoc *d)
{
    return yaml_document_get_root_node(&d->doc);
}

static const char *kind_name(const YNode *n)
{
    return n->type == YAML_MAPPING_NODE ? "a mapping"
         : n->type == YAML_SEQUENCE_NODE ? "a list"
         : *ydoc_text(n) ? "a scalar" : "an empty value";
}

int ydoc_want_map(const YDoc *d, const YNode *n, const char *field, QbErr *err)
{
    if (n->type != YAML_MAPPING_NODE)
        return ydoc_fail(d, n, field, err, "expected a mapping (key: value lines), found %s",
                         kind_name(n));
    return 0;
}

int ydoc_want_seq(const YDoc *d, const YNode *n, const char *field, QbErr *err)
{
    if (n->type != YAML_SEQUENCE_NODE)
        return ydoc_fail(d, n, field, err, "expected a list ([a, b] or '- ' lines), found %s",
                         kind_name(n));
    return 0;
}

int ydoc_check_table_keys(const YDoc *d, const YNode *map, const char *field, NameTable keys,
                          QbErr *err)
{
    for (int i = 0; i < ydoc_map_count(map); i++) {
        const char *k = ydoc_map_key(d, map, i);
        if (nametable_find(keys, k))
            continue;
        char list[600], hint[160], path[256];
        nametable_join(keys, ", ", NULL, list, sizeof list);
        nametable_suggest(keys, k, hint, sizeof hint);
        ydoc_field(path, sizeof path, field, k);
        return ydoc_fail(d, yaml_document_get_node((yaml_document_t *)&d->doc,
                                                   map->data.mapping.pairs.start[i].key),
                         path, err, "unknown key; expected one of: %s%s", list, hint);
    }
    return 0;
}

int ydoc_check_keys(const YDoc *d, const YNode *map, const char *field,
                    const char *const *allowed, QbErr *err)
{
    return ydoc_check_table_keys(d, map, field, NAMETABLE_NULL_ENDED(allowed), err);
}

int ydoc_require(YDoc *d, const YNode *map, const char *field, const char *const *required,
                 QbErr *err)
{
    for (const char *const *r = required; *r; r++)
        if (!ydoc_map_get(d, map, *r))
            return ydoc_fail(d, map, field, err, "missing required key '%s'", *r);
    return 0;
}

static const char *plain_text(const YNode *n)
{
    return n->type == YAML_SCALAR_NODE && n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE
               ? ydoc_text(n) : NULL;
}

int ydoc_int(const YDoc *d, const YNode *n, const char *field, long long min, long long max,
             long long *out, QbErr *err)
{
    const char *s = plain_text(n);
    char *end = NULL;
    errno = 0;
    long long v = s && *s ? strtoll(s, &end, 10) : 0;
    if (!s || !*s || *end || errno || v < min || v > max)
        return ydoc_fail(d, n, field, err, "expected an integer in [%lld, %lld], found '%s'", min,
                         max, ydoc_text(n) ? ydoc_text(n) : kind_name(n));
    *out = v;
    return 0;
}

int ydoc_float(const YDoc *d, const YNode *n, const char *field, double min, double max,
               double *out, QbErr *err)
{
    const char *s = plain_text(n);
    char *end = NULL;
    double v = s && *s ? strtod(s, &end) : NAN;
    if (!s || !*s || *end || !isfinite(v) || v < min || v > max)
        return ydoc_fail(d, n, field, err, "expected a number in [%g, %g], found '%s'", min, max,
                         ydoc_text(n) ? ydoc_text(n) : kind_name(n));
    *out = v;
    return 0;
}

int ydoc_bool(const YDoc *d, const YNode *n, const char *field, int *out, QbErr *err)
{
    const char *s = plain_text(n);
    if (s && (!strcmp(s, "true") || !strcmp(s, "false"))) {
        *out = !strcmp(s, "true");
        return 0;
    }
    return ydoc_fail(d, n, field, err, "expected true or false, found '%s'",
                     ydoc_text(n) ? ydoc_text(n) : kind_name(n));
}

int ydoc_str(const YDoc *d, const YNode *n, const char *field, char *out, size_t cap, QbErr *err)
{
    const char *s = ydoc_text(n);
    if (!s || !*s || strlen(s) >= cap)
        return ydoc_fail(d, n, field, err, "expected a non-empty string of at most %zu characters",
                         cap - 1);
    memcpy(out, s, strlen(s) + 1);
    return 0;
}

int ydoc_enum(const YDoc *d, const YNode *n, const char *field, NameTable values, int *index,
              QbErr *err)
{
    const char *s = ydoc_text(n);
    if ((*index = nametable_index(values, s)) >= 0)
        return 0;
    char list[400], hint[160] = "";
    nametable_join(values, ", ", NULL, list, sizeof list);
    if (s)
        nametable_suggest(values, s, hint, sizeof hint);
    return ydoc_fail(d, n, field, err, "expected one of %s, found '%s'%s", list,
                     s ? s : kind_name(n), hint);
}
