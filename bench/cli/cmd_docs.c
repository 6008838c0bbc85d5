/* The documentation commands: `docs` (generated blocks refreshed or checked, the language
 * checked) and `findings` (what a set of rendered tables shows, as Markdown). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "docs/docs.h"
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

int cmd_docs(int argc, char **argv, QbErr *err)
{
    int check = 0, nfiles = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h"))
            return ARGS_HELP;
        if (!strcmp(argv[i], "--check"))
            check = 1;
        else if (argv[i][0] == '-')
            return qb_fail(err, "unknown option '%s'", argv[i]), CLI_USAGE;
        else
            argv[nfiles++] = argv[i]; /* files compacted to the front, in order */
    }
    if (nfiles)
        return docs_files(argv, nfiles, check, err);
    char **files;
    int n;
    if (docs_tracked(&files, &n, err) < 0)
        return -1;
    int rc = docs_files(files, n, check, err);
    for (int i = 0; i < n; i++)
        free(files[i]);
    free(files);
    return rc;
}

int cmd_findings(int argc, char **argv, QbErr *err)
{
    char tables[256] = "results/reference/tables", profile[32] = "quick";
    const ArgSpec specs[] = {{"--tables", ARG_STR, tables, 0, 0, sizeof tables},
                             {"--profile", ARG_STR, profile, 0, 0, sizeof profile},
                             {NULL, 0, NULL, 0, 0, 0}};
    if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")))
        return ARGS_HELP;
    if (argc < 2 || argv[1][0] == '-')
        return qb_fail(err, "expected the claims file (experiments/claims.yaml) first"), CLI_USAGE;
    int rc = args_parse(argc - 1, argv + 1, specs, err);
    return rc ? rc : findings_write(argv[1], tables, profile, stdout, err);
}
