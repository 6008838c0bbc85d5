/* The registry of commands: each is a CliCommand (args.h) defined in its cmd_*.c beside its
 * flag table; its run function returns 0, -1 (error in err) or CLI_USAGE. The list is in the
 * order `qbench --help` shows it. */
#ifndef QB_CLI_H
#define QB_CLI_H

#include "args.h"

#define CLI_USAGE 2

#define CLI_COMMANDS                                                                       \
    X(bench) X(macs) X(train) X(eval) X(export) X(levels) X(quantize) X(validate) X(expand) X(rules)  \
    X(needs) X(plan) X(progress) X(run_cell) X(report) X(tables) X(plotdata) X(verdicts)   \
    X(compare_file) X(experiments)                                                          \
    X(claims) X(next_cells) X(ladder) X(prune) X(schema) X(intcheck) X(intrun) X(probe) X(docs)      \
    X(findings)

#define X(id) extern const CliCommand cli_##id;
CLI_COMMANDS
#undef X

#endif
