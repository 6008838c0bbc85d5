/* A YAML file loaded whole with libyaml (document API), plus typed, located accessors: every
 * error names the file, line and column, the field path (e.g. `matrix.bits[2]`) and what was
 * expected. Duplicate keys anywhere in the file are load errors. */
#ifndef QB_YDOC_H
#define QB_YDOC_H

#include <stddef.h>
#include <yaml.h>

#include "core/err.h"
#include "core/nametable.h"

typedef struct {
    yaml_document_t doc;
    char path[512];
    int loaded;
} YDoc;

typedef yaml_node_t YNode;

int ydoc_load(YDoc *d, const char *path, QbErr *err);
void ydoc_free(YDoc *d);
/* The root node (a mapping is checked by the caller); NULL for an empty file. */
YNode *ydoc_root(YDoc *d);

/* "<file>:<line>:<col>: <field>: <message>" into err; returns -1. */
int ydoc_fail(const YDoc *d, const YNode *n, const char *field, QbErr *err, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

/* Node kinds; each returns -1 with a located error when n is not of that kind. */
int ydoc_want_map(const YDoc *d, const YNode *n, const char *field, QbErr *err);
int ydoc_want_seq(const YDoc *d, const YNode *n, const char *field, QbErr *err);

/* Mapping entries: count, i-th key text (keys must be scalars: checked at load) and value. */
int ydoc_map_count(const YNode *map);
const char *ydoc_map_key(const YDoc *d, const YNode *map, int i);
YNode *ydoc_map_value(YDoc *d, const YNode *map, int i);
/* The value under key, or NULL. */
YNode *ydoc_map_get(YDoc *d, const YNode *map, const char *key);
/* Every key must be one of `allowed` (NULL-terminated), or a name of table `keys` (the
 * settings table's for one section); the error locates the first other key, lists the
 * expected ones and suggests the nearest. */
int ydoc_check_keys(const YDoc *d, const YNode *map, const char *field,
                    const char *const *allowed, QbErr *err);
int ydoc_check_table_keys(const YDoc *d, const YNode *map, const char *field, NameTable keys,
                          QbErr *err);
/* Required keys present. */
int ydoc_require(YDoc *d, const YNode *map, const char *field, const char *const *required,
                 QbErr *err);

/* The value under key (and under subkey within it, unless subkey is NULL) in entry `name` of
 * `map`, else in the entry it names by `extends:`, and so on (a bounded walk: a cycle is the
 * loader's error to report); the entry that held it into owner. NULL when no entry on the way
 * has it. */
YNode *ydoc_extended_get(YDoc *d, const YNode *map, const char *name, const char *key,
                         const char *subkey, char *owner, size_t cap);

int ydoc_seq_count(const YNode *seq);
YNode *ydoc_seq_at(YDoc *d, const YNode *seq, int i);

/* Scalars. Numbers and booleans must be plain (unquoted) scalars. */
int ydoc_int(const YDoc *d, const YNode *n, const char *field, long long min, long long max,
             long long *out, QbErr *err);
int ydoc_float(const YDoc *d, const YNode *n, const char *field, double min, double max,
               double *out, QbErr *err);
int ydoc_bool(const YDoc *d, const YNode *n, const char *field, int *out, QbErr *err);
/* A non-empty string that fits in cap bytes. */
int ydoc_str(const YDoc *d, const YNode *n, const char *field, char *out, size_t cap, QbErr *err);
/* A string that must be a name of table `values`: its position into *index; else the
 * error lists the names and suggests the nearest. */
int ydoc_enum(const YDoc *d, const YNode *n, const char *field, NameTable values, int *index,
              QbErr *err);
/* The scalar's text, or NULL when n is not a scalar. */
const char *ydoc_text(const YNode *n);

/* Field paths: "parent.key" and "parent[i]" into out. */
void ydoc_field(char *out, size_t cap, const char *parent, const char *key);
void ydoc_index(char *out, size_t cap, const char *parent, int i);

#endif
