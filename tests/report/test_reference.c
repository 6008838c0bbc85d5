/* The reproduction check: a reference results directory matched to the user's cells by
 * matrix position and seed, each cell's difference judged against the seeds' interval or the
 * profile's tolerance, and the summary line. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "../../bench/report/table.h"
#include "../support/hfix.h"
#include "rfix.h"

static void reference_file(const char *dir, const Experiment *e, const Cell *c, double top1)
{
    char path[600];
    snprintf(path, sizeof path, "%s/%s.json", dir, c->id);
    rfix_result_at(path, e, c, top1, RUN_OK);
}

static const char *render(const Experiment *e, const CellList *l, const char *results,
                          const char *ref, double tolerance, const char *name)
{
    char base[300], path[400];
    QbErr err = {{0}};
    int missing;
    TableOptions opt = {ref, tolerance};
    snprintf(base, sizeof base, "%s/%s", hfix_dir(), name);
    cr_assert_eq(table_write(e, l, results, &opt, base, &missing, &err), 0, "%s", err.msg);
    snprintf(path, sizeof path, "%s.md", base);
    return rfix_slurp(path);
}

Test(reference, one_seed_against_the_profile_tolerance)
{
    Experiment e, other;
    CellList l, lo;
    char results[256], ref[256];
    snprintf(results, sizeof results, "%s/res-ref1", hfix_dir());
    snprintf(ref, sizeof ref, "%s/reference/rf", hfix_dir());
    rfix_mkdir(ref);
    const char *file = rfix_experiment("rf", "baseline: lsq, tolerance: {smoke: 0.5}", "[1]");
    rfix_load(file, "smoke", &e, &l);
    cr_assert_float_eq(e.tolerance, 0.5, 1e-12);
    rfix_result(results, &e, rfix_cell(&l, "lsq", 4, 1), 90.0, RUN_OK);
    rfix_result(results, &e, rfix_cell(&l, "lsq", 2, 1), 80.0, RUN_OK);
    rfix_result(results, &e, rfix_cell(&l, "asq", 4, 1), 91.0, RUN_OK);
    rfix_result(results, &e, rfix_cell(&l, "fp", 0, 1), 94.0, RUN_OK);
    reference_file(ref, &e, rfix_cell(&l, "lsq", 4, 1), 90.2);   /* within 0.5 */
    reference_file(ref, &e, rfix_cell(&l, "lsq", 2, 1), 81.0);   /* outside */
    Cell moved = *rfix_cell(&l, "asq", 4, 1);                   /* same position, other code */
    snprintf(moved.id, sizeof moved.id, "small_cnn_asq_4b_s1_0123456789ab");
    reference_file(ref, &e, &moved, 91.3);
    rfix_load(file, "other", &other, &lo);                       /* another profile: no match */
    reference_file(ref, &other, rfix_cell(&lo, "lsq", 4, 1), 10.0);
    const char *md = render(&e, &l, results, ref, NAN, "rf1");
    cr_assert(strstr(md, "**2/3 cells within the reference's noise**"), "%s", md);
    cr_assert(strstr(md, "outside: small_cnn lsq 2-bit (-1.00, noise ±0.50)"), "%s", md);
    cr_assert(strstr(md, "1 of 4 cells not compared (1 without a reference result"), "%s", md);
    cr_assert(strstr(md, "1 reference cells were made by different code"), "%s", md);
    cr_assert(strstr(md, "1 reference results match no cell"), "%s", md);
    cr_assert(strstr(md, "| reference | none | 81.00 | 90.20 |"), "%s", md);
    cr_assert(strstr(md, "| − reference | – | -1.00 outside | -0.20 |"), "%s", md);
    cr_assert(strstr(md, "| reference | none | – | 91.30 † |"), "%s", md);
    cr_assert(strstr(md, "--reference "), "the command names the reference: %s", md);
    /* a looser tolerance from the command line wins over the file's */
    md = render(&e, &l, results, ref, 2.0, "rf1b");
    cr_assert(strstr(md, "**3/3 cells within the reference's noise**"), "%s", md);
    cells_free(&l);
    cells_free(&lo);
}

Test(reference, one_seed_without_tolerance_is_unchecked)
{
    Experiment e;
    CellList l;
    char results[256], ref[256];
    snprintf(results, sizeof results, "%s/res-ref2", hfix_dir());
    snprintf(ref, sizeof ref, "%s/reference/nt", hfix_dir());
    rfix_mkdir(ref);
    rfix_load(rfix_experiment("nt", "baseline: lsq", "[1]"), "smoke", &e, &l);
    cr_assert(isnan(e.tolerance));
    rfix_result(results, &e, rfix_cell(&l, "lsq", 4, 1), 90.0, RUN_OK);
    reference_file(ref, &e, rfix_cell(&l, "lsq", 4, 1), 90.2);
    const char *md = render(&e, &l, results, ref, NAN, "nt");
    cr_assert(strstr(md, "**0/1 cells within the reference's noise**"), "%s", md);
    cr_assert(strstr(md, "1 unchecked (one seed and no tolerance"), "%s", md);
    cr_assert(strstr(md, "-0.20 unchecked"), "%s", md);
    cells_free(&l);
}

/* Several seeds: the paired interval of user − reference decides. */
Test(reference, several_seeds_use_their_interval)
{
    Experiment e;
    CellList l;
    char results[256], ref[256], path[400];
    snprintf(results, sizeof results, "%s/res-ref3", hfix_dir());
    snprintf(ref, sizeof ref, "%s/reference/ms", hfix_dir());
    rfix_mkdir(ref);
    rfix_load(rfix_experiment("ms", "baseline: lsq", "[1, 2, 3]"), "smoke", &e, &l);
    const double user[] = {90.0, 91.0, 92.0}, near[] = {90.1, 91.3, 91.9},
                 far[] = {92.0, 93.1, 93.9};
    for (int s = 1; s <= 3; s++) {
        rfix_result(results, &e, rfix_cell(&l, "lsq", 4, s), user[s - 1], RUN_OK);
        rfix_result(results, &e, rfix_cell(&l, "asq", 4, s), user[s - 1], RUN_OK);
        reference_file(ref, &e, rfix_cell(&l, "lsq", 4, s), near[s - 1]);
        reference_file(ref, &e, rfix_cell(&l, "asq", 4, s), far[s - 1]);
    }
    const char *md = render(&e, &l, results, ref, 5.0, "ms");
    cr_assert(strstr(md, "**1/2 cells within the reference's noise**"), "%s", md);
    cr_assert(strstr(md, "outside: small_cnn asq 4-bit (-2.00, noise ±"), "%s", md);
    snprintf(path, sizeof path, "%s/ms.csv", hfix_dir());
    const char *csv = rfix_slurp(path);
    cr_assert(strstr(csv, "asq,4,top1,91.0000,1.0000,3,0,0,,,1.6e+10,lsq,3,0.0000,0.0000,0.0000,"
                          "93.0000,0.9539,3,-2.0000,"), "%s", csv);
    cr_assert(strstr(csv, ",outside,0\n"), "%s", csv);
    cells_free(&l);
}
