#include "args.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "run/runcfg.h"
#include "core/nametable.h"
#include "cli.h"

int args_dims(const char *s, Dims *d) { return runcfg_parse_dims(s, d); }

static int bad(QbErr *err, const char *flag, const char *value, const char *want)
{
    qb_fail(err, "%s %s: expected %s", flag, value, want);
    return CLI_USAGE;
}

static int parse_number(const ArgSpec *s, void *dst, const char *v, QbErr *err)
{
    char want[96], *end;
    errno = 0;
    double x = strtod(v, &end);
    int integral = s->type != ARG_FLOAT;
    snprintf(want, sizeof want, "%s in [%g, %g]", integral ? "an integer" : "a number", s->lo,
             s->hi);
    if (errno || end == v || *end || x < s->lo || x > s->hi || x != x ||
        (integral && x != (double)(long long)x))
        return bad(err, s->flag, v, want);
    if (s->type == ARG_INT)
        *(int *)dst = (int)x;
    else if (s->type == ARG_U64)
        *(uint64_t *)dst = (uint64_t)x;
    else
        *(float *)dst = (float)x;
    return 0;
}

static int parse_value(const ArgSpec *s, void *dst, const char *v, QbErr *err)
{
    switch (s->type) {
    case ARG_STR:
    case ARG_OPERAND:
        if (strlen(v) >= s->cap || !v[0])
            return bad(err, s->flag, v, "a non-empty value (shorter)");
        memcpy(dst, v, strlen(v) + 1);
        return 0;
    case ARG_DIMS:
        return args_dims(v, dst) < 0 ? bad(err, s->flag, v, "CxHxW, e.g. 3x32x32") : 0;
    case ARG_LIST: {
        ArgList *l = dst;
        char want[80];
        snprintf(want, sizeof want, "at most %d values of under %d characters", ARG_LIST_MAX,
                 ARG_ITEM_MAX);
        if (l->n >= ARG_LIST_MAX || strlen(v) >= sizeof l->items[0])
            return bad(err, s->flag, v, want);
        strcpy(l->items[l->n++], v);
        return 0;
    }
    default:
        return parse_number(s, dst, v, err);
    }
}

static int is_operand(const ArgSpec *s)
{
    return s->type == ARG_OPERAND || s->type == ARG_WORDS;
}

/* A word without a dash: the next operand not yet given, else the words' list. */
static int parse_operand(const ArgSpec *specs, char *word, char *args, int *given, char **front,
                         QbErr *err)
{
    for (const ArgSpec *s = specs; s->flag; s++) {
        if (s->type == ARG_WORDS) {
            ArgWords *w = (ArgWords *)(args + s->at);
            w->items = front;
            w->items[w->n++] = word; /* never ahead of the word being read */
            return 0;
        }
        if (s->type == ARG_OPERAND && !given[s - specs]++)
            return parse_value(s, args + s->at, word, err);
    }
    return qb_fail(err, "unexpected '%s' (options start with --)", word), CLI_USAGE;
}

static int parse_flag(const ArgSpec *specs, int argc, char **argv, int *i, char *args,
                      int *given, QbErr *err)
{
    const char *a = argv[*i];
    const ArgSpec *s = specs;
    while (s->flag && (is_operand(s) || strcmp(s->flag, a)))
        s++;
    if (!s->flag) {
        char hint[160];
        nametable_suggest(NAMETABLE_LIST(specs, ArgSpec, flag), a, hint, sizeof hint);
        return qb_fail(err, "unknown option '%s'%s", a, hint), CLI_USAGE;
    }
    given[s - specs] = 1;
    if (s->type == ARG_FLAG) {
        *(int *)(args + s->at) = 1;
        return 0;
    }
    if (*i + 1 >= argc)
        return qb_fail(err, "%s needs a value", a), CLI_USAGE;
    return parse_value(s, args + s->at, argv[++*i], err);
}

/* The first required operand or flag not given, as a usage error. */
static int missing(const ArgSpec *specs, const int *given, QbErr *err)
{
    for (const ArgSpec *s = specs; s->flag; s++) {
        if (!s->required || given[s - specs])
            continue;
        if (is_operand(s))
            return qb_fail(err, "expected %s: %s", s->flag, s->help), CLI_USAGE;
        return qb_fail(err, "%s %s is required: %s", s->flag, s->value, s->help), CLI_USAGE;
    }
    return 0;
}

int args_parse(int argc, char **argv, const ArgSpec *specs, void *args, QbErr *err)
{
    int nspecs = 0, rc = 0;
    while (specs[nspecs].flag)
        nspecs++;
    int *given = calloc((size_t)nspecs + 1, sizeof *given);
    QB_ASSERT(given);
    for (int i = 1; i < argc && rc == 0; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h"))
            rc = ARGS_HELP;
        else if (argv[i][0] != '-' || !argv[i][1])
            rc = parse_operand(specs, argv[i], args, given, argv + 1, err);
        else
            rc = parse_flag(specs, argc, argv, &i, args, given, err);
    }
    if (rc == 0)
        rc = missing(specs, given, err);
    free(given);
    return rc;
}

static void usage_word(FILE *f, const ArgSpec *s)
{
    if (s->type == ARG_WORDS)
        fprintf(f, " [%s...]", s->flag);
    else if (s->type == ARG_OPERAND)
        fprintf(f, s->required ? " %s" : " [%s]", s->flag);
    else if (s->type == ARG_FLAG)
        fprintf(f, " [%s]", s->flag);
    else if (s->required)
        fprintf(f, " %s %s", s->flag, s->value);
    else
        fprintf(f, " [%s %s]%s", s->flag, s->value, s->type == ARG_LIST ? "..." : "");
}

void args_usage(FILE *f, const CliCommand *c)
{
    fprintf(f, "usage: qbench %s", c->name);
    /* operands first, then required flags, then the rest in table order */
    for (int pass = 0; pass < 3 && c->specs; pass++)
        for (const ArgSpec *s = c->specs; s->flag; s++)
            if ((pass == 0) == is_operand(s) && (pass == 0 || (pass == 1) == !!s->required))
                usage_word(f, s);
    if (!c->specs)
        fprintf(f, " [OPTIONS]");
    fputc('\n', f);
}

void args_help(FILE *f, const CliCommand *c)
{
    if (c->help) {
        c->help(f);
        return;
    }
    args_usage(f, c);
    fprintf(f, "%s\n\noptions:\n", c->summary);
    for (const ArgSpec *s = c->specs; s && s->flag; s++) {
        if (is_operand(s) || s->type == ARG_FLAG)
            fprintf(f, "  %s%s\n", s->flag, s->type == ARG_WORDS ? "..." : "");
        else
            fprintf(f, "  %s %s%s\n", s->flag, s->value,
                    s->type == ARG_LIST ? " (repeatable)" : "");
        fprintf(f, "      %s\n", s->help);
    }
}
