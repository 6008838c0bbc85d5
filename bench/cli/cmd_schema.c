/* `qbench schema`: the experiment file reference (harness/schema.h), as Markdown. */
#include <stdio.h>

#include "harness/schema.h"
#include "cli.h"

typedef struct {
    int options;
} SchemaArgs;

static const ArgSpec schema_specs[] = {
    {"--options", ARG_FLAG, ARG_AT(SchemaArgs, options),
     .help = "only the quantizer options (quant.options, and --set NAME=VALUE of train, levels "
             "and quantize): each method's names, values, defaults and meaning"},
    {NULL}};

static int run_schema(int argc, char **argv, QbErr *err)
{
    SchemaArgs a = {0};
    int rc = args_parse(argc, argv, schema_specs, &a, err);
    if (rc)
        return rc;
    (a.options ? schema_options_markdown : schema_markdown)(stdout);
    return 0;
}

const CliCommand cli_schema = {
    "schema", "print the experiment file reference (Markdown): the train: and quant: fields "
              "that --set SECTION.KEY=VALUE takes, and the quantizer options",
    schema_specs, run_schema, NULL};
