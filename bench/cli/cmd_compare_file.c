/* `qbench compare-file`: the compare experiment of a method (harness/compare.h), written
 * where `make compare QUANTIZER=NAME` runs it from. */
#include <stdio.h>

#include "harness/compare.h"
#include "cli.h"

typedef struct {
    char method[64], out[512], template_path[512];
} CompareFileArgs;

static const ArgSpec compare_file_specs[] = {
    {"METHOD", ARG_OPERAND, ARG_TEXT(CompareFileArgs, method), .required = 1,
     .help = "the new method, registered in quantizers/registry.c"},
    {"--out", ARG_STR, ARG_TEXT(CompareFileArgs, out), .value = "FILE", .required = 1,
     .help = "the experiment file written (make: build/compare/compare-METHOD.yaml)"},
    {"--template", ARG_STR, ARG_TEXT(CompareFileArgs, template_path), .value = "FILE",
     .help = "the template whose @QUANTIZER@ becomes METHOD and @BASELINES@ the schemes it "
             "is compared with (default experiments/compare.yaml.in)"},
    {NULL}};

static int run_compare_file(int argc, char **argv, QbErr *err)
{
    CompareFileArgs a = {.template_path = "experiments/compare.yaml.in"};
    int rc = args_parse(argc, argv, compare_file_specs, &a, err);
    return rc ? rc : compare_file_write(a.template_path, a.method, a.out, err);
}

const CliCommand cli_compare_file = {
    "compare-file", "write the compare experiment of a method: table 4's ResNet-20 matrix with "
                    "the method beside every other registered method (make compare)",
    compare_file_specs, run_compare_file, NULL};
