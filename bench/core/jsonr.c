#include "jsonr.h"

#include <stdlib.h>
#include <string.h>

#include "atomic_file.h"

typedef struct {
    const char *s, *at, *name;
    int depth;
    QbErr *err;
} Parser;

static int fail_at(Parser *p, const char *what)
{
    int line = 1, col = 1;
    for (const char *c = p->s; c < p->at; c++)
        if (*c == '\n')
            line++, col = 1;
        else
            col++;
    return qb_fail(p->err, "%s:%d:%d: %s", p->name, line, col, what);
}

static void skip_space(Parser *p)
{
    while (*p->at == ' ' || *p->at == '\t' || *p->at == '\n' || *p->at == '\r')
        p->at++;
}

static int parse_value(Parser *p, JsonV *v);
static void json_clear(JsonV *v);

static int hex4(const char *s, unsigned *out)
{
    *out = 0;
    for (int i = 0; i < 4; i++) {
        char c = s[i];
        int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
              : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
        if (d < 0)
            return -1;
        *out = *out * 16 + (unsigned)d;
    }
    return 0;
}

/* \uXXXX as UTF-8 (surrogate pairs are not joined: qbench never writes them). */
static size_t put_utf8(char *o, unsigned u)
{
    if (u < 0x80)
        return o[0] = (char)u, 1;
    if (u < 0x800)
        return o[0] = (char)(0xC0 | u >> 6), o[1] = (char)(0x80 | (u & 63)), 2;
    o[0] = (char)(0xE0 | u >> 12), o[1] = (char)(0x80 | ((u >> 6) & 63));
    o[2] = (char)(0x80 | (u & 63));
    return 3;
}

static int parse_string(Parser *p, char **out)
{
    const char *end = ++p->at;
    while (*end && *end != '"')
        end += *end == '\\' && end[1] ? 2 : 1;
    if (!*end)
        return fail_at(p, "unterminated string");
    char *o = malloc((size_t)(end - p->at) + 1), *w = o;
    QB_ASSERT(o);
    static const char esc_in[] = "\"\\/bfnrt", esc_out[] = "\"\\/\b\f\n\r\t";
    while (p->at < end) {
        if ((unsigned char)*p->at < 0x20)
            return free(o), fail_at(p, "control character in string");
        if (*p->at != '\\') {
            *w++ = *p->at++;
            continue;
        }
        const char *e = strchr(esc_in, p->at[1]);
        unsigned u;
        if (e && p->at[1]) {
            *w++ = esc_out[e - esc_in];
            p->at += 2;
        } else if (p->at[1] == 'u' && end - p->at >= 6 && hex4(p->at + 2, &u) == 0) {
            w += put_utf8(w, u);
            p->at += 6;
        } else {
            return free(o), fail_at(p, "bad escape in string");
        }
    }
    *w = '\0';
    p->at = end + 1;
    *out = o;
    return 0;
}

static int parse_number(Parser *p, JsonV *v)
{
    const char *s = p->at;
    if (*s == '-')
        s++;
    if (!(*s >= '0' && *s <= '9'))
        return fail_at(p, "expected a value");
    char *end;
    v->type = JV_NUM;
    v->num = strtod(p->at, &end);
    p->at = end;
    return 0;
}

static int add_item(JsonV *v, char *key, JsonV *item)
{
    v->items = realloc(v->items, sizeof *v->items * (size_t)(v->n + 1));
    QB_ASSERT(v->items);
    if (key) {
        v->keys = realloc(v->keys, sizeof *v->keys * (size_t)(v->n + 1));
        QB_ASSERT(v->keys);
        v->keys[v->n] = key;
    }
    v->items[v->n++] = *item;
    return 0;
}

static int parse_container(Parser *p, JsonV *v, char close)
{
    v->type = close == '}' ? JV_OBJ : JV_ARR;
    if (++p->depth > 64)
        return fail_at(p, "nesting deeper than 64");
    p->at++;
    skip_space(p);
    if (*p->at == close) {
        p->at++, p->depth--;
        return 0;
    }
    for (;;) {
        char *key = NULL;
        skip_space(p);
        if (v->type == JV_OBJ) {
            if (*p->at != '"' || parse_string(p, &key) < 0)
                return *p->at != '"' ? fail_at(p, "expected a string key") : -1;
            for (int i = 0; i < v->n; i++)
                if (!strcmp(v->keys[i], key))
                    return free(key), fail_at(p, "duplicate key");
            skip_space(p);
            if (*p->at++ != ':')
                return free(key), p->at--, fail_at(p, "expected ':'");
        }
        JsonV item = {0};
        if (parse_value(p, &item) < 0) {
            json_clear(&item);
            free(key);
            return -1;
        }
        add_item(v, key, &item);
        skip_space(p);
        if (*p->at == ',') {
            p->at++;
            continue;
        }
        if (*p->at != close)
            return fail_at(p, close == '}' ? "expected ',' or '}'" : "expected ',' or ']'");
        p->at++, p->depth--;
        return 0;
    }
}

static int parse_value(Parser *p, JsonV *v)
{
    skip_space(p);
    static const struct { const char *word; JsonType type; double num; } words[] = {
        {"null", JV_NULL, 0}, {"true", JV_BOOL, 1}, {"false", JV_BOOL, 0}};
    for (size_t i = 0; i < sizeof words / sizeof *words; i++)
        if (!strncmp(p->at, words[i].word, strlen(words[i].word))) {
            v->type = words[i].type, v->num = words[i].num;
            p->at += strlen(words[i].word);
            return 0;
        }
    if (*p->at == '{' || *p->at == '[')
        return parse_container(p, v, *p->at == '{' ? '}' : ']');
    if (*p->at == '"') {
        v->type = JV_STR;
        return parse_string(p, &v->str);
    }
    return parse_number(p, v);
}

int json_parse(const char *text, const char *name, JsonV **out, QbErr *err)
{
    Parser p = {text, text, name, 0, err};
    JsonV *v = calloc(1, sizeof *v);
    QB_ASSERT(v);
    if (parse_value(&p, v) < 0)
        return json_free(v), -1;
    skip_space(&p);
    if (*p.at)
        return json_free(v), fail_at(&p, "unexpected text after the value");
    *out = v;
    return 0;
}

int json_load(const char *path, JsonV **out, QbErr *err)
{
    char *text;
    size_t n;
    if (file_read_all(path, &text, &n, err) < 0)
        return -1;
    int rc = strlen(text) != n ? qb_fail(err, "%s: NUL byte in a JSON file", path)
                               : json_parse(text, path, out, err);
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
