/* Malformed experiment files (the .yaml files in tests/badinput/cases/) through `qbench
 * validate`. Each case opens with one or more "# expect: TEXT" lines: every TEXT (file:line:col,
 * field and message where the loader can locate the problem; the did-you-mean of a misspelt
 * name) must be in the one error line. Beside them, tests/badinput/caps/ holds valid files
 * past sizes the loader once refused. */
#include <criterion/criterion.h>
#include <glob.h>
#include <stdio.h>
#include <string.h>

#include "bad.h"
#include "tests/support/shell.h"

TestSuite(badyaml, .init = bad_setup, .fini = bad_teardown);

#define EXPECT_MAX 4

/* The case's expectations into out; returns how many (at least one). */
static int case_expectations(const char *path, char (*out)[512])
{
    char line[512] = "";
    int n = 0;
    FILE *f = fopen(path, "r");
    cr_assert(f, "%s", path);
    while (n < EXPECT_MAX && fgets(line, sizeof line, f) && !strncmp(line, "# expect: ", 10)) {
        line[strcspn(line, "\n")] = '\0';
        snprintf(out[n++], 512, "%s", line + 10);
    }
    fclose(f);
    cr_assert(n > 0, "%s: first line must be '# expect: TEXT'", path);
    return n;
}

/* check(path, args, expect) on every file matching pattern (at least min of them), args
 * being "validate PATH" and expect its first line's TEXT. */
static void each_case(const char *pattern, size_t min,
                      void (*check)(const char *path, const char *args, const char *expect))
{
    glob_t g;
    cr_assert_eq(glob(pattern, 0, NULL, &g), 0, "no cases (run from the repository root)");
    cr_assert_geq(g.gl_pathc, min, "only %zu cases", g.gl_pathc);
    for (size_t i = 0; i < g.gl_pathc; i++) {
        char expect[EXPECT_MAX][512], args[600];
        int n = case_expectations(g.gl_pathv[i], expect);
        snprintf(args, sizeof args, "validate %s", g.gl_pathv[i]);
        for (int k = 0; k < n; k++)
            check(g.gl_pathv[i], args, expect[k]);
    }
    globfree(&g);
}

static void fails_located(const char *path, const char *args, const char *expect)
{
    bad_expect(path, args, path, expect);
}

Test(badyaml, every_case_fails_with_one_located_line)
{
    each_case("tests/badinput/cases/*.yaml", 20, fails_located);
}

Test(badyaml, missing_file_and_directory_fail_cleanly)
{
    bad_expect("missing", "validate tests/badinput/cases/no-such-file.yaml",
               "tests/badinput/cases/no-such-file.yaml", "cannot open");
    bad_expect("directory", "validate tests/badinput/cases", "tests/badinput/cases", NULL);
}

/* A setting's value given over a valid file by --set: a misspelt one is named with the
 * values expected and the nearest of them, as in the file. */
Test(badyaml, a_misspelt_setting_value_in_set_gets_the_nearest)
{
    bad_expect_ok("valid --set", "expand experiments/table4.yaml --set train.schedule=step");
    bad_expect("misspelt --set", "expand experiments/table4.yaml --set train.schedule=stpe",
               "--set train.schedule=stpe",
               "expected one of cosine, step, constant, cosine_per_step; did you mean 'step'?");
}

static void loads(const char *path, const char *args, const char *expect)
{
    char out[4096];
    cr_assert_eq(qbench_run(NULL, args, out, sizeof out), 0, "%s: %s", path, out);
    cr_assert(strstr(out, ": ok;") && strstr(out, expect), "%s: '%s' not in: %s", path, expect,
              out);
}

/* Files past a size the loader once capped (profiles, paper rows, chains and their links'
 * settings, exclusions, paper numbers above 8 bits, seeds, overrides), in
 * tests/badinput/caps/: each loads and expands. The first line is "# expect: TEXT": TEXT is in `qbench validate`'s "ok" line. */
Test(badyaml, files_past_the_former_caps_load_and_expand)
{
    each_case("tests/badinput/caps/*.yaml", 7, loads);
}
