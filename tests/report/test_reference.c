/* The reproduction check: a reference results directory matched to the user's cells by
 * matrix position and seed, each cell's difference judged against the seeds' interval or the
 * profile's tolerance, and the summary line. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "report/table.h"
#include "tests/support/hfix.h"
#include "rfix.h"

/* <scratch>/reference/<name>, created. */
static const char *reference_dir(const char *name)
{
    static char dir[256];
    snprintf(dir, sizeof dir, "%s/reference/%s", hfix_dir(), name);
    rfix_mkdir(dir);
    return dir;
}

static void reference_file(const char *dir, const Experiment *e, const Cell *c, double top1)
{
    char path[600];
    snprintf(path, sizeof path, "%s/%s.json", dir, c->id);
    rfix_result_at(path, e, c, top1, RUN_OK);
}

static const char *render(const RFix *f, const char *ref, double tolerance, const char *name)
{
    TableOptions opt = {ref, tolerance, NULL, 0, 0};
    return rfix_table(&f->e, &f->l, f->results, &opt, name);
}

Test(reference, one_seed_against_the_profile_tolerance)
{
    RFix f;
    Experiment other;
    CellList lo;
    const char *ref = reference_dir("rf");
    rfix_start(&f, "rf", "baseline: lsq, tolerance: {smoke: 0.5}", "[1]");
    cr_assert_float_eq(f.e.tolerance, 0.5, 1e-12);
    rfix_result(f.results, &f.e, rfix_cell(&f.l, "lsq", 4, 1), 90.0, RUN_OK);
    rfix_result(f.results, &f.e, rfix_cell(&f.l, "lsq", 2, 1), 80.0, RUN_OK);
    rfix_result(f.results, &f.e, rfix_cell(&f.l, "asq", 4, 1), 91.0, RUN_OK);
    rfix_result(f.results, &f.e, rfix_cell(&f.l, "fp", 0, 1), 94.0, RUN_OK);
    reference_file(ref, &f.e, rfix_cell(&f.l, "lsq", 4, 1), 90.2);   /* within 0.5 */
    reference_file(ref, &f.e, rfix_cell(&f.l, "lsq", 2, 1), 81.0);   /* outside */
    Cell moved = *rfix_cell(&f.l, "asq", 4, 1);                      /* same position, */
    snprintf(moved.id, sizeof moved.id, "small_cnn_asq_4b_s1_0123456789ab");  /* other code */
    reference_file(ref, &f.e, &moved, 91.3);
    rfix_load(f.e.path, "other", &other, &lo);                       /* another profile */
    reference_file(ref, &other, rfix_cell(&lo, "lsq", 4, 1), 10.0);
    const char *md = render(&f, ref, NAN, "rf1");
    cr_assert(strstr(md, "2/3 cells within the reference's noise"), "%s", md);
    cr_assert(strstr(md, "outside: small_cnn lsq 2-bit (-1.00, noise ±0.50)"), "%s", md);
    cr_assert(strstr(md, "1 of 4 cells not compared (1 without a finished reference run, 0 without"), "%s", md);
    cr_assert(strstr(md, "1 reference cells were made by different code"), "%s", md);
    cr_assert(strstr(md, "1 reference results match no cell"), "%s", md);
    cr_assert(strstr(md, "| reference | none | 81.00 | 90.20 |"), "%s", md);
    cr_assert(strstr(md, "| − reference | – | -1.00 outside | -0.20 |"), "%s", md);
    cr_assert(strstr(md, "| reference | none | – | 91.30 † |"), "%s", md);
    cr_assert(strstr(md, "--reference "), "the command names the reference: %s", md);
    /* a looser tolerance from the command line wins over the file's */
    md = render(&f, ref, 2.0, "rf1b");
    cr_assert(strstr(md, "3/3 cells within the reference's noise"), "%s", md);
    rfix_end(&f);
    cells_free(&lo);
}

Test(reference, one_seed_without_tolerance_is_unchecked)
{
    RFix f;
    const char *ref = reference_dir("nt");
    rfix_start(&f, "nt", "baseline: lsq", "[1]");
    cr_assert(isnan(f.e.tolerance));
    rfix_result(f.results, &f.e, rfix_cell(&f.l, "lsq", 4, 1), 90.0, RUN_OK);
    reference_file(ref, &f.e, rfix_cell(&f.l, "lsq", 4, 1), 90.2);
    const char *md = render(&f, ref, NAN, "nt");
    cr_assert(strstr(md, "0/1 cells within the reference's noise"), "%s", md);
    cr_assert(strstr(md, "1 unchecked (one seed and no tolerance"), "%s", md);
    cr_assert(strstr(md, "-0.20 unchecked"), "%s", md);
    rfix_end(&f);
}

/* Several seeds: the paired interval of user − reference decides. */
Test(reference, several_seeds_use_their_interval)
{
    RFix f;
    const char *ref = reference_dir("ms");
    rfix_start(&f, "ms", "baseline: lsq", "[1, 2, 3]");
    const double user[] = {90.0, 91.0, 92.0}, near[] = {90.1, 91.3, 91.9},
                 far[] = {92.0, 93.1, 93.9};
    for (int s = 1; s <= 3; s++) {
        rfix_result(f.results, &f.e, rfix_cell(&f.l, "lsq", 4, s), user[s - 1], RUN_OK);
        rfix_result(f.results, &f.e, rfix_cell(&f.l, "asq", 4, s), user[s - 1], RUN_OK);
        reference_file(ref, &f.e, rfix_cell(&f.l, "lsq", 4, s), near[s - 1]);
        reference_file(ref, &f.e, rfix_cell(&f.l, "asq", 4, s), far[s - 1]);
    }
    const char *md = render(&f, ref, 5.0, "ms");
    cr_assert(strstr(md, "1/2 cells within the reference's noise"), "%s", md);
    cr_assert(strstr(md, "outside: small_cnn asq 4-bit (-2.00, noise ±"), "%s", md);
    const char *csv = rfix_table_file("ms", "csv");
    cr_assert(strstr(csv, "asq,4,top1,91.0000,1.0000,3,0,0,,,1.6e+10,lsq,3,0.0000,0.0000,0.0000,"
                          ",,,\"scaled replica: "), "%s", csv);
    cr_assert(strstr(csv, ",\"\",93.0000,0.9539,3,-2.0000,"), "%s", csv);
    cr_assert(strstr(csv, ",outside,0\n"), "%s", csv);
    rfix_end(&f);
}
