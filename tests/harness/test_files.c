/* The committed experiment files: every table file loads in every profile and builds every
 * cell (experiments/README.md's field reference is a generated block: tests/docs). */
#include <criterion/criterion.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/cell.h"
#include "harness/compare.h"
#include "quantizers/registry.h"
#include "quantizers/schemes.h"
#include "tests/support/hfix.h"

static void check_all_profiles(const char *path)
{
    Experiment e;
    QbErr err = {{0}};
    cr_assert_eq(experiment_load(&e, path, "", &err), 0, "%s", err.msg);
    cr_assert_geq(e.nprofiles, 3, "%s defines %d profiles", path, e.nprofiles);
    ExpName *names;
    int n;
    experiment_free(&e);
    cr_assert_eq(experiment_profiles(path, &names, &n, &err), 0, "%s", err.msg);
    for (int i = 0; i < n; i++) {
        int count;
        cr_assert_eq(experiment_load(&e, path, names[i], &err), 0, "%s", err.msg);
        cr_assert_eq(cells_check(&e, &count, &err), 0, "%s", err.msg);
        cr_assert(e.layout == LAYOUT_COST || count > 0, "%s/%s has no cells", path, names[i]);
        experiment_free(&e);
    }
    free(names);
}

/* The committed experiment files: git's list when this is a clone, so a user's scratch file
 * in experiments/ (as `make experiment EXP=experiments/mine.yaml` invites) is not tested;
 * every YAML file in experiments/ otherwise (an unpacked archive). */
static int committed_experiments(char paths[][256], int cap)
{
    int n = 0;
    FILE *p = popen("git ls-files -- 'experiments/*.yaml' 2>/dev/null", "r");
    for (char line[256]; p && n < cap && fgets(line, sizeof line, p);) {
        line[strcspn(line, "\n")] = '\0';
        if (strcmp(line, "experiments/claims.yaml"))  /* tests/report validates it */
            snprintf(paths[n++], 256, "%s", line);
    }
    if (p)
        pclose(p);
    if (n)
        return n;
    glob_t g;
    cr_assert_eq(glob("experiments/*.yaml", 0, NULL, &g), 0, "run from the repository root");
    for (size_t i = 0; i < g.gl_pathc && n < cap; i++)
        if (strcmp(g.gl_pathv[i], "experiments/claims.yaml"))
            snprintf(paths[n++], 256, "%s", g.gl_pathv[i]);
    globfree(&g);
    return n;
}

Test(files, every_experiment_file_validates_in_every_profile)
{
    char paths[64][256];
    int n = committed_experiments(paths, 64);
    cr_assert_geq(n, 6);
    for (int i = 0; i < n; i++)
        check_all_profiles(paths[i]);
}

/* Whether a scheme of e puts the method on some layer. */
static int experiment_runs(const Experiment *e, const char *method)
{
    for (int s = 0; s < e->nschemes; s++) {
        const Scheme *sc = scheme_is_fp(e->schemes[s]) ? NULL : scheme_find(e->schemes[s]);
        if (sc && (!strcmp(sc->wmethod, method) || !strcmp(sc->amethod, method)))
            return 1;
    }
    return 0;
}

/* Whether the scheme called name takes each of the template's bit-widths (2, 3 and 4). */
static int takes_compare_bits(const char *name)
{
    QbErr err;
    for (int bits = 2; bits <= 4; bits++)
        if (scheme_bits_check(scheme_find(name), bits, &err) < 0)
            return 0;
    return 1;
}

/* The template as `make compare` writes it for each registered method that takes its
 * bit-widths (pot and post refuse 2 bits: validation says so, located): valid in every
 * profile, and every registered method but the uniform floor runs in it, the new one in
 * exactly one scheme of its name. */
Test(files, compare_template_holds_every_method_with_each_method)
{
    for (int i = 0; i < quantizer_count(); i++) {
        const char *m = quantizer_at(i)->name;
        char path[512];
        QbErr err = {{0}};
        if (!takes_compare_bits(m))
            continue;
        snprintf(path, sizeof path, "%s/compare-%s.yaml", hfix_dir(), m);
        cr_assert_eq(compare_file_write("experiments/compare.yaml.in", m, path, &err), 0, "%s",
                     err.msg);
        check_all_profiles(path);
        Experiment e;
        cr_assert_eq(experiment_load(&e, path, "quick", &err), 0, "%s", err.msg);
        int own = 0;
        for (int s = 0; s < e.nschemes; s++)
            own += !strcmp(e.schemes[s], m);
        cr_assert_eq(own, 1, "%s: %d schemes called %s", path, own, m);
        for (int k = 0; k < quantizer_count(); k++) {
            const char *o = quantizer_at(k)->name;
            cr_assert(!strcmp(o, "uniform") || experiment_runs(&e, o), "%s runs no %s", path, o);
        }
        experiment_free(&e);
    }
}
