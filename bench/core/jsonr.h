/* The JSON reader: parses a whole text (with jansson, a maintained Debian library) into a tree
 * of JsonV nodes (malloc'd, freed with json_free), keys in file order. Result files, fixtures
 * and tests read JSON through it; syntax errors give name:line:col and what was expected. */
#ifndef QB_JSONR_H
#define QB_JSONR_H

#include "err.h"

typedef enum { JV_NULL, JV_BOOL, JV_NUM, JV_STR, JV_ARR, JV_OBJ } JsonType;

typedef struct JsonV {
    JsonType type;
    double num;            /* JV_NUM, and JV_BOOL as 0/1 */
    char *str;             /* JV_STR */
    int n;                 /* JV_ARR / JV_OBJ: number of items */
    char **keys;           /* JV_OBJ: n keys */
    struct JsonV *items;   /* JV_ARR / JV_OBJ: n values */
} JsonV;

/* Parses text (name is used in messages); *out is owned by the caller. Trailing text,
 * duplicate keys and nesting deeper than 64 are errors. */
int json_parse(const char *text, const char *name, JsonV **out, QbErr *err);
/* Reads and parses a file. */
int json_load(const char *path, JsonV **out, QbErr *err);
/* Frees a tree returned by json_parse or json_load. */
void json_free(JsonV *v);

/* Dotted lookup through objects ("final.test_top1"); NULL when any step is missing. */
const JsonV *json_at(const JsonV *v, const char *path);
/* The number at path, or dflt when it is missing or not a number. */
double json_num_at(const JsonV *v, const char *path, double dflt);
/* The string at path, or dflt. */
const char *json_str_at(const JsonV *v, const char *path, const char *dflt);

#endif
