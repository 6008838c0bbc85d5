/* qbench's entry point: the subcommand table. Only this file prints errors and picks exit
 * codes (0 ok, 1 failure, 2 usage). */
#include <stdio.h>
#include <string.h>

#include "cli/args.h"
#include "cli/cli.h"
#include "core/nametable.h"

static const CliCommand commands[] = {
#define X(name, fn, usage, help) {name, fn, usage, help},
    CLI_COMMANDS
#undef X
};
static const int ncommands = (int)(sizeof commands / sizeof commands[0]);

static void usage_all(FILE *f)
{
    fprintf(f, "usage: qbench COMMAND [OPTIONS]\n\ncommands:\n");
    for (int i = 0; i < ncommands; i++)
        fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].help);
    fprintf(f, "\n'qbench COMMAND --help' shows a command's options.\n");
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage_all(stderr);
        return 2;
    }
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
        usage_all(stdout);
        return 0;
    }
    const NameTable names = NAMETABLE(commands, CliCommand, name);
    const CliCommand *c = nametable_find(names, argv[1]);
    if (!c) {
        char hint[160];
        nametable_suggest(names, argv[1], hint, sizeof hint);
        fprintf(stderr, "qbench: unknown command '%s'%s\n", argv[1], hint);
        usage_all(stderr);
        return 2;
    }
    QbErr err = {{0}};
    int rc = c->fn(argc - 1, argv + 1, &err);
    if (rc == ARGS_HELP) {
        printf("usage: qbench %s %s\n%s\n", c->name, c->usage, c->help);
        return 0;
    }
    if (rc == CLI_USAGE) {
        if (err.msg[0])
            fprintf(stderr, "qbench %s: %s\n", c->name, err.msg);
        fprintf(stderr, "usage: qbench %s %s\n", c->name, c->usage);
        return 2;
    }
    if (rc != 0) {
        fprintf(stderr, "qbench %s: %s\n", c->name, err.msg[0] ? err.msg : "failed");
        return 1;
    }
    return 0;
}
