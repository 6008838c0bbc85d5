/* A small streaming JSON writer into a growing string: results, bench reports and --json
 * outputs all go through it, so escaping and number formatting live in one place. */
#ifndef QB_JSON_H
#define QB_JSON_H

#include <stddef.h>

typedef struct {
    char *buf;
    size_t len, cap;
    int depth;
    int need_comma[64];
    int pretty;
} JsonW;

void jw_init(JsonW *w, int pretty);
void jw_free(JsonW *w);
/* key is NULL for array elements and the top-level value. */
void jw_obj(JsonW *w, const char *key);
void jw_obj_end(JsonW *w);
void jw_arr(JsonW *w, const char *key);
void jw_arr_end(JsonW *w);
void jw_str(JsonW *w, const char *key, const char *value);
/* Non-finite numbers become null (JSON has no NaN). %.10g keeps float32 values exact. */
void jw_num(JsonW *w, const char *key, double value);
void jw_int(JsonW *w, const char *key, long long value);
void jw_bool(JsonW *w, const char *key, int value);
void jw_null(JsonW *w, const char *key);
/* Inserts already-serialised JSON text as a value. */
void jw_raw(JsonW *w, const char *key, const char *json);

#endif
