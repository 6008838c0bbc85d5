/* The claims file: validated like every experiment file (located errors), and measured on
 * fixture results with the verdict rule. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "report/claims.h"
#include "tests/support/hfix.h"
#include "rfix.h"

/* One claim on the fixture experiment `cl` (see rfix_experiment), fields overridable. */
static const char *claims_file(const char *name, const char *claim)
{
    char text[2048], file[96];
    snprintf(text, sizeof text, "claims:\n  - id: one\n    claim: \"a claim\"\n"
                                "    source: \"a test\"\n%s", claim);
    snprintf(file, sizeof file, "%s.yaml", name);
    return hfix_write(file, text);
}

static void expect_error(const char *name, const char *claim, const char *where,
                         const char *what)
{
    ClaimSet cs;
    QbErr err = {{0}};
    rfix_experiment("cl", "baseline: lsq", "[1, 2, 3]");
    const char *path = claims_file(name, claim);
    cr_assert_eq(claims_load(&cs, path, "smoke", &err), -1, "%s should fail", name);
    cr_assert(strstr(err.msg, where), "expected '%s' in: %s", where, err.msg);
    cr_assert(strstr(err.msg, what), "expected '%s' in: %s", what, err.msg);
}

#define CELLS "    experiment: cl\n    net: small_cnn\n    claimed: greater\n"

Test(claims, unknown_scheme_is_located)
{
    expect_error("bad-scheme", CELLS "    bits: 4\n    method: asqq\n    versus: lsq\n"
                 "    threshold: 0\n", "bad-scheme.yaml:9:13: claims[0].method",
                 "unknown scheme 'asqq'");
    expect_error("near-scheme", CELLS "    bits: 4\n    method: asqq\n    versus: lsq\n"
                 "    threshold: 0\n", "claims[0].method", "; did you mean 'asq'?");
}

Test(claims, a_misspelt_key_gets_the_expected_keys_and_the_nearest)
{
    expect_error("bad-key", CELLS "    bits: 4\n    method: asq\n    versus: lsq\n"
                 "    treshold: 0\n", "bad-key.yaml:11:5: claims[0].treshold: unknown key; "
                 "expected one of: id, claim, source,", "; did you mean 'threshold'?");
}

Test(claims, a_misspelt_ladder_key_gets_the_nearest)
{
    ClaimSet cs;
    QbErr err = {{0}};
    rfix_experiment("cl", "baseline: lsq", "[1, 2, 3]");
    const char *path = hfix_write("bad-ladder.yaml", "ladder:\n  rung: [{budget: 3, seeds: 3}]\n"
                                  "claims:\n  - id: one\n");
    cr_assert_eq(claims_load(&cs, path, "smoke", &err), -1);
    cr_assert(strstr(err.msg, "bad-ladder.yaml:2:3: ladder.rung: unknown key; expected one of: "
                              "rows_bits, rungs; did you mean 'rungs'?"), "%s", err.msg);
}

Test(claims, a_claim_naming_no_measured_cell_is_located)
{
    expect_error("no-cell", CELLS "    bits: 2\n    method: asq\n    versus: lsq\n"
                 "    threshold: 0\n", "no-cell.yaml:9:13: claims[0].method",
                 "small_cnn asq 2-bit is not a cell of");
    expect_error("no-bits", CELLS "    bits: 8\n    method: lsq\n    versus: fp\n"
                 "    threshold: 0\n", "no-bits.yaml:9:13", "small_cnn lsq 8-bit is not a cell");
    expect_error("no-exp", "    experiment: nosuch\n    net: small_cnn\n    claimed: greater\n"
                 "    bits: 4\n    method: lsq\n    versus: fp\n    threshold: 0\n",
                 "no-exp.yaml:5:17: claims[0].experiment", "does not load");
}

Test(claims, malformed_threshold_is_located)
{
    expect_error("bad-threshold", CELLS "    bits: 4\n    method: asq\n    versus: lsq\n"
                 "    threshold: half a point\n", "bad-threshold.yaml:11:16: claims[0].threshold",
                 "number");
    expect_error("bad-side", "    experiment: cl\n    net: small_cnn\n    claimed: bigger\n"
                 "    bits: 4\n    method: asq\n    versus: lsq\n    threshold: 0\n",
                 "bad-side.yaml:7:14: claims[0].claimed", "greater");
    expect_error("ops-net", "    net: small_cnn\n    quantity: int_ops\n    claimed: less\n"
                 "    bits: 3\n    method: apot\n    versus: uniform\n    threshold: 0.6\n",
                 "ops-net.yaml:5:10: claims[0].net", "net belongs to accuracy claims");
    expect_error("ops-versus", "    quantity: int_ops\n    claimed: less\n    bits: 3\n"
                 "    method: apot\n    versus: lsq\n    threshold: 0.6\n",
                 "ops-versus.yaml:9:13: claims[0].versus", "against uniform or another");
    expect_error("bad-key", CELLS "    bits: 4\n    method: asq\n    versus: lsq\n"
                 "    threshold: 0\n    treshold: 1\n", "bad-key.yaml:12:5: claims[0].treshold", "treshold");
}

Test(claims, the_committed_claims_file_validates)
{
    ClaimSet cs;
    QbErr err = {{0}};
    cr_assert_eq(claims_load(&cs, "experiments/claims.yaml", "quick", &err), 0, "%s", err.msg);
    cr_assert_geq(cs.n, 30);
    claims_free(&cs);
}

/* asq − lsq at 4 bits over seeds 1-3: +1.09, +0.63, +0.02 (interval [-0.75, +1.91]). */
Test(claims, verdicts_on_fixture_results)
{
    RFix f;
    ClaimSet cs;
    QbErr err = {{0}};
    char base[300], path[400];
    rfix_start(&f, "cl", "baseline: lsq", "[1, 2, 3]");
    rfix_example(f.results, &f.e, &f.l, 95.0);
    /* written before the probe recorded its provenance: never a verdict (tests/probe/
     * test_claim_source.c measures block claims on their own cells) */
    const char *dat = hfix_write("block_error.dat", "# index block lsq lsq_rel asq asq_rel\n"
                                 "# bits 4 samples 8\n0 layer1.0 1.0 0.20 1.0 0.10\n"
                                 "1 layer2.0 1.0 0.30 1.0 0.25\n2 fc 1.0 0.40 1.0 0.45\n");
    char text[4096];
    snprintf(text, sizeof text, "claims:\n"
        "  - {id: beats, claim: c, source: s, experiment: cl, net: small_cnn, bits: 4, method: asq,"
        " versus: lsq, claimed: greater, threshold: 0, paper: {method: 91.2, versus: 91.0}}\n"
        "  - {id: within, claim: c, source: s, experiment: cl, net: small_cnn, bits: 4, method: asq,"
        " versus: lsq, claimed: greater, threshold: -1}\n"
        "  - {id: below-fp, claim: c, source: s, experiment: cl, net: small_cnn, bits: 4,"
        " method: lsq, versus: fp, claimed: greater, threshold: 0}\n"
        "  - {id: pending, claim: c, source: s, experiment: cl, net: small_cnn, bits: 2,"
        " method: lsq, versus: fp, claimed: greater, threshold: 0}\n"
        "  - {id: blocks, claim: c, source: s, quantity: block_error, experiment: cl,"
        " net: small_cnn, bits: 4, method: asq, versus: lsq, claimed: less, threshold: 0,"
        " data: \"%s\"}\n"
        "  - {id: ops, claim: c, source: s, quantity: int_ops, bits: 3, method: apot,"
        " versus: uniform, claimed: less, threshold: 0.9}\n", dat);
    cr_assert_eq(claims_load(&cs, hfix_write("cl-claims.yaml", text), "smoke", &err), 0, "%s",
                 err.msg);
    snprintf(base, sizeof base, "%s/claims", hfix_dir());
    FILE *out = fopen("/dev/null", "w");
    cr_assert_eq(claims_write(&cs, f.results, base, out, &err), 0, "%s", err.msg);
    fclose(out);
    snprintf(path, sizeof path, "%s.md", base);
    const char *md = rfix_slurp(path);
    const char *where = "in the synthetic gratings replica";
    char want[512];
    snprintf(want, sizeof want, "| +0.58 (91.41 vs 90.83) | [-0.75, +1.91] 95%% CI | 3 | "
             "**unresolved** %s | +0.20: inside |", where);
    cr_assert(strstr(md, want), "%s", md);
    snprintf(want, sizeof want, "`asq − lsq > -1 (small_cnn 4-bit top1)` | s | – | **measured:** "
             "scaled replica: synthetic gratings 8x8, quarter-width small CNN, 1 epoch of a "
             "64-image subset at batch 32 (2 steps), from scratch<br>**paper:** not stated | +0.58 "
             "(91.41 vs 90.83) | [-0.75, +1.91] 95%% CI | 3 | **holds** %s | – |", where);
    cr_assert(strstr(md, want), "%s", md);
    snprintf(want, sizeof want, "| 3 | **contradicted** %s |", where);
    cr_assert(strstr(md, want), "lsq − fp < 0 everywhere: %s", md);
    cr_assert(strstr(md, "**missing** in the synthetic gratings replica: cells missing: "
                         "`make reproduce-cl PROFILE=smoke`"), "%s", md);
    /* the fixture's block file has no provenance: not this table's regime */
    cr_assert(strstr(md, "has no provenance"), "%s", md);
    cr_assert(strstr(md, "exact count | 1 | **holds** exactly (operation counts) |"), "%s", md);
    cr_assert(strstr(md, "6 claims: 2 hold, 1 contradicted, 1 unresolved, 2 missing, each in the "
                         "regime its row names."), "%s", md);
    snprintf(path, sizeof path, "%s.csv", base);
    cr_assert(strstr(rfix_slurp(path), "\"beats\",\"c\",\"s\",difference,top1,cl,,small_cnn,4,,"
                                       "asq,lsq,greater,0,,\"\",91.2,91,0.2,0.58,-0.753374,1.91337,3,"
                                       "unresolved,\"scaled replica: synthetic gratings 8x8, "
                                       "quarter-width small CNN, 1 epoch of a 64-image subset at "
                                       "batch 32 (2 steps), from scratch\",\"\",\"+0.20: inside\",\"\",\"\",\"\",0,6\n"),
              "%s", rfix_slurp(path));
    claims_free(&cs);
    rfix_end(&f);
}

/* make claims SEEDS_MAX: an unresolved claim asks for its next seed's two cells (past the
 * file's seeds once those are paired), a resolved one asks for nothing, a seed whose run
 * failed is skipped, and SEEDS_MAX caps it all. */
Test(claims, unresolved_claims_ask_for_the_next_seed_up_to_seeds_max)
{
    RFix f;
    ClaimSet cs;
    QbErr err = {{0}};
    rfix_start(&f, "cl", "baseline: lsq", "[1, 2, 3]");
    rfix_example(f.results, &f.e, &f.l, 95.0);
    const char *path = hfix_write("next-claims.yaml", "claims:\n"
        "  - {id: beats, claim: c, source: s, experiment: cl, net: small_cnn, bits: 4, method: asq,"
        " versus: lsq, claimed: greater, threshold: 0}\n"
        "  - {id: below-fp, claim: c, source: s, experiment: cl, net: small_cnn, bits: 4,"
        " method: lsq, versus: fp, claimed: greater, threshold: 0}\n");
    cr_assert_eq(claims_load(&cs, path, "smoke", &err), 0, "%s", err.msg);
    char text[4096] = "";
    FILE *out = fmemopen(text, sizeof text, "w");
    cr_assert_eq(claims_next_cells(&cs, f.results, out, &err), 0, "all 3 seeds are paired");
    fclose(out);
    cr_assert_eq(claims_seeds_max(&cs, 5, &err), 0, "%s", err.msg);
    cr_assert_eq(cs.exps[0].nseeds, 5);
    cr_assert_eq(cs.exps[0].seeds[4], 5, "seeds after the file's last");
    Experiment e5 = cs.exps[0];
    CellList l5;
    cr_assert_eq(cells_expand(&e5, &l5, &err), 0, "%s", err.msg);
    rfix_result(f.results, &e5, rfix_cell(&l5, "asq", 4, 4), 90.0, RUN_DIVERGED);
    out = fmemopen(text, sizeof text, "w");
    int lines = claims_next_cells(&cs, f.results, out, &err);
    fclose(out);
    cr_assert_eq(lines, 2, "%d lines: %s", lines, text);
    char want[2048];
    snprintf(want, sizeof want, "%s cl/%s.json\n%s cl/%s.json\n", e5.path,
             rfix_cell(&l5, "asq", 4, 5)->id, e5.path, rfix_cell(&l5, "lsq", 4, 5)->id);
    cr_assert_str_eq(text, want, "seed 4 failed, so seed 5 is next; 'below-fp' holds");
    cells_free(&l5);
    claims_free(&cs);
    cr_assert_eq(claims_load(&cs, path, "smoke", &err), 0, "%s", err.msg);
    cr_assert_eq(claims_seeds_max(&cs, 20, &err), 0, "%s", err.msg);
    cr_assert_eq(claims_seeds_max(&cs, EXP_SEED_COUNT_MAX + 1, &err), -1,
                 "SEEDS_MAX above the range");
    claims_free(&cs);
    rfix_end(&f);
}

/* --block-data: the block-error claims read the given file, not their `data:` path (the
 * reference keeps its probe data beside its results); this one has no provenance, so the
 * claim names it as the file to regenerate. */
Test(claims, block_data_overrides_the_claims_data_path)
{
    ClaimSet cs;
    QbErr err = {{0}};
    char base[300], path[400];
    const char *dat = hfix_write("ref_block_error.dat", "# index block lsq lsq_rel asq asq_rel\n"
                                 "# bits 3 samples 8\n0 layer1.0 1.0 0.20 1.0 0.10\n"
                                 "1 layer2.0 1.0 0.30 1.0 0.25\n");
    rfix_experiment("cl", "baseline: lsq", "[1, 2, 3]");
    const char *claims = hfix_write("bd-claims.yaml", "claims:\n"
        "  - {id: blocks, claim: c, source: s, quantity: block_error, experiment: cl,"
        " net: small_cnn, bits: 4, method: asq, versus: lsq, claimed: less, threshold: 0,"
        " data: \"/nonexistent/block_error.dat\"}\n");
    cr_assert_eq(claims_load(&cs, claims, "smoke", &err), 0, "%s", err.msg);
    cr_assert_eq(claims_block_data(&cs, dat, &err), 0, "%s", err.msg);
    snprintf(base, sizeof base, "%s/bd-claims", hfix_dir());
    FILE *out = fopen("/dev/null", "w");
    cr_assert_eq(claims_write(&cs, hfix_dir(), base, out, &err), 0, "%s", err.msg);
    fclose(out);
    snprintf(path, sizeof path, "%s.md", base);
    char named[600];
    snprintf(named, sizeof named, ": %s has no provenance", dat);
    cr_assert(strstr(rfix_slurp(path), named), "%s", rfix_slurp(path));
    char gen[600];
    snprintf(gen, sizeof gen, "--profile smoke --results %s --block-data %s`.", hfix_dir(), dat);
    cr_assert(strstr(rfix_slurp(path), gen), "the command line names the file: %s",
              rfix_slurp(path));
    char longp[400];
    memset(longp, 'a', sizeof longp - 1);
    longp[sizeof longp - 1] = '\0';
    cr_expect_eq(claims_block_data(&cs, longp, &err), -1, "a path longer than the field");
    cr_expect(strstr(err.msg, "path too long"), "%s", err.msg);
    claims_free(&cs);
}

/* The fields of the new kinds: each one missing, malformed or on a claim that does not take
 * it is one located error naming the field and what was expected. */
#define EQUIV CELLS_EQ "    bits: 4\n    method: asq\n    versus: lsq\n"
#define CELLS_EQ "    experiment: cl\n    net: small_cnn\n    kind: equivalence\n"

Test(claims, equivalence_fields_are_validated)
{
    expect_error("eq-kind", "    kind: equivalent\n    bits: 4\n    method: asq\n    versus: lsq\n",
                 "eq-kind.yaml:5:11: claims[0].kind",
                 "expected one of difference, equivalence, difference_of_differences, "
                 "ablation, found 'equivalent'; did you mean 'equivalence'?");
    expect_error("eq-no-margin", EQUIV "    margin_source: here\n", "eq-no-margin.yaml:2:5: claims[0]",
                 "an equivalence claim needs margin");
    expect_error("eq-zero", EQUIV "    margin: 0\n    margin_source: here\n",
                 "eq-zero.yaml:11:13: claims[0].margin", "a margin above 0");
    expect_error("eq-negative", EQUIV "    margin: -0.5\n    margin_source: here\n",
                 "eq-negative.yaml:11:13: claims[0].margin", "-0.5");
    expect_error("eq-words", EQUIV "    margin: one point\n    margin_source: here\n",
                 "eq-words.yaml:11:13: claims[0].margin", "number");
    expect_error("eq-no-source", EQUIV "    margin: 1\n", "eq-no-source.yaml:2:5: claims[0]",
                 "where the margin comes from");
    expect_error("eq-empty-source", EQUIV "    margin: 1\n    margin_source: \"\"\n",
                 "eq-empty-source.yaml:12:20: claims[0].margin_source", "a non-empty string");
    expect_error("eq-side", EQUIV "    margin: 1\n    margin_source: here\n    claimed: greater\n",
                 "eq-side.yaml:13:14: claims[0].claimed",
                 "claimed belongs to difference, difference_of_differences and ablation claims; "
                 "this claim is of kind equivalence, quantity top1");
    expect_error("diff-margin", CELLS "    bits: 4\n    method: asq\n    versus: lsq\n"
                 "    threshold: 0\n    margin: 1\n", "diff-margin.yaml:12:13: claims[0].margin",
                 "margin belongs to equivalence claims");
    expect_error("diff-no-side", "    experiment: cl\n    net: small_cnn\n    bits: 4\n"
                 "    method: asq\n    versus: lsq\n    threshold: 0\n",
                 "diff-no-side.yaml:2:5: claims[0]", "a difference-kind claim needs claimed");
}

Test(claims, difference_of_differences_and_ablation_fields_are_validated)
{
    expect_error("dd-no-base", CELLS "    kind: difference_of_differences\n    bits: 4\n"
                 "    method: lsq\n    versus: fp\n    threshold: 0\n",
                 "dd-no-base.yaml:2:5: claims[0]", "a difference_of_differences claim needs base_bits");
    expect_error("dd-same", CELLS "    kind: difference_of_differences\n    bits: 4\n"
                 "    base_bits: 4\n    method: lsq\n    versus: fp\n    threshold: 0\n",
                 "dd-same.yaml:10:16: claims[0].base_bits", "another bit-width than bits (4)");
    expect_error("dd-cell", CELLS "    kind: difference_of_differences\n    bits: 4\n"
                 "    base_bits: 2\n    method: asq\n    versus: lsq\n    threshold: 0\n",
                 "dd-cell.yaml:10:16: claims[0].base_bits", "small_cnn asq 2-bit is not a cell of");
    expect_error("dd-ops", "    kind: difference_of_differences\n    quantity: int_ops\n"
                 "    bits: 3\n    method: apot\n    versus: uniform\n", "dd-ops.yaml:6:15: claims[0]", "difference_of_differences claims do not compare "
                 "int_ops");
    expect_error("dd-base-on-diff", CELLS "    bits: 4\n    base_bits: 2\n    method: lsq\n"
                 "    versus: fp\n    threshold: 0\n", "dd-base-on-diff.yaml:9:16: claims[0].base_bits",
                 "base_bits belongs to difference_of_differences claims");
    expect_error("ab-none", CELLS "    kind: ablation\n    bits: 4\n    method: lsq\n"
                 "    versus: lsq\n    threshold: 0\n", "ab-none.yaml:2:5: claims[0]",
                 "an ablation claim needs versus_experiment");
    expect_error("ab-self", CELLS "    kind: ablation\n    versus_experiment: cl\n    bits: 4\n"
                 "    method: lsq\n    versus: lsq\n    threshold: 0\n",
                 "ab-self.yaml:9:24: claims[0].versus_experiment", "another than `experiment`");
    expect_error("ab-missing", CELLS "    kind: ablation\n    versus_experiment: nosuch\n"
                 "    bits: 4\n    method: lsq\n    versus: lsq\n    threshold: 0\n",
                 "ab-missing.yaml:9:24: claims[0].versus_experiment", "experiment 'nosuch' does "
                 "not load");
    expect_error("paper-base", CELLS "    bits: 4\n    method: lsq\n    versus: fp\n"
                 "    threshold: 0\n    paper: {method: 1, base_method: 2}\n",
                 "paper-base.yaml:12:37: claims[0].paper.base_method", "base_method and base_versus belong to "
                 "difference_of_differences claims");
    expect_error("paper-value", CELLS "    bits: 4\n    method: lsq\n    versus: fp\n"
                 "    threshold: 0\n    paper: {method: 1, value: 2}\n",
                 "paper-value.yaml:12:31: claims[0].paper.value", "not with method, versus or base_*");
}

#define LEVELS "    quantity: levels\n    claimed: less\n    threshold: 0\n"

Test(claims, level_set_and_probe_fields_are_validated)
{
    expect_error("lv-prop", LEVELS "    bits: 4\n    method: post\n    versus: pot\n",
                 "lv-prop.yaml:2:5: claims[0]", "a level-set claim needs property");
    expect_error("lv-bad-prop", LEVELS "    property: resolution\n    bits: 4\n    method: post\n"
                 "    versus: pot\n", "lv-bad-prop.yaml:8:15: claims[0].property",
                 "expected one of smallest_step, largest_gap, near_zero, found 'resolution'");
    expect_error("lv-range", LEVELS "    property: near_zero\n    bits: 4\n    method: post\n"
                 "    versus: pot\n", "lv-range.yaml:2:5: claims[0].range",
                 "near_zero counts the levels in (0, range]");
    expect_error("lv-extra-range", LEVELS "    property: largest_gap\n    range: 0.1\n    bits: 4\n"
                 "    method: post\n    versus: pot\n", "lv-extra-range.yaml:9:12: claims[0].range",
                 "the other properties take none");
    expect_error("lv-method", LEVELS "    property: largest_gap\n    bits: 4\n    method: asq\n"
                 "    versus: pot\n", "lv-method.yaml:10:13: claims[0].method",
                 "level-set claims compare weight quantizers; 'asq' is none");
    expect_error("lv-bits", LEVELS "    property: largest_gap\n    bits: 4\n    versus_bits: 2\n"
                 "    method: post\n    versus: pot\n", "lv-bits.yaml:12:13: claims[0].versus",
                 "no 2-bit weight levels");
    expect_error("lv-net", LEVELS "    property: largest_gap\n    net: small_cnn\n    bits: 4\n"
                 "    method: post\n    versus: pot\n", "lv-net.yaml:9:10: claims[0].net",
                 "net belongs to accuracy claims");
    expect_error("acc-vbits", CELLS "    bits: 4\n    versus_bits: 2\n    method: lsq\n"
                 "    versus: fp\n    threshold: 0\n", "acc-vbits.yaml:9:18: claims[0].versus_bits",
                 "versus_bits belongs to level-set claims");
    expect_error("acc-over", CELLS "    bits: 4\n    over: some\n    method: lsq\n"
                 "    versus: fp\n    threshold: 0\n", "acc-over.yaml:9:11: claims[0].over",
                 "over belongs to probe claims");
    expect_error("probe-over", "    quantity: layer_error\n    over: most\n    bits: 3\n"
                 "    method: asq\n    versus: lsq\n    claimed: greater\n    threshold: 0\n"
                 "    experiment: cl\n    net: small_cnn\n",
                 "probe-over.yaml:6:11: claims[0].over", "expected one of some, every, found 'most'");
    expect_error("probe-eq", "    quantity: block_error\n    kind: equivalence\n    bits: 3\n"
                 "    method: asq\n    versus: lsq\n",
                 "probe-eq.yaml:5:15: claims[0]", "equivalence claims do not compare "
                 "block_error");
}
