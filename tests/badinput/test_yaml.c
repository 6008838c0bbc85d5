/* Malformed experiment files (the .yaml files in tests/badinput/cases/) through `qbench
 * validate`. Each case's first line is "# expect: TEXT": TEXT (file:line:col, field and
 * message where the loader can locate the problem) must be in the error line. */
#include <criterion/criterion.h>
#include <glob.h>
#include <stdio.h>
#include <string.h>

#include "bad.h"

TestSuite(badyaml, .init = bad_setup, .fini = bad_teardown);

static void case_expectation(const char *path, char *out, size_t cap)
{
    char line[512] = "";
    FILE *f = fopen(path, "r");
    cr_assert(f, "%s", path);
    cr_assert(fgets(line, sizeof line, f), "%s is empty", path);
    fclose(f);
    cr_assert(!strncmp(line, "# expect: ", 10), "%s: first line must be '# expect: TEXT'", path);
    line[strcspn(line, "\n")] = '\0';
    snprintf(out, cap, "%s", line + 10);
}

Test(badyaml, every_case_fails_with_one_located_line)
{
    glob_t g;
    cr_assert_eq(glob("tests/badinput/cases/*.yaml", 0, NULL, &g), 0,
                 "no cases (run from the repository root)");
    cr_assert_geq(g.gl_pathc, 20, "only %zu cases", g.gl_pathc);
    for (size_t i = 0; i < g.gl_pathc; i++) {
        char expect[512], args[600];
        case_expectation(g.gl_pathv[i], expect, sizeof expect);
        snprintf(args, sizeof args, "validate %s", g.gl_pathv[i]);
        bad_expect(g.gl_pathv[i], args, g.gl_pathv[i], expect);
    }
    globfree(&g);
}

Test(badyaml, missing_file_and_directory_fail_cleanly)
{
    bad_expect("missing", "validate tests/badinput/cases/no-such-file.yaml",
               "tests/badinput/cases/no-such-file.yaml", "cannot open");
    bad_expect("directory", "validate tests/badinput/cases", "tests/badinput/cases", NULL);
}
