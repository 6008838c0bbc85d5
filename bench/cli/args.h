/* Table-driven command lines: each command lists its operands and flags once, with a type,
 * where the value goes in the command's own args struct, a range, the value's name and one
 * help sentence; parsing, the usage line and --help all come from that table, and anything
 * else on the line is a usage error naming the word. */
#ifndef QB_ARGS_H
#define QB_ARGS_H

#include <stddef.h>
#include <stdio.h>

#include "core/err.h"
#include "core/tensor.h"

typedef enum {
    ARG_INT, ARG_U64, ARG_FLOAT, ARG_STR, ARG_FLAG, ARG_DIMS, ARG_LIST,
    ARG_OPERAND, /* a word without a dash, in order (its `flag` is its name: "FILE") */
    ARG_WORDS,   /* every remaining word without a dash (ArgWords) */
} ArgType;

typedef struct {
    const char *flag;   /* "--threads"; an operand's name ("FILE") */
    ArgType type;
    size_t at;          /* offset of the destination in the args struct: int, uint64_t,
                           float, char[cap] (ARG_STR, ARG_OPERAND), int (flag), Dims,
                           ArgList, ArgWords */
    double lo, hi;      /* numeric range, inclusive */
    size_t cap;         /* string buffer size */
    const char *value;  /* the value's name in the usage line ("N", "DIR") */
    const char *help;   /* what it means, for --help */
    int required;
} ArgSpec;

/* Spec fields for a member of args struct T: its offset (and, for text, its size). */
#define ARG_AT(T, m) .at = offsetof(T, m)
#define ARG_TEXT(T, m) .at = offsetof(T, m), .cap = sizeof(((T *)0)->m)

/* --by-position, as every verb that reads results has it. */
#define ARG_BY_POSITION(T, m)                                                                 \
    {"--by-position", ARG_FLAG, ARG_AT(T, m),                                                \
     .help = "place results by matrix position instead of cell id (the committed reference, " \
             "made by earlier code)"}

/* A repeatable flag (--set A=1 --set B=2); an item holds a path (train.from=PATH). */
#define ARG_LIST_MAX 16
#define ARG_ITEM_MAX 640
typedef struct {
    char items[ARG_LIST_MAX][ARG_ITEM_MAX];
    int n;
} ArgList;

/* ARG_WORDS: the words, in order, pointing into the argv parsed (compacted to its front). */
typedef struct {
    char **items;
    int n;
} ArgWords;

/* One command: its name, what it does (one line of `qbench --help`), its table of operands
 * and flags (terminated by a NULL flag) and what runs it. A command whose flags come from
 * another table (train's settings) gives `help` instead, writing its own --help text. */
typedef struct {
    const char *name;
    const char *summary;
    const ArgSpec *specs;
    int (*run)(int argc, char **argv, QbErr *err);
    void (*help)(FILE *f);
} CliCommand;

/* Returned for --help / -h: main prints the command's help and exits 0. */
#define ARGS_HELP 3

/* Parses argv[1..argc) against specs into the struct at args. Returns 0, ARGS_HELP, or
 * CLI_USAGE (2) with the offending word and what was expected in err. */
int args_parse(int argc, char **argv, const ArgSpec *specs, void *args, QbErr *err);
/* "3x32x32" -> Dims; -1 on anything else. */
int args_dims(const char *s, Dims *d);

/* `qbench NAME OPERANDS FLAGS` from the table (required flags bare, others in brackets). */
void args_usage(FILE *f, const CliCommand *c);
/* The usage line, the summary, then every operand and flag with its help sentence. */
void args_help(FILE *f, const CliCommand *c);

#endif
