/* Error values for the whole program: a message buffer filled where the failure is
 * detected and carried up to bench/main.c, the only place that prints. */
#ifndef QB_ERR_H
#define QB_ERR_H

#include <stdio.h>
#include <stdlib.h>

typedef struct {
    char msg[1024];
} QbErr;

/* Formats the message into err (when non-NULL) and returns -1, so callers can write
 * `return qb_fail(err, "...")`. */
int qb_fail(QbErr *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Prefixes an existing message with context ("file.yaml: " + msg); returns -1. */
int qb_wrap(QbErr *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* A broken invariant is a bug in qbench, not bad input: abort with the location. */
#define QB_ASSERT(cond)                                                              \
    do {                                                                             \
        if (!(cond)) {                                                               \
            fprintf(stderr, "qbench: internal error %s:%d: %s\n", __FILE__, __LINE__, \
                    #cond);                                                          \
            abort();                                                                 \
        }                                                                            \
    } while (0)

#endif
