#include "args.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/nametable.h"
#include "run/runcfg.h"
#include "cli.h"

int args_dims(const char *s, Dims *d) { return runcfg_parse_dims(s, d); }

static int bad(QbErr *err, const char *flag, const char *value, const char *want)
{
    qb_fail(err, "%s %s: expected %s", flag, value, want);
    return CLI_USAGE;
}

static int parse_number(const ArgSpec *s, const char *v, QbErr *err)
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
        *(int *)s->dst = (int)x;
    else if (s->type == ARG_U64)
        *(uint64_t *)s->dst = (uint64_t)x;
    else
        *(float *)s->dst = (float)x;
    return 0;
}

static int parse_value(const ArgSpec *s, const char *v, QbErr *err)
{
    switch (s->type) {
    case ARG_STR:
        if (strlen(v) >= s->cap || !v[0])
            return bad(err, s->flag, v, "a non-empty value (shorter)");
        memcpy(s->dst, v, strlen(v) + 1);
        return 0;
    case ARG_DIMS:
        return args_dims(v, s->dst) < 0 ? bad(err, s->flag, v, "CxHxW, e.g. 3x32x32") : 0;
    case ARG_LIST: {
        ArgList *l = s->dst;
        char want[80];
        snprintf(want, sizeof want, "at most %d values of under %d characters", ARG_LIST_MAX,
                 ARG_ITEM_MAX);
        if (l->n >= ARG_LIST_MAX || strlen(v) >= sizeof l->items[0])
            return bad(err, s->flag, v, want);
        strcpy(l->items[l->n++], v);
        return 0;
    }
    default:
        return parse_number(s, v, err);
    }
}

int args_parse(int argc, char **argv, const ArgSpec *specs, QbErr *err)
{
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--help") || !strcmp(a, "-h"))
            return ARGS_HELP;
        const NameTable flags = NAMETABLE_LIST(specs, ArgSpec, flag);
        const ArgSpec *s = nametable_find(flags, a);
        if (!s) {
            char hint[160];
            nametable_suggest(flags, a, hint, sizeof hint);
            qb_fail(err, "unknown option '%s'%s", a, hint);
            return CLI_USAGE;
        }
        if (s->type == ARG_FLAG) {
            *(int *)s->dst = 1;
            continue;
        }
        if (i + 1 >= argc) {
            qb_fail(err, "%s needs a value", a);
            return CLI_USAGE;
        }
        int rc = parse_value(s, argv[++i], err);
        if (rc)
            return rc;
    }
    return 0;
}
