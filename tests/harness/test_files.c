/* The committed experiment files: every table file loads in every profile and builds every
 * cell (experiments/README.md's field reference is a generated block: tests/docs). */
#include <criterion/criterion.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/cell.h"
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

Test(files, compare_template_validates_with_a_method)
{
    char cmd[512];
    snprintf(cmd, sizeof cmd, "sed 's/@QUANTIZER@/dorefa/g' experiments/compare.yaml.in > %s/c.yaml",
             hfix_dir());
    cr_assert_eq(system(cmd), 0);
    snprintf(cmd, sizeof cmd, "%s/c.yaml", hfix_dir());
    check_all_profiles(cmd);
}
