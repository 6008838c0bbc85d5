/* The documentation commands: `docs` (generated blocks refreshed or checked, the language
 * checked) and `findings` (what a set of rendered tables shows, as Markdown). */
#include <stdio.h>
#include <stdlib.h>

#include "docs/docs.h"
#include "harness/experiment.h"
#include "report/findings.h"
#include "args.h"
#include "cli.h"

static int docs_files(char **files, int n, int check, QbErr *err)
{
    DocsTally t = {0};
    for (int i = 0; i < n; i++)
        if (docs_file(files[i], check, stdout, &t, err) < 0)
            return -1;
    if (!check)
        printf("qbench docs: %d files read, %d documents rewritten\n", t.files, t.rewritten);
    if (t.stale)
        return qb_fail(err, "%d generated blocks are stale (listed above): run make docs",
                       t.stale);
    if (t.refused)
        return qb_fail(err, "%d phrases refused (listed above): the project speaks of itself",
                       t.refused);
    return 0;
}

typedef struct {
    ArgWords files;
    int check;
} DocsArgs;

static const ArgSpec docs_specs[] = {
    {"FILE", ARG_WORDS, ARG_AT(DocsArgs, files),
     .help = "the documents to refresh (default: every tracked *.md file)"},
    {"--check", ARG_FLAG, ARG_AT(DocsArgs, check),
     .help = "only report stale blocks (exit 1), rewrite nothing"},
    {NULL}};

static int run_docs(int argc, char **argv, QbErr *err)
{
    DocsArgs a = {.check = 0};
    int rc = args_parse(argc, argv, docs_specs, &a, err);
    if (rc)
        return rc;
    if (a.files.n)
        return docs_files(a.files.items, a.files.n, a.check, err);
    char **files;
    int n;
    if (docs_tracked(&files, &n, err) < 0)
        return -1;
    rc = docs_files(files, n, a.check, err);
    for (int i = 0; i < n; i++)
        free(files[i]);
    free(files);
    return rc;
}

typedef struct {
    char claims[256], tables[256], profile[32];
} FindingsArgs;

static const ArgSpec findings_specs[] = {
    {"CLAIMS", ARG_OPERAND, ARG_TEXT(FindingsArgs, claims), .required = 1,
     .help = "the claims file (experiments/claims.yaml)"},
    {"--tables", ARG_STR, ARG_TEXT(FindingsArgs, tables), .value = "DIR",
     .help = "the rendered tables read (default results/reference/tables)"},
    {"--profile", ARG_STR, ARG_TEXT(FindingsArgs, profile), .value = "P",
     .help = "the profile of the tables (default quick)"},
    {NULL}};

static int run_findings(int argc, char **argv, QbErr *err)
{
    FindingsArgs a = {.tables = "results/reference/tables", .profile = EXP_DEFAULT_PROFILE};
    int rc = args_parse(argc, argv, findings_specs, &a, err);
    return rc ? rc : findings_write(a.claims, a.tables, a.profile, stdout, err);
}

const CliCommand cli_docs = {
    "docs", "refresh the generated blocks of the documents (tables, figures, --help) and check "
            "their language",
    docs_specs, run_docs, NULL};

const CliCommand cli_findings = {
    "findings", "what the tables in DIR (default results/reference/tables) and its claims table "
                "show, per experiment, as Markdown",
    findings_specs, run_findings, NULL};
