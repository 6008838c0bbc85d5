/* Table-driven command-line flags: each command lists its flags with a type, a destination
 * and a range; anything else on the line is a usage error naming the flag. */
#ifndef QB_ARGS_H
#define QB_ARGS_H

#include <stddef.h>

#include "core/err.h"
#include "core/tensor.h"

typedef enum { ARG_INT, ARG_U64, ARG_FLOAT, ARG_STR, ARG_FLAG, ARG_DIMS, ARG_LIST } ArgType;

typedef struct {
    const char *flag;   /* "--threads" */
    ArgType type;
    void *dst;          /* int*, uint64_t*, float*, char[cap], int* (flag), Dims*, ArgList* */
    double lo, hi;      /* numeric range, inclusive */
    size_t cap;         /* ARG_STR buffer size */
} ArgSpec;

/* A repeatable flag (--set A=1 --set B=2); an item holds a path (train.from=PATH). */
#define ARG_LIST_MAX 16
#define ARG_ITEM_MAX 640
typedef struct {
    char items[ARG_LIST_MAX][ARG_ITEM_MAX];
    int n;
} ArgList;

/* Returned for --help / -h: the caller prints its usage and exits 0. */
#define ARGS_HELP 3

/* Parses argv[1..argc) against specs (terminated by a NULL flag). Returns 0, ARGS_HELP, or
 * CLI_USAGE (2) with the offending flag and what was expected in err. */
int args_parse(int argc, char **argv, const ArgSpec *specs, QbErr *err);
/* "3x32x32" -> Dims; -1 on anything else. */
int args_dims(const char *s, Dims *d);

#endif
