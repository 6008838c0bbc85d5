/* The compare experiment of a method (harness/compare.c): its baselines come from the
 * registry and the scheme table, so a method registered later is measured against the others,
 * and measures them, without an edit to the template. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness/compare.h"
#include "quantizers/registry.h"
#include "quantizers/schemes.h"
#include "tests/support/hfix.h"

/* Whether name is one of the entries of "a, b, c". */
static int listed(const char *list, const char *name)
{
    size_t len = strlen(name);
    for (const char *p = list; *p;) {
        size_t n = strcspn(p, ",");
        if (n == len && !strncmp(p, name, len))
            return 1;
        p += n;
        p += strspn(p, ", ");
    }
    return 0;
}

Test(compare, baselines_leave_out_the_method_the_floor_and_the_apot_papers_pot)
{
    for (int i = 0; i < quantizer_count(); i++) {
        const char *m = quantizer_at(i)->name;
        char *b = compare_baselines(m);
        cr_assert(b);
        cr_assert_not(listed(b, m), "%s among its own baselines: %s", m, b);
        cr_assert_not(listed(b, "uniform") || listed(b, "pot"), "%s", b);
        cr_assert(listed(b, "lsq+pot") && listed(b, "asq+post"), "%s", b);
        free(b);
    }
}

Test(compare, every_registered_method_the_scheme_table_does_not_run_is_a_baseline)
{
    int added = 0;
    char *b = compare_baselines("uniform");
    for (int i = 0; i < quantizer_count(); i++) {
        const char *m = quantizer_at(i)->name;
        cr_assert(scheme_table_uses(m) || listed(b, m), "%s not in %s", m, b);
        added += !scheme_table_uses(m);
    }
    cr_assert_geq(added, 2, "dsq and qil are no entries of the scheme table: %s", b);
    free(b);
}

Test(compare, the_file_holds_the_method_and_its_baselines)
{
    char out[512], file[4096], want[4096];
    const char *tpl = hfix_write("tpl.yaml.in", "schemes: [@BASELINES@, @QUANTIZER@, fp]\n"
                                                "title: @QUANTIZER@ against @QUANTIZER@'s\n");
    snprintf(out, sizeof out, "%s/compare-qil.yaml", hfix_dir());
    QbErr err = {{0}};
    cr_assert_eq(compare_file_write(tpl, "qil", out, &err), 0, "%s", err.msg);
    char *b = compare_baselines("qil");
    snprintf(want, sizeof want, "schemes: [%s, qil, fp]\ntitle: qil against qil's\n", b);
    free(b);
    hfix_read(out, file, sizeof file);
    cr_assert_str_eq(file, want);
}

Test(compare, an_unregistered_method_is_refused_and_nothing_is_written)
{
    char out[512];
    const char *tpl = hfix_write("tpl2.yaml.in", "schemes: [@BASELINES@, @QUANTIZER@]\n");
    snprintf(out, sizeof out, "%s/compare-qill.yaml", hfix_dir());
    QbErr err = {{0}};
    cr_assert_eq(compare_file_write(tpl, "qill", out, &err), -1);
    cr_assert(strstr(err.msg, "no quantizer method 'qill' is registered") &&
                  strstr(err.msg, "did you mean 'qil'?"),
              "%s", err.msg);
    cr_assert_eq(access(out, F_OK), -1);
}
