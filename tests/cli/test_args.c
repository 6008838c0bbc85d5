/* The flag tables (cli/args.h): a command line parsed into the command's own struct by
 * offset, operands in order and the remaining words compacted, required operands and flags
 * refused by name when absent, and the usage line and --help written from the same table. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/args.h"
#include "cli/cli.h"

typedef struct {
    char file[16], out[32];
    int jobs, check;
    ArgList sets;
    ArgWords rest;
} ToyArgs;

static const ArgSpec toy_specs[] = {
    {"FILE", ARG_OPERAND, ARG_TEXT(ToyArgs, file), .required = 1, .help = "the input"},
    {"REST", ARG_WORDS, ARG_AT(ToyArgs, rest), .help = "anything after it"},
    {"--out", ARG_STR, ARG_TEXT(ToyArgs, out), .value = "BASE", .required = 1,
     .help = "where it goes"},
    {"--jobs", ARG_INT, ARG_AT(ToyArgs, jobs), 1, 8, .value = "N", .help = "at once"},
    {"--set", ARG_LIST, ARG_AT(ToyArgs, sets), .value = "K=V", .help = "a setting"},
    {"--check", ARG_FLAG, ARG_AT(ToyArgs, check), .help = "only check"},
    {NULL}};

static int toy_run(int argc, char **argv, QbErr *err)
{
    ToyArgs a = {0};
    return args_parse(argc, argv, toy_specs, &a, err);
}

static const CliCommand toy = {"toy", "a command for the test", toy_specs, toy_run, NULL};

/* Parses the words of line (after the command name) into a; ARG_WORDS point into the argv,
 * which outlives the call as a program's does. */
static int parse(const char *line, ToyArgs *a, QbErr *err, char *buf, size_t cap)
{
    static char *argv[16];
    int argc = 1;
    argv[0] = "toy";
    snprintf(buf, cap, "%s", line);
    for (char *w = strtok(buf, " "); w && argc < 16; w = strtok(NULL, " "))
        argv[argc++] = w;
    memset(a, 0, sizeof *a);
    return args_parse(argc, argv, toy_specs, a, err);
}

Test(args, values_land_in_the_struct_by_offset)
{
    ToyArgs a;
    QbErr err = {{0}};
    char buf[256];
    cr_assert_eq(parse("in.yaml --jobs 3 --set a=1 x --out o --set b=2 y --check", &a, &err,
                       buf, sizeof buf), 0, "%s", err.msg);
    cr_assert_str_eq(a.file, "in.yaml");
    cr_assert_str_eq(a.out, "o");
    cr_assert_eq(a.jobs, 3);
    cr_assert_eq(a.check, 1);
    cr_assert_eq(a.sets.n, 2);
    cr_assert_str_eq(a.sets.items[1], "b=2");
    cr_assert_eq(a.rest.n, 2);
    cr_assert_str_eq(a.rest.items[0], "x");
    cr_assert_str_eq(a.rest.items[1], "y");
}

Test(args, bad_and_missing_words_are_usage_errors_naming_them)
{
    static const struct {
        const char *line, *expect;
    } cases[] = {
        {"--out o", "expected FILE: the input"},
        {"in.yaml", "--out BASE is required: where it goes"},
        {"in.yaml --out o --jobs 9", "--jobs 9: expected an integer in [1, 8]"},
        {"in.yaml --out o --bogus", "unknown option '--bogus'"},
        {"in.yaml --out", "--out needs a value"},
        {"a-much-too-long-file-name --out o", "FILE a-much-too-long-file-name: expected a "
                                               "non-empty value (shorter)"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        ToyArgs a;
        QbErr err = {{0}};
        char buf[256];
        cr_assert_eq(parse(cases[i].line, &a, &err, buf, sizeof buf), CLI_USAGE, "%s",
                     cases[i].line);
        cr_assert(strstr(err.msg, cases[i].expect), "%s: %s", cases[i].line, err.msg);
    }
    ToyArgs a;
    QbErr err = {{0}};
    char buf[256];
    cr_assert_eq(parse("in.yaml --help", &a, &err, buf, sizeof buf), ARGS_HELP);
}

/* The text args_usage or args_help writes for toy. */
static const char *written(void (*write)(FILE *, const CliCommand *))
{
    static char text[4096];
    FILE *f = tmpfile();
    cr_assert(f);
    write(f, &toy);
    rewind(f);
    text[fread(text, 1, sizeof text - 1, f)] = '\0';
    fclose(f);
    return text;
}

Test(args, usage_and_help_come_from_the_table)
{
    cr_assert_str_eq(written(args_usage), "usage: qbench toy FILE [REST...] --out BASE "
                                          "[--jobs N] [--set K=V]... [--check]\n");
    const char *help = written(args_help);
    cr_assert(strstr(help, "usage: qbench toy FILE") == help, "%s", help);
    cr_assert(strstr(help, "\na command for the test\n"), "%s", help);
    cr_assert(strstr(help, "\n  --jobs N\n      at once\n"), "%s", help);
    cr_assert(strstr(help, "\n  --set K=V (repeatable)\n      a setting\n"), "%s", help);
    cr_assert(strstr(help, "\n  --check\n      only check\n"), "%s", help);
    cr_assert(strstr(help, "\n  REST...\n      anything after it\n"), "%s", help);
}

/* Every registered command's table is well formed: a value name and a help sentence for
 * every flag, a help sentence for every operand. */
Test(args, every_command_documents_every_flag)
{
#define X(id) &cli_##id,
    static const CliCommand *const all[] = {CLI_COMMANDS};
#undef X
    for (size_t i = 0; i < sizeof all / sizeof *all; i++) {
        cr_assert(all[i]->summary && all[i]->summary[0], "%s", all[i]->name);
        cr_assert(all[i]->specs || all[i]->help, "%s: no flag table and no help", all[i]->name);
        for (const ArgSpec *s = all[i]->specs; s && s->flag; s++) {
            cr_expect(s->help && s->help[0], "%s %s: no help sentence", all[i]->name, s->flag);
            cr_expect(s->type == ARG_FLAG || s->type == ARG_OPERAND || s->type == ARG_WORDS ||
                      (s->value && s->value[0]), "%s %s: no value name", all[i]->name, s->flag);
        }
    }
}
