/* The documents cannot go stale: every generated block of the tracked documents holds what
 * its directive produces now (a committed table, a measurement record, a command's output),
 * every quoted figure agrees with its file, and no tracked text speaks of how the work was
 * organised. Each check is also shown to fail on a planted fault. Runs the built binary
 * ($QBENCH_BIN) from the repository's top directory, as `make docs` does. */
#include <criterion/criterion.h>
#include <glob.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/support/scratch.h"
#include "tests/support/shell.h"

static char dir[128];

static void setup(void) { scratch_make(dir, sizeof dir, "docs"); }
static void teardown(void) { scratch_remove(dir); }

TestSuite(docs, .init = setup, .fini = teardown);

/* The markers, spelled once: a document may not hold them literally outside a block. */
#define BEGIN "<!-- begin generated: "
#define END "<!-- end generated -->"

static void write_file(const char *name, const char *text)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    cr_assert(f, "%s", path);
    fputs(text, f);
    fclose(f);
}

static void read_file(const char *name, char *out, size_t cap)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "r");
    cr_assert(f, "%s", path);
    out[fread(out, 1, cap - 1, f)] = '\0';
    fclose(f);
}

/* `qbench docs ARGS` with the scratch directory's files named by their full path. */
static int docs(const char *args, char *out, size_t cap)
{
    char cmd[1100];
    snprintf(cmd, sizeof cmd, "docs %s", args);
    return qbench_run(NULL, cmd, out, cap);
}

Test(docs, every_tracked_document_is_current_and_speaks_of_the_project)
{
    static char out[1 << 16];
    int rc = docs("--check", out, sizeof out);
    cr_assert_eq(rc, 0, "run make docs, or fix the phrases:\n%s", out);
}

/* A committed table changes and a document showing it does not: the block is stale until
 * `qbench docs` refreshes it, and refreshing twice rewrites nothing the second time. */
Test(docs, a_block_goes_stale_when_its_table_changes)
{
    char cmd[1024], out[1 << 14], doc[1 << 14], again[1 << 14];
    snprintf(cmd, sizeof cmd, "mkdir -p %s/tables && cp results/reference/tables/*.csv "
                              "results/reference/tables/*.md %s/tables/", dir, dir);
    cr_assert_eq(shell_run(cmd, out, sizeof out), 0, "%s", out);
    snprintf(doc, sizeof doc, "# Findings\n\n" BEGIN
             "qbench findings experiments/claims.yaml --tables %s/tables -->\n" END "\n", dir);
    write_file("doc.md", doc);
    snprintf(cmd, sizeof cmd, "%s/doc.md", dir);
    cr_assert_eq(docs(cmd, out, sizeof out), 0, "%s", out);
    snprintf(cmd, sizeof cmd, "--check %s/doc.md", dir);
    cr_assert_eq(docs(cmd, out, sizeof out), 0, "%s", out);
    read_file("doc.md", doc, sizeof doc);
    cr_assert(strstr(doc, "`t4-asq-apot-2b`"), "%s", doc);

    /* The claims table now says the 2-bit ASQ over APoT claim is unresolved. */
    snprintf(cmd, sizeof cmd,
             "sed -i '/t4-asq-apot-2b/s/,holds,/,unresolved,/' %s/tables/claims.csv", dir);
    cr_assert_eq(shell_run(cmd, out, sizeof out), 0, "%s", out);
    snprintf(cmd, sizeof cmd, "--check %s/doc.md", dir);
    cr_assert_eq(docs(cmd, out, sizeof out), 1, "%s", out);
    cr_assert(strstr(out, "doc.md:3: stale: qbench findings") && strstr(out, "run make docs"),
              "%s", out);

    snprintf(cmd, sizeof cmd, "%s/doc.md", dir);
    cr_assert_eq(docs(cmd, out, sizeof out), 0, "%s", out);
    cr_assert(strstr(out, "1 documents rewritten"), "%s", out);
    read_file("doc.md", doc, sizeof doc);
    cr_assert_eq(docs(cmd, out, sizeof out), 0, "%s", out);
    cr_assert(strstr(out, "0 documents rewritten"), "%s", out);
    read_file("doc.md", again, sizeof again);
    cr_assert_str_eq(doc, again);
}

/* A figure quoted inside a sentence is an inline block: one that disagrees with its file is
 * reported at its line, and the refresh puts the file's figure there. */
Test(docs, a_quoted_figure_that_disagrees_with_its_file_fails)
{
    char cmd[512], out[4096], doc[2048];
    write_file("record.md", "Date: 2026-12-01\nratio train-fp32: 1.10 (median of 3 rounds)\n");
    snprintf(doc, sizeof doc, "Intro.\n\nThe median was " BEGIN
             "include %s/record.md | match ratio train-fp32: ([0-9.]+) -->1.04" END
             " against PyTorch.\n", dir);
    write_file("quote.md", doc);
    snprintf(cmd, sizeof cmd, "--check %s/quote.md", dir);
    cr_assert_eq(docs(cmd, out, sizeof out), 1, "%s", out);
    cr_assert(strstr(out, "quote.md:3: stale: include"), "%s", out);
    snprintf(cmd, sizeof cmd, "%s/quote.md", dir);
    cr_assert_eq(docs(cmd, out, sizeof out), 0, "%s", out);
    read_file("quote.md", doc, sizeof doc);
    cr_assert(strstr(doc, "-->1.10" END " against PyTorch.\n"), "%s", doc);
}

/* Planted words of a development log, in a document and in a source comment: each is
 * reported with its file, line and phrase, and the check fails. */
Test(docs, a_planted_development_log_word_fails)
{
    char cmd[512], out[4096];
    write_file("clean.md", "# Benchmarks\n\nMeasured on 2026-12-01 (AMD EPYC, 2 cores, AVX2).\n");
    snprintf(cmd, sizeof cmd, "--check %s/clean.md", dir);
    cr_assert_eq(docs(cmd, out, sizeof out), 0, "%s", out);

    write_file("log.md", "# Benchmarks\n\nMeasured in the fif" "th "
                         "sess" "ion, pass " "A, after iss" "ue 15 (sp" "ec §1.4).\n");
    snprintf(cmd, sizeof cmd, "--check %s/log.md", dir);
    cr_assert_eq(docs(cmd, out, sizeof out), 1, "%s", out);
    cr_assert(strstr(out, "log.md:3: 'sess" "ion'"), "%s", out);
    cr_assert(strstr(out, "log.md:3: 'fif" "th'") && strstr(out, "log.md:3: 'pass " "A'"), "%s",
              out);
    cr_assert(strstr(out, "log.md:3: 'iss" "ue 15'") && strstr(out, "'sp" "ec §'"), "%s", out);
    cr_assert(strstr(out, "5 phrases refused"), "%s", out);

    write_file("kernel.c", "/* Faster since the last Sess" "ion. */\nint x;\n");
    snprintf(cmd, sizeof cmd, "--check %s/kernel.c", dir);
    cr_assert_eq(docs(cmd, out, sizeof out), 1, "%s", out);
    cr_assert(strstr(out, "kernel.c:1: 'Sess" "ion'"), "%s", out);
}

/* docs/testing.md says what each suite checks: every test folder `make test` builds (one
 * holding test_*.c) is named there, so a new suite cannot be left out of it. */
Test(docs, the_testing_document_names_every_suite)
{
    static char doc[1 << 17];
    FILE *f = fopen("docs/testing.md", "r");
    cr_assert(f, "docs/testing.md");
    doc[fread(doc, 1, sizeof doc - 1, f)] = '\0';
    fclose(f);
    glob_t g;
    cr_assert_eq(glob("tests/*/test_*.c", 0, NULL, &g), 0);
    cr_assert_eq(glob("tests/*/*/test_*.c", GLOB_APPEND, NULL, &g), 0);
    for (size_t i = 0; i < g.gl_pathc; i++) {
        char folder[256], named[300];
        snprintf(folder, sizeof folder, "%s", g.gl_pathv[i]);
        snprintf(named, sizeof named, "`%s`", dirname(folder));
        cr_assert(strstr(doc, named), "docs/testing.md does not name the suite %s", named);
    }
    globfree(&g);
}

Test(docs, directives_include_run_match_and_fence)
{
    char cmd[512], out[4096], doc[4096];
    write_file("data.txt", "alpha 1\nbeta 22\ngamma 333\n");
    snprintf(doc, sizeof doc,
             BEGIN "include %s/data.txt | match ^(b[a-z]+) ([0-9]+) | fenced -->\n" END "\n"
             BEGIN "include %s/data.txt | lines ^a|^g -->\n" END "\n"
             "| in a table cell | " BEGIN "include %s/data.txt \\| match ^gamma ([0-9]+) -->" END
             " |\n"
             "levels: " BEGIN "qbench levels --method lsq --bits 2 --role act --json -->" END "\n",
             dir, dir, dir);
    write_file("d.md", doc);
    snprintf(cmd, sizeof cmd, "%s/d.md", dir);
    cr_assert_eq(docs(cmd, out, sizeof out), 0, "%s", out);
    read_file("d.md", doc, sizeof doc);
    cr_assert(strstr(doc, "-->\n```\nbeta, 22\n```\n" END), "%s", doc);
    cr_assert(strstr(doc, "-->\nalpha 1\ngamma 333\n" END), "%s", doc);
    cr_assert(strstr(doc, "([0-9]+) -->333" END " |\n"), "%s", doc);
    cr_assert(strstr(doc, "--json -->[0, 0.33333333333333331, 0.66666666666666663, 1]" END), "%s",
              doc);
}

/* Malformed blocks and failing directives are errors at the block's line, naming what is
 * wrong; nothing is rewritten. */
Test(docs, malformed_blocks_are_located_errors)
{
    static const struct {
        const char *text, *want;
    } cases[] = {
        {.text = "a\n" BEGIN "include /nonexistent/file.md -->\n" END "\n",
         .want = "m.md:2: include: "},
        {.text = "a\nb\n" BEGIN "cat README.md -->\n" END "\n",
         .want = "m.md:3: unknown source 'cat README.md'"},
        {.text = BEGIN "qbench levels --method nosuch --bits 2 --role act -->\n" END "\n",
         .want = "m.md:1: `qbench levels --method nosuch --bits 2 --role act` failed (exit 1)"},
        {.text = "x\n" BEGIN "qbench schema -->\nno end marker\n",
         .want = "m.md:2: begin marker without its end marker"},
        {.text = "x " BEGIN "qbench schema -->" END "\n",
         .want = "m.md:1: `qbench schema` prints several lines"},
        {.text = "x\n\n" END "\n", .want = "m.md:3: end marker without a begin marker"},
        {.text = BEGIN "qbench schema | sort -->\n" END "\n",
         .want = "m.md:1: unknown filter 'sort'"},
        {.text = BEGIN "include Makefile | match ^no such line$ -->\n" END "\n",
         .want = "m.md:1: match ^no such line$: no line matches"},
    };
    char cmd[512], out[4096], after[4096];
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        write_file("m.md", cases[i].text);
        snprintf(cmd, sizeof cmd, "%s/m.md", dir);
        cr_assert_eq(docs(cmd, out, sizeof out), 1, "case %zu: %s", i, out);
        cr_assert(strstr(out, cases[i].want), "case %zu: want '%s' in: %s", i, cases[i].want, out);
        read_file("m.md", after, sizeof after);
        cr_assert_str_eq(after, cases[i].text, "case %zu rewrote the file", i);
    }
}
