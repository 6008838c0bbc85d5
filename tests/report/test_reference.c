/* The reproduction check (refcheck.h): a reference results directory matched to the user's
 * cells by matrix position and seed; a cell identical to the reference (bit-equal metrics and
 * epoch list), or its difference judged against the seeds' interval, the given tolerance or
 * the tolerance measured from the reference's own seeds; and the summary line. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "harness/result.h"
#include "report/grid.h"
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
    cr_assert(strstr(md, "0/3 identical to the reference, 2 within its noise, 1 outside it"), "%s",
              md);
    cr_assert(strstr(md, "outside it: small_cnn lsq 2-bit (-1.00, noise ±0.50)"), "%s", md);
    cr_assert(strstr(md, "1 of 4 cells not compared (1 without a finished reference run at your "
                         "seeds, 0 without"), "%s", md);
    cr_assert(strstr(md, "1 reference cells were made by different code"), "%s", md);
    cr_assert(strstr(md, "1 reference results match no cell"), "%s", md);
    cr_assert(strstr(md, "| reference | none | 81.00 | 90.20 |"), "%s", md);
    cr_assert(strstr(md, "| − reference | – | -1.00 outside | -0.20 |"), "%s", md);
    cr_assert(strstr(md, "| reference | none | – | 91.30 † |"), "%s", md);
    cr_assert(strstr(md, "--reference "), "the command names the reference: %s", md);
    /* a looser tolerance from the command line wins over the file's */
    md = render(&f, ref, 2.0, "rf1b");
    cr_assert(strstr(md, "0/3 identical to the reference, 3 within its noise;"), "%s", md);
    cr_assert(strstr(md, "with one seed the tolerance ±2.00"), "%s", md);
    rfix_end(&f);
    cells_free(&lo);
    experiment_free(&other);
}

/* A one-seed reference has no spread to measure a tolerance from. */
Test(reference, one_seed_against_a_one_seed_reference_without_tolerance_is_unchecked)
{
    RFix f;
    const char *ref = reference_dir("nt");
    rfix_start(&f, "nt", "baseline: lsq", "[1]");
    cr_assert(isnan(f.e.tolerance));
    rfix_result(f.results, &f.e, rfix_cell(&f.l, "lsq", 4, 1), 90.0, RUN_OK);
    reference_file(ref, &f.e, rfix_cell(&f.l, "lsq", 4, 1), 90.2);
    const char *md = render(&f, ref, NAN, "nt");
    cr_assert(strstr(md, "0/1 identical to the reference; 1 unchecked (one seed, and the "
                         "reference has fewer than two seeds with a spread"), "%s", md);
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
    cr_assert(strstr(md, "0/2 identical to the reference, 1 within its noise, 1 outside it: "
                         "small_cnn asq 4-bit (-2.00, noise ±0.25)"), "%s", md);
    const char *csv = rfix_table_file("ms", "csv");
    cr_assert(strstr(csv, "asq,4,top1,91.0000,1.0000,3,0,0,,,1.6e+10,lsq,3,0.0000,,,no_spread,"),
              "%s", csv);
    cr_assert(strstr(csv, ",\"\",93.0000,0.9539,3,-2.0000,"), "%s", csv);
    cr_assert(strstr(csv, ",outside,0,0,3\n"), "%s", csv);
    rfix_end(&f);
}

/* The file's text with one occurrence of `from` replaced by `to`, written back. */
static void rewrite(const char *path, const char *from, const char *to)
{
    static char text[65536], out[65536];
    snprintf(text, sizeof text, "%s", rfix_slurp(path));
    char *at = strstr(text, from);
    cr_assert(at, "%s has no '%s'", path, from);
    *at = '\0';
    snprintf(out, sizeof out, "%s%s%s", text, to, at + strlen(from));
    FILE *f = fopen(path, "w");
    cr_assert(f);
    fputs(out, f);
    fclose(f);
}

static const char *user_file(const RFix *f, const char *scheme, int bits, long long seed)
{
    static char path[600];
    snprintf(path, sizeof path, "%s/%s/%s.json", f->results, f->e.name,
             rfix_cell(&f->l, scheme, bits, seed)->id);
    return path;
}

/* Every cell bit-identical to the reference: said so, whatever the seeds or the tolerance. A
 * run's timing may differ; a difference in any epoch's metrics (here a training loss, with
 * equal accuracies) is not identical. */
Test(reference, identical_cells_are_reported_identical)
{
    RFix f;
    const char *ref = reference_dir("id");
    rfix_start(&f, "id", "baseline: lsq", "[1, 2, 3]");
    for (int s = 1; s <= 3; s++)
        for (int k = 0; k < 2; k++) {
            const Cell *c = rfix_cell(&f.l, k ? "asq" : "lsq", 4, s);
            rfix_result(f.results, &f.e, c, 90.0 + s + k, RUN_OK);
            reference_file(ref, &f.e, c, 90.0 + s + k);
        }
    const char *md = render(&f, ref, NAN, "id");
    cr_assert(strstr(md, "2/2 identical to the reference; 2 of 4 cells not compared"), "%s", md);
    cr_assert(!strstr(md, "within its noise"), "%s", md);
    cr_assert(strstr(md, "| − reference | – | – | identical |"), "%s", md);
    cr_assert(strstr(rfix_table_file("id", "csv"), ",identical,0,0,3\n"), "%s",
              rfix_table_file("id", "csv"));
    rewrite(user_file(&f, "lsq", 4, 2), "\"seconds\": 1,", "\"seconds\": 2.5,");
    md = render(&f, ref, NAN, "id2");
    cr_assert(strstr(md, "2/2 identical to the reference;"), "timing aside: %s", md);
    rewrite(user_file(&f, "asq", 4, 3), "\"train_loss\": 0.5,", "\"train_loss\": 0.5000001,");
    md = render(&f, ref, NAN, "id3");
    cr_assert(strstr(md, "1/2 identical to the reference, 1 within its noise"), "%s", md);
    cr_assert(strstr(md, "| − reference | – | – | +0.00 |"), "%s", md);
    rfix_end(&f);
}

/* make reproduce-X SEEDS=1 against a three-seed reference: the reference's seeds 2 and 3 are
 * its spread, not results of another matrix. Each one-seed cell is identical, within or
 * outside the tolerance measured from its reference cell's seeds, t975(2)·√2·sd; a reference
 * cell without spread gives none (unchecked). */
Test(reference, one_seed_run_against_the_reference_spread)
{
    RFix f;
    QbErr err = {{0}};
    const char *ref = reference_dir("s1");
    rfix_start(&f, "s1", "baseline: lsq", "[1, 2, 3]");
    const struct { const char *scheme; int bits; double ref[3], user; } cell[] = {
        {"lsq", 4, {90.0, 91.0, 92.0}, 90.0},    /* identical: the same seed-1 run */
        {"asq", 4, {80.0, 81.0, 82.0}, 85.0},    /* +5.00 within ±6.09 (sd 1) */
        {"lsq", 2, {70.0, 70.5, 71.0}, 75.0},    /* +5.00 outside ±3.04 (sd 0.5) */
        {"fp", 0, {93.0, 93.0, 93.0}, 93.5},     /* no spread: unchecked */
    };
    for (int i = 0; i < 4; i++)
        for (int s = 1; s <= 3; s++)
            reference_file(ref, &f.e, rfix_cell(&f.l, cell[i].scheme, cell[i].bits, s),
                           cell[i].ref[s - 1]);
    cells_free(&f.l);   /* the run: SEEDS=1 */
    cr_assert_eq(experiment_seed_count(&f.e, 1, &err), 0, "%s", err.msg);
    cr_assert_eq(cells_expand(&f.e, &f.l, &err), 0, "%s", err.msg);
    for (int i = 0; i < 4; i++)
        rfix_result(f.results, &f.e, rfix_cell(&f.l, cell[i].scheme, cell[i].bits, 1),
                    cell[i].user, RUN_OK);
    const char *md = render(&f, ref, NAN, "s1");
    cr_assert(strstr(md, "1/4 identical to the reference, 1 within its noise, 1 outside it: "
                         "small_cnn lsq 2-bit (+5.00, noise ±3.04); 1 unchecked"), "%s", md);
    cr_assert(!strstr(md, "match no cell"), "seeds 2 and 3 are the reference's spread: %s", md);
    cr_assert(strstr(md, "| reference | 93.00 ± 0.00 | 70.50 ± 0.50 | 91.00 ± 1.00 |"), "%s", md);
    cr_assert(strstr(md, "| − reference | +0.50 unchecked | +5.00 outside | identical |"), "%s",
              md);
    cr_assert(strstr(md, "| − reference | +0.50 unchecked | – | +5.00 |"), "%s", md);
    const char *csv = rfix_table_file("s1", "csv");
    cr_assert(strstr(csv, "81.0000,1.0000,3,5.0000,6.0849,within,0,0,1\n"), "%s", csv);
    cr_assert(strstr(csv, "70.5000,0.5000,3,5.0000,3.0425,outside,0,0,1\n"), "%s", csv);
    rfix_end(&f);
}

/* A reference holding a 1x and a 3x run at the same matrix position and seed (make BUDGET=3
 * beside the 1x table): each budget's grid places only its own run, by position
 * (grid_load_by_position, the committed tables) and against a user's run
 * (grid_load_reference, the reproduction check); the other budget's run matches no cell. */
Test(reference, each_budget_places_only_its_own_runs)
{
    RFix f;
    Experiment e3;
    CellList l3;
    Grid g;
    QbErr err = {{0}};
    char dir[400];
    const char *ref = reference_dir("bud");
    rfix_start(&f, "bud", "baseline: lsq", "[1]");
    rfix_load(f.e.path, "smoke", &e3, &l3);
    cells_free(&l3);
    cr_assert_eq(experiment_budget(&e3, 3, &err), 0, "%s", err.msg);
    cr_assert_eq(cells_expand(&e3, &l3, &err), 0, "%s", err.msg);
    const Cell *c1 = rfix_cell(&f.l, "lsq", 4, 1), *c3 = rfix_cell(&l3, "lsq", 4, 1);
    rfix_result(ref, &f.e, c1, 70.0, RUN_OK);
    rfix_result(ref, &e3, c3, 80.0, RUN_OK);
    const struct { const Experiment *e; const CellList *l; const Cell *c; double top1; } at[] = {
        {&f.e, &f.l, c1, 70.0}, {&e3, &l3, c3, 80.0}};
    const int lsq = grid_scheme_index(&f.e, "lsq");
    for (int i = 0; i < 2; i++) {
        cr_assert_eq(grid_load_by_position(&g, at[i].e, at[i].l, ref, &err), 0, "%s", err.msg);
        const GridCell *gc = grid_cell(&g, 0, lsq, 4);
        cr_assert_eq(gc->ok, 1, "budget %d", at[i].e->budget);
        cr_assert_float_eq(grid_mean(gc, 0), at[i].top1, 1e-9, "budget %d", at[i].e->budget);
        cr_assert_str_eq(gc->id[0], at[i].c->id);
        cr_assert_eq(g.ref_unmatched, 1, "the other budget's run: %d", g.ref_unmatched);
        cr_assert_eq(g.nnotes, 0, "every placed id is this build's: %s", g.notes[0]);
        grid_free(&g);

        cr_assert_eq(grid_load(&g, at[i].e, at[i].l, f.results, &err), 0, "%s", err.msg);
        snprintf(dir, sizeof dir, "%s/%s", ref, f.e.name);
        cr_assert_eq(grid_load_reference(&g, dir, &err), 0, "%s", err.msg);
        const GridCell *rc = grid_ref_cell(&g, 0, lsq, 4);
        cr_assert_eq(rc->ok, 1, "budget %d", at[i].e->budget);
        cr_assert_float_eq(grid_mean(rc, 0), at[i].top1, 1e-9, "budget %d", at[i].e->budget);
        cr_assert_eq(g.ref_unmatched, 1);
        grid_free(&g);
    }
    cells_free(&l3);
    rfix_end(&f);
    experiment_free(&e3);
}

/* A profile that extends another shares the cells its settings leave alone: a reference run of
 * the base profile is placed in the variant's grid where the variant's cell has its id (LSQ,
 * untouched by an ASQ option), and nowhere else (ASQ, whose option changed its cell). */
Test(reference, a_variant_profile_takes_the_base_profiles_runs_of_its_own_cells)
{
    RFix f;
    Experiment ev;
    CellList lv;
    Grid g;
    QbErr err = {{0}};
    char dir[400];
    const char *ref = reference_dir("var");
    rfix_start(&f, "var", "baseline: lsq", "[1]");
    rfix_load(f.e.path, "variant", &ev, &lv);
    cr_assert_str_eq(rfix_cell(&f.l, "lsq", 4, 1)->id, rfix_cell(&lv, "lsq", 4, 1)->id);
    cr_assert_str_neq(rfix_cell(&f.l, "asq", 4, 1)->id, rfix_cell(&lv, "asq", 4, 1)->id);
    rfix_result(ref, &f.e, rfix_cell(&f.l, "lsq", 4, 1), 70.0, RUN_OK);
    rfix_result(ref, &f.e, rfix_cell(&f.l, "asq", 4, 1), 71.0, RUN_OK);
    cr_assert_eq(grid_load(&g, &ev, &lv, f.results, &err), 0, "%s", err.msg);
    snprintf(dir, sizeof dir, "%s/%s", ref, f.e.name);
    cr_assert_eq(grid_load_reference(&g, dir, &err), 0, "%s", err.msg);
    cr_assert_eq(grid_ref_cell(&g, 0, grid_scheme_index(&ev, "lsq"), 4)->ok, 1);
    cr_assert_eq(grid_ref_cell(&g, 0, grid_scheme_index(&ev, "asq"), 4)->ok, 0);
    cr_assert_eq(g.ref_unmatched, 1);
    grid_free(&g);
    cells_free(&lv);
    rfix_end(&f);
    experiment_free(&ev);
}

/* A table position keeps any number of seeds: twenty runs of a twenty-seed matrix at one
 * position, and the same twenty in a reference against a one-seed matrix (the nineteen seeds
 * it lacks take slots after its own), all counted in the position's mean. */
Test(reference, a_position_keeps_twenty_seeds_in_the_grid_and_the_reference)
{
    RFix f;
    rfix_start(&f, "twenty", "baseline: lsq",
               "[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20]");
    const char *ref = reference_dir("twenty");
    for (int s = 1; s <= 20; s++) {
        rfix_result(ref, &f.e, rfix_cell(&f.l, "lsq", 4, s), 60.0 + s, RUN_OK);
        rfix_result(f.results, &f.e, rfix_cell(&f.l, "lsq", 4, s), 60.0 + s, RUN_OK);
    }
    const int lsq = grid_scheme_index(&f.e, "lsq");
    Grid g;
    QbErr err = {{0}};
    cr_assert_eq(grid_load(&g, &f.e, &f.l, f.results, &err), 0, "%s", err.msg);
    cr_assert_eq(grid_cell(&g, 0, lsq, 4)->ok, 20);
    cr_assert_float_eq(grid_mean(grid_cell(&g, 0, lsq, 4), 0), 70.5, 1e-9);
    grid_free(&g);

    CellList one;
    cr_assert_eq(experiment_seed_count(&f.e, 1, &err), 0, "%s", err.msg);
    cr_assert_eq(cells_expand(&f.e, &one, &err), 0, "%s", err.msg);
    cr_assert_eq(grid_load(&g, &f.e, &one, f.results, &err), 0, "%s", err.msg);
    char dir[400];
    snprintf(dir, sizeof dir, "%s/%s", ref, f.e.name);
    cr_assert_eq(grid_load_reference(&g, dir, &err), 0, "%s", err.msg);
    const GridCell *rc = grid_ref_cell(&g, 0, lsq, 4);
    cr_assert_eq(rc->ok, 20);
    cr_assert_eq(g.nref_other, 19);
    cr_assert_float_eq(grid_mean(rc, 0), 70.5, 1e-9);
    cr_assert_eq(grid_cell(&g, 0, lsq, 4)->ok, 1, "the matrix's own seed");
    grid_free(&g);
    cells_free(&one);
    rfix_end(&f);
}
