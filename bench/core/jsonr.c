/* The JSON reader over jansson: it parses (strict JSON, duplicate keys rejected) and locates
 * errors; this file turns its tree into JsonV nodes and keeps qbench's line:col convention. */
#include "jsonr.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "atomic_file.h"

#define JSON_DEPTH_MAX 64

static char *copy(const char *s)
{
    char *c = strdup(s);
    QB_ASSERT(c);
    return c;
}

/* Fills v from j; -1 when nesting is deeper than JSON_DEPTH_MAX. */
static int convert(const json_t *j, JsonV *v, int depth)
{
    memset(v, 0, sizeof *v);
    if (depth > JSON_DEPTH_MAX)
        return -1;
    switch (json_typeof(j)) {
    case JSON_OBJECT: {
        const char *key;
        json_t *item;
        v->type = JV_OBJ;
        v->n = (int)json_object_size(j);
        v->keys = calloc((size_t)v->n + 1, sizeof *v->keys);
        v->items = calloc((size_t)v->n + 1, sizeof *v->items);
        QB_ASSERT(v->keys && v->items);
        int i = 0, rc = 0;
        json_object_foreach((json_t *)j, key, item) {
            v->keys[i] = copy(key);
            rc |= convert(item, &v->items[i++], depth + 1);
        }
        return rc;
    }
    case JSON_ARRAY: {
        v->type = JV_ARR;
        v->n = (int)json_array_size(j);
        v->items = calloc((size_t)v->n + 1, sizeof *v->items);
        QB_ASSERT(v->items);
        int rc = 0;
        for (int i = 0; i < v->n; i++)
            rc |= convert(json_array_get(j, (size_t)i), &v->items[i], depth + 1);
        return rc;
    }
    case JSON_STRING:
        v->type = JV_STR;
        v->str = copy(json_string_value(j));
        return 0;
    case JSON_INTEGER:
    case JSON_REAL:
        v->type = JV_NUM;
        v->num = json_number_value(j);
        return 0;
    case JSON_TRUE:
    case JSON_FALSE:
        v->type = JV_BOOL;
        v->num = json_is_true(j);
        return 0;
    case JSON_NULL:
        break;
    }
    v->type = JV_NULL;
    return 0;
}

/* jansson keeps objects in insertion order (2.8 and later), so keys come in file order. */
static int parse(const char *text, size_t n, const char *name, JsonV **out, QbErr *err)
{
    json_error_t e;
    json_t *j = json_loadb(text, n, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, &e);
    if (!j) {
        /* jansson places an error at the end of input on the last character read; qbench
         * (and editors) on the position after it, where the missing text would go */
        int col = e.column + (strstr(e.text, "near end of file") != NULL);
        return qb_fail(err, "%s:%d:%d: %s", name, e.line, col, e.text);
    }
    JsonV *v = calloc(1, sizeof *v);
    QB_ASSERT(v);
    int rc = convert(j, v, 1);
    json_decref(j);
    if (rc < 0) {
        json_free(v);
        return qb_fail(err, "%s: nesting deeper than %d", name, JSON_DEPTH_MAX);
    }
    *out = v;
    return 0;
}

int json_parse(const char *text, const char *name, JsonV **out, QbErr *err)
{
    return parse(text, strlen(text), name, out, err);
}

int json_load(const char *path, JsonV **out, QbErr *err)
{
    char *text;
    size_t n;
    if (file_read_all(path, &text, &n, err) < 0)
        return -1;
    int rc = strlen(text) != n ? qb_fail(err, "%s: NUL byte in a JSON file", path)
                               : parse(text, n, path, out, err);
    free(text);
    return rc;
}

static void json_clear(JsonV *v)
{
    for (int i = 0; i < v->n; i++) {
        json_clear(&v->items[i]);
        if (v->keys)
            free(v->keys[i]);
    }
    free(v->items);
    free(v->keys);
    free(v->str);
}

void json_free(JsonV *v)
{
    if (v) {
        json_clear(v);
        free(v);
    }
}

const JsonV *json_at(const JsonV *v, const char *path)
{
    while (v && *path) {
        const char *dot = strchr(path, '.');
        size_t len = dot ? (size_t)(dot - path) : strlen(path);
        const JsonV *next = NULL;
        for (int i = 0; v->type == JV_OBJ && i < v->n && !next; i++)
            if (strlen(v->keys[i]) == len && !strncmp(v->keys[i], path, len))
                next = &v->items[i];
        v = next;
        path += len + (dot != NULL);
    }
    return v;
}

double json_num_at(const JsonV *v, const char *path, double dflt)
{
    const JsonV *x = json_at(v, path);
    return x && x->type == JV_NUM ? x->num : dflt;
}

const char *json_str_at(const JsonV *v, const char *path, const char *dflt)
{
    const JsonV *x = json_at(v, path);
    return x && x->type == JV_STR ? x->str : dflt;
}
