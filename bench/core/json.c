#include "json.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"

void jw_init(JsonW *w, int pretty)
{
    memset(w, 0, sizeof *w);
    w->pretty = pretty;
    w->cap = 4096;
    w->buf = malloc(w->cap);
    QB_ASSERT(w->buf);
    w->buf[0] = '\0';
}

void jw_free(JsonW *w)
{
    free(w->buf);
    w->buf = NULL;
}

static void emit(JsonW *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void emit(JsonW *w, const char *fmt, ...)
{
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(w->buf + w->len, w->cap - w->len, fmt, ap);
        va_end(ap);
        QB_ASSERT(n >= 0);
        if ((size_t)n < w->cap - w->len) {
            w->len += (size_t)n;
            return;
        }
        w->cap = (w->cap + (size_t)n) * 2;
        w->buf = realloc(w->buf, w->cap);
        QB_ASSERT(w->buf);
    }
}

static void emit_string(JsonW *w, const char *s)
{
    emit(w, "\"");
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\')
            emit(w, "\\%c", *p);
        else if (*p == '\n')
            emit(w, "\\n");
        else if (*p < 0x20)
            emit(w, "\\u%04x", *p);
        else
            emit(w, "%c", *p);
    }
    emit(w, "\"");
}

/* Separator, indentation and key before every value. */
static void lead(JsonW *w, const char *key)
{
    if (w->depth > 0 && w->need_comma[w->depth])
        emit(w, ",");
    if (w->pretty && w->depth > 0)
        emit(w, "\n%*s", 2 * w->depth, "");
    w->need_comma[w->depth] = 1;
    if (key) {
        emit_string(w, key);
        emit(w, w->pretty ? ": " : ":");
    }
}

static void open_(JsonW *w, const char *key, char c)
{
    lead(w, key);
    emit(w, "%c", c);
    QB_ASSERT(w->depth + 1 < 64);
    w->need_comma[++w->depth] = 0;
}

static void close_(JsonW *w, char c)
{
    int had = w->need_comma[w->depth];
    w->depth--;
    if (w->pretty && had)
        emit(w, "\n%*s", 2 * w->depth, "");
    emit(w, "%c", c);
}

void jw_obj(JsonW *w, const char *key) { open_(w, key, '{'); }
void jw_obj_end(JsonW *w) { close_(w, '}'); }
void jw_arr(JsonW *w, const char *key) { open_(w, key, '['); }
void jw_arr_end(JsonW *w) { close_(w, ']'); }

void jw_str(JsonW *w, const char *key, const char *value)
{
    lead(w, key);
    if (value)
        emit_string(w, value);
    else
        emit(w, "null");
}

void jw_num(JsonW *w, const char *key, double value)
{
    lead(w, key);
    if (isfinite(value))
        emit(w, "%.10g", value);
    else
        emit(w, "null");
}

void jw_int(JsonW *w, const char *key, long long value)
{
    lead(w, key);
    emit(w, "%lld", value);
}

void jw_bool(JsonW *w, const char *key, int value)
{
    lead(w, key);
    emit(w, value ? "true" : "false");
}

void jw_null(JsonW *w, const char *key)
{
    lead(w, key);
    emit(w, "null");
}

void jw_raw(JsonW *w, const char *key, const char *json)
{
    lead(w, key);
    emit(w, "%s", json);
}
