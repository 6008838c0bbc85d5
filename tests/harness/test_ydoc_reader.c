/* Encoding errors in experiment files are located at their byte: libyaml's reader reports
 * them by offset only, and the message said 1:1 (found by the bad-input corpus). */
#include <criterion/criterion.h>
#include <string.h>

#include "harness/experiment.h"
#include "tests/support/hfix.h"

static void expect_located(const char *name, const char *text, const char *where,
                           const char *problem)
{
    Experiment e;
    QbErr err = {{0}};
    const char *path = hfix_write(name, text);
    cr_assert_eq(experiment_load(&e, path, "", &err), -1);
    experiment_free(&e);
    char want[600];
    snprintf(want, sizeof want, "%s%s: YAML syntax: %s", path, where, problem);
    cr_assert(strstr(err.msg, want), "expected \"%s\" in: %s", want, err.msg);
}

Test(ydoc_reader, invalid_utf8_is_located_at_its_byte)
{
    expect_located("utf8.yaml", "name: ok\ntitle: \"t\"\nnote: ab\xff\xfe\n", ":3:9",
                   "invalid leading UTF-8 octet");
}

Test(ydoc_reader, control_character_is_located_at_its_byte)
{
    expect_located("ctrl.yaml", "name: ok\ntitle: x\x01y\n", ":2:9", "control characters are not allowed");
}
