/* qbench's entry point: the subcommand table. Only this file prints errors and picks exit
 * codes (0 ok, 1 failure, 2 usage). */
#include <stdio.h>
#include <string.h>

#include "cli/args.h"
#include "cli/cli.h"
#include "core/nametable.h"

static const CliCommand *const commands[] = {
#define X(id) &cli_##id,
    CLI_COMMANDS
#undef X
};
static const int ncommands = (int)(sizeof commands / sizeof commands[0]);

static void usage_all(FILE *f)
{
    int width = 0; /* the longest name, so every summary starts in one column */
    for (int i = 0; i < ncommands; i++)
        width = (int)strlen(commands[i]->name) > width ? (int)strlen(commands[i]->name) : width;
    fprintf(f, "usage: qbench COMMAND [OPTIONS]\n\ncommands:\n");
    for (int i = 0; i < ncommands; i++)
        fprintf(f, "  %-*s %s\n", width, commands[i]->name, commands[i]->summary);
    fprintf(f, "\n'qbench COMMAND --help' shows a command's options.\n");
}

static int run(const CliCommand *c, int argc, char **argv)
{
    QbErr err = {{0}};
    int rc = c->run(argc, argv, &err);
    if (rc == ARGS_HELP) {
        args_help(stdout, c);
        return 0;
    }
    if (rc == CLI_USAGE) {
        if (err.msg[0])
            fprintf(stderr, "qbench %s: %s\n", c->name, err.msg);
        args_usage(stderr, c);
        return 2;
    }
    if (rc != 0) {
        fprintf(stderr, "qbench %s: %s\n", c->name, err.msg[0] ? err.msg : "failed");
        return 1;
    }
    return 0;
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
    const NameTable names = NAMETABLE_POINTERS(commands, CliCommand, name);
    const CliCommand *c = nametable_find(names, argv[1]);
    if (c)
        return run(c, argc - 1, argv + 1);
    char hint[160];
    nametable_suggest(names, argv[1], hint, sizeof hint);
    fprintf(stderr, "qbench: unknown command '%s'%s\n", argv[1], hint);
    usage_all(stderr);
    return 2;
}
