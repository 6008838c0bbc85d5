/* The claim kinds beyond a plain difference: the verdict rule of each on hand-made intervals
 * (edges included: an interval touching the bound or the margin, n < 2, exact values), then
 * each measured on fixture results (a difference of differences, an ablation across two
 * experiments, level sets, layer errors), and the regime named in every row of both files. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "report/claims.h"
#include "tests/support/hfix.h"
#include "rfix.h"

static Paired interval(int n, double lo, double hi)
{
    return (Paired){n, (lo + hi) / 2, n > 1 ? 1.0 : NAN, n > 1 ? lo : NAN, n > 1 ? hi : NAN,
                    n > 1 ? (hi - lo) / 2 : NAN};
}

static Claim equivalence(double centre, double margin)
{
    Claim c = {.kind = CLAIM_EQUIVALENCE, .quantity = CLAIM_TOP1, .threshold = centre,
               .margin = margin};
    return c;
}

Test(claim_kinds, equivalence_holds_only_strictly_inside_the_margin)
{
    Claim c = equivalence(0, 1);
    const struct {
        double lo, hi;
        Verdict v;
    } cases[] = {
        {-0.5, 0.5, VERDICT_HOLDS},          {-0.99, 0.99, VERDICT_HOLDS},
        {-1.0, 0.5, VERDICT_UNRESOLVED},     /* touching the margin from inside */
        {0.5, 1.0, VERDICT_UNRESOLVED},      {-2.0, 2.0, VERDICT_UNRESOLVED}, /* spanning it */
        {0.5, 1.5, VERDICT_UNRESOLVED},      {1.0, 2.0, VERDICT_UNRESOLVED},  /* touching outside */
        {1.01, 2.0, VERDICT_CONTRADICTED},   {-3.0, -1.5, VERDICT_CONTRADICTED},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        Paired d = interval(3, cases[i].lo, cases[i].hi);
        cr_expect_eq(claim_verdict(&c, &d, 0), cases[i].v, "[%g, %g]: %s", cases[i].lo,
                     cases[i].hi, verdict_name(claim_verdict(&c, &d, 0)));
    }
    Claim ratio = equivalence(1, 0.2);  /* a ratio's centre is 1 */
    Paired d = interval(3, 0.85, 1.1);
    cr_expect_eq(claim_verdict(&ratio, &d, 0), VERDICT_HOLDS);
    d = interval(3, 0.5, 0.79);
    cr_expect_eq(claim_verdict(&ratio, &d, 0), VERDICT_CONTRADICTED);
}

Test(claim_kinds, one_seed_is_unresolved_none_is_missing_an_exact_value_decides)
{
    Claim eq = equivalence(0, 1), diff = {.kind = CLAIM_DIFFERENCE, .greater = 1};
    Paired one = interval(1, 0.1, 0.1), none = {0, NAN, NAN, NAN, NAN, NAN};
    cr_expect_eq(claim_verdict(&eq, &one, 0), VERDICT_UNRESOLVED, "n=1 has no interval");
    cr_expect_eq(claim_verdict(&diff, &one, 0), VERDICT_UNRESOLVED, "n=1 has no interval");
    cr_expect_eq(claim_verdict(&eq, &none, 0), VERDICT_MISSING);
    cr_expect_eq(claim_verdict(&diff, &none, 0), VERDICT_MISSING);
    Paired exact = {1, 0.5, NAN, 0.5, 0.5, 0};
    cr_expect_eq(claim_verdict(&eq, &exact, 1), VERDICT_HOLDS, "an exact value needs no seeds");
    cr_expect_eq(claim_verdict(&diff, &exact, 1), VERDICT_HOLDS);
    exact = (Paired){1, 1.0, NAN, 1.0, 1.0, 0};
    cr_expect_eq(claim_verdict(&eq, &exact, 1), VERDICT_UNRESOLVED, "exactly on the margin");
    exact = (Paired){1, 0.0, NAN, 0.0, 0.0, 0};
    cr_expect_eq(claim_verdict(&diff, &exact, 1), VERDICT_UNRESOLVED, "exactly on the threshold");
}

/* Difference kinds follow paired.c's verdict_of on every interval, edges included. */
Test(claim_kinds, difference_kinds_follow_verdict_of)
{
    const ClaimKind kinds[] = {CLAIM_DIFFERENCE, CLAIM_DIFF_OF_DIFFS, CLAIM_ABLATION};
    const double bounds[] = {-1.0, -0.25, 0.0, 0.3, 1.0};
    for (size_t k = 0; k < 3; k++)
        for (int greater = 0; greater < 2; greater++)
            for (size_t i = 0; i < 5; i++)
                for (size_t j = i; j < 5; j++) {
                    Claim c = {.kind = kinds[k], .quantity = CLAIM_TOP1, .greater = greater};
                    Paired d = interval(4, bounds[i], bounds[j]);
                    cr_expect_eq(claim_verdict(&c, &d, 0), verdict_of(&d, 0, greater),
                                 "kind %d, [%g, %g], greater %d", kinds[k], bounds[i], bounds[j],
                                 greater);
                }
}

/* Block and layer errors: "every" is decided by the worst one, "some" by the best. */
Test(claim_kinds, every_block_or_some_block)
{
    Paired range = {5, -0.02, NAN, -0.1, 0.05, NAN};
    const struct {
        int every, greater;
        Verdict v;
    } cases[] = {
        {1, 0, VERDICT_CONTRADICTED}, /* every one below 0: one is above */
        {0, 0, VERDICT_HOLDS},        /* some one below 0 */
        {1, 1, VERDICT_CONTRADICTED}, {0, 1, VERDICT_HOLDS},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        Claim c = {.kind = CLAIM_DIFFERENCE, .quantity = CLAIM_LAYER_ERROR,
                   .every = cases[i].every, .greater = cases[i].greater};
        cr_expect_eq(claim_verdict(&c, &range, 1), cases[i].v, "every %d greater %d",
                     cases[i].every, cases[i].greater);
    }
}

/* LSQ results at `bits` for n seeds from `first` of f's experiment, into `results`. */
static void lsq_results(const char *results, const RFix *f, int bits, int first,
                        const double *top1, int n)
{
    for (int i = 0; i < n; i++)
        rfix_result(results, &f->e, rfix_cell(&f->l, "lsq", bits, first + i), top1[i], RUN_OK);
}

/* (lsq − fp)@4 − (lsq − fp)@2 per seed is lsq@4 − lsq@2: 90.09−85.00, 91.17−86.50, 91.23−88.00
 * = 5.09, 4.67, 3.23 (mean 4.33; fp is 96-98, so the two differences average -6.17 and
 * -10.50); the paper's (85 − 90) − (80 − 90) = +5.00. A seed missing in one of the four cells
 * drops out of the pairs. */
Test(claim_kinds, difference_of_differences_pairs_four_cells_by_seed)
{
    RFix f;
    const char *csv;
    rfix_start(&f, "dd", "baseline: lsq", "[1, 2, 3]");
    rfix_example(f.results, &f.e, &f.l, 95.0);
    lsq_results(f.results, &f, 2, 1, (double[]){85.0, 86.5, 88.0}, 3);
    const char *text = "claims:\n"
        "  - {id: grows, claim: c, source: s, kind: difference_of_differences, experiment: dd,"
        " net: small_cnn, bits: 4, base_bits: 2, method: lsq, versus: fp, claimed: greater,"
        " threshold: 0, paper: {method: 85, versus: 90, base_method: 80, base_versus: 90}}\n";
    const char *md = rfix_claims("dd-claims", text, f.results, &csv);
    cr_assert(strstr(md, "`(lsq − fp)@4 − (lsq − fp)@2 > 0 (small_cnn top1)`"), "%s", md);
    cr_assert(strstr(md, "| (85.00 − 90.00) − (80.00 − 90.00) = +5.00 |"), "%s", md);
    cr_assert(strstr(md, "| +4.33 (-6.17 at 4 bits, -10.50 at 2) | [+1.91, +6.75] 95% CI | 3 | "
                         "**holds** in the synthetic gratings replica | +5.00: inside |"), "%s", md);
    cr_assert(strstr(csv, ",difference_of_differences,top1,dd,,small_cnn,4,2,lsq,fp,greater,0,,"
                          "\"\",85,90,5,4.33,"), "%s", csv);
    char path[512];
    snprintf(path, sizeof path, "%s/dd/%s.json", f.results, rfix_cell(&f.l, "lsq", 2, 3)->id);
    cr_assert_eq(remove(path), 0);
    md = rfix_claims("dd-claims", text, f.results, &csv);
    cr_assert(strstr(md, "| +4.88 (-5.87 at 4 bits, -10.75 at 2) | [+2.21, +7.55] 95% CI | 2 |"),
              "seed 3 lost its 2-bit LSQ cell: %s", md);
    rfix_end(&f);
}

/* An ablation pairs the method's cells with another experiment's by seed value: full's seeds
 * are 1-3, part's 2-4, so seeds 2 and 3 pair (+1.00 each) and 1 and 4 do not (part's seed 4,
 * at 10%, would pull any mean down). */
Test(claim_kinds, ablation_pairs_two_experiments_by_seed_value)
{
    RFix f, g;
    const char *csv;
    rfix_start(&f, "full", "baseline: lsq", "[1, 2, 3]");
    rfix_example(f.results, &f.e, &f.l, 95.0);
    rfix_start(&g, "part", "baseline: lsq", "[2, 3, 4]");
    lsq_results(f.results, &g, 4, 2, (double[]){90.07, 90.23, 10.0}, 3);
    const char *text = "claims:\n"
        "  - {id: part-helps, claim: c, source: s, kind: ablation, experiment: full,"
        " versus_experiment: part, net: small_cnn, bits: 4, method: lsq, versus: lsq,"
        " claimed: greater, threshold: 0}\n"
        "  - {id: unmeasured, claim: c, source: s, kind: ablation, experiment: full,"
        " versus_experiment: never, net: small_cnn, bits: 4, method: lsq, versus: lsq,"
        " claimed: greater, threshold: 0}\n";
    rfix_experiment("never", "baseline: lsq", "[1, 2, 3]");
    const char *md = rfix_claims("ab-claims", text, f.results, &csv);
    cr_assert(strstr(md, "`lsq − lsq [part] > 0 (small_cnn 4-bit top1)`"), "%s", md);
    cr_assert(strstr(md, "| +1.05 (91.20 vs 90.15) | [+0.41, +1.69] 95% CI | 2 | **holds** in the "
                         "synthetic gratings replica |"), "%s", md);
    cr_assert(strstr(md, "| 0 | **missing** in the synthetic gratings replica: cells missing: "
                         "`make reproduce-never PROFILE=smoke` |"), "%s", md);
    cr_assert(strstr(csv, ",ablation,top1,full,part,small_cnn,4,,lsq,lsq,greater,"), "%s", csv);
    rfix_end(&g);
    rfix_end(&f);
}

/* Level-set properties from the quantizers' own level sets (4-bit weights): POT's magnitudes
 * 1/128 .. 1, three of them in (0, 0.04]; POST's smallest is 2^-3.5 = 0.0884, none there;
 * POT's largest gap is 1/2 at 3 and at 4 bits. */
Test(claim_kinds, level_set_claims_are_exact)
{
    const char *csv;
    const char *text = "claims:\n"
        "  - {id: near, claim: c, source: s, quantity: levels, property: near_zero, range: 0.04,"
        " bits: 4, method: post, versus: pot, claimed: less, threshold: 0}\n"
        "  - {id: step, claim: c, source: s, quantity: levels, property: smallest_step,"
        " bits: 4, versus_bits: 3, method: pot, versus: pot, claimed: less, threshold: 0}\n"
        "  - {id: gap, claim: c, source: s, kind: equivalence, quantity: levels,"
        " property: largest_gap, bits: 4, versus_bits: 3, method: pot, versus: pot,"
        " margin: 1.0e-6, margin_source: rounding}\n"
        "  - {id: wrong, claim: c, source: s, quantity: levels, property: largest_gap,"
        " bits: 4, method: post, versus: pot, claimed: greater, threshold: 0}\n";
    const char *md = rfix_claims("lv-claims", text, hfix_dir(), &csv);
    cr_assert(strstr(md, "`post − pot < 0 (4-bit weight levels: levels in (0, 0.04])` | s | – | "
                         "**measured:** computed, no training: the quantizers' normalised weight "
                         "level sets (the same in every regime)<br>**paper:** the paper's own "
                         "analysis, no training | -3 (0 vs 3) | exact (level sets) | 1 | **holds** "
                         "exactly (level sets) |"), "%s", md);
    cr_assert(strstr(md, "`pot@4 − pot@3 < 0 (weight levels: smallest step)`"), "%s", md);
    cr_assert(strstr(md, "| -0.1172 (0.007812 vs 0.125) | exact (level sets) | 1 | **holds**"),
              "%s", md);
    cr_assert(strstr(md, "`pot@4 − pot@3 ∈ (-1e-06, 1e-06) (weight levels: largest gap)`<br>"
                         "margin: rounding"), "%s", md);
    cr_assert(strstr(md, "| +0 (0.5 vs 0.5) | exact (level sets) | 1 | **holds**"), "%s", md);
    cr_assert(strstr(md, "| -0.2071 (0.2929 vs 0.5) | exact (level sets) | 1 | **contradicted** "
                         "exactly (level sets) |"), "%s", md);
    cr_assert(strstr(csv, "\"near\",\"c\",\"s\",difference,levels,,,,4,,post,pot,less,0,,\"\",,,,"
                          "-3,-3,-3,1,holds,"), "%s", csv);
}

/* Fig. 6: per layer, the activation quantizer's rounding + clipping error; a layer without an
 * input quantizer (NaN) is left out. --block-data points the layer claims at the
 * layer_error.dat beside the block file. */
/* A layer-error claim names the cells its probe data must come from (its rows are read in
 * tests/probe/test_claim_source.c, on a file of the claim's own trained cells). */
Test(claim_kinds, layer_error_claims_need_their_cells)
{
    ClaimSet cs;
    QbErr err = {{0}};
    const char *bare = hfix_write("le-bare.yaml", "claims:\n"
        "  - {id: some, claim: c, source: s, quantity: layer_error, over: some, bits: 3,"
        " method: asq, versus: lsq, claimed: greater, threshold: 0}\n");
    cr_assert_lt(claims_load(&cs, bare, "smoke", &err), 0);
    cr_assert(strstr(err.msg, "needs experiment"), "%s", err.msg);
}

/* Every row of both files names the regime it was measured in, whatever its kind, and its
 * verdict says where it holds. */
Test(claim_kinds, every_row_names_its_regime)
{
    RFix f;
    const char *csv;
    rfix_start(&f, "rg", "baseline: lsq", "[1, 2, 3]");
    rfix_example(f.results, &f.e, &f.l, 95.0);
    const char *text = "claims:\n"
        "  - {id: d, claim: c, source: s, experiment: rg, net: small_cnn, bits: 4, method: asq,"
        " versus: lsq, claimed: greater, threshold: 0}\n"
        "  - {id: e, claim: c, source: s, kind: equivalence, experiment: rg, net: small_cnn,"
        " bits: 4, method: asq, versus: lsq, margin: 3, margin_source: m}\n"
        "  - {id: dd, claim: c, source: s, kind: difference_of_differences, experiment: rg,"
        " net: small_cnn, bits: 4, base_bits: 2, method: lsq, versus: fp, claimed: greater,"
        " threshold: 0}\n"
        "  - {id: lv, claim: c, source: s, quantity: levels, property: largest_gap, bits: 4,"
        " method: post, versus: pot, claimed: less, threshold: 0}\n"
        "  - {id: be, claim: c, source: s, quantity: block_error, experiment: rg, net: small_cnn,"
        " bits: 3, method: asq, versus: lsq, claimed: less, threshold: 0, data: /nonexistent.dat}\n";
    const char *md = rfix_claims("rg-claims", text, f.results, &csv);
    const char *regime = "scaled replica: synthetic gratings 8x8, quarter-width small CNN, 1 epoch "
                         "of a 64-image subset at batch 32 (2 steps), from scratch";
    cr_assert(strstr(md, regime), "the header names the regime: %s", md);
    int rows = 0;
    for (const char *line = strstr(md, "|---|"); (line = strchr(line, '\n')) && line[1] == '|';) {
        line++;
        rows++;
        const char *end = strchr(line, '\n');
        char row[4096];
        snprintf(row, sizeof row, "%.*s", (int)(end - line), line);
        cr_expect(strstr(row, "**measured:** ") && strstr(row, "<br>**paper:** "), "%s", row);
        cr_expect(strstr(row, regime) || strstr(row, "computed, no training"), "%s", row);
        cr_expect(strstr(row, "** in the synthetic gratings replica") ||
                  strstr(row, "** exactly (level sets)"), "the verdict names it: %s", row);
    }
    cr_assert_eq(rows, 5, "%s", md);
    cr_assert_eq(hfix_count(csv, "\n"), 6, "%s", csv);
    cr_assert(strstr(csv, ",regime,paper_regime,magnitude,"), "%s", csv);
    char want[512];
    snprintf(want, sizeof want, ",\"%s\",", regime);
    cr_assert_eq(hfix_count(csv, want), 3, "the three accuracy rows: %s", csv);
    cr_assert_eq(hfix_count(csv, ",\"computed, no training: the quantizers' normalised weight "
                                 "level sets (the same in every regime)\","), 1, "%s", csv);
    snprintf(want, sizeof want, ",\"the probe on rg's 3-bit checkpoints (/nonexistent.dat), "
             "trained in the %s\",", regime);
    cr_assert_eq(hfix_count(csv, want), 1, "the probe row: %s", csv);
    rfix_end(&f);
}
