/* The budget ladder (claims_ladder.h): the claims file's `ladder:` section validated with
 * located errors; the stability of each claim decided at 1x, measured on results written
 * through the real writer at each rung; the claims table's verdict and ladder columns and
 * counts; the rows file of every 2-bit row at each budget; and `qbench ladder --make`, whose
 * fragment trains exactly the decided claims' cells and the rows' cells at every budget. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/claims_ladder.h"
#include "tests/support/hfix.h"
#include "tests/support/shell.h"
#include "rfix.h"

/* small_cnn with lsq, asq and fp at 4 and 2 bits (asq's 2-bit cell chained from its 4-bit
 * one), seeds 1-3, baseline lsq; the smoke profile. */
static const char *ladder_experiment(void)
{
    return hfix_write("lad.yaml",
                      "name: lad\n"
                      "title: \"A ladder table\"\n"
                      "table: {layout: bits, metric: final, baseline: lsq}\n"
                      "matrix:\n"
                      "  nets: [small_cnn]\n"
                      "  schemes: [lsq, asq, fp]\n"
                      "  bits: [4, 2]\n"
                      "  seeds: [1, 2, 3]\n"
                      "progressive:\n"
                      "  - {scheme: asq, bits: [4, 2]}\n"
                      "train: {data: synth, input: 1x8x8, width: 0.25, epochs: 1, "
                      "train_subset: 64,\n"
                      "        batch: 32, lr: 0.05, crop_pad: 0}\n"
                      "profiles:\n"
                      "  smoke:\n"
                      "    train: {lr: 0.02}\n");
}

#define RUNGS "ladder:\n  rows_bits: 2\n  rungs:\n    - {budget: 3, seeds: 3}\n" \
              "    - {budget: 10, seeds: 1}\n"
#define CLAIM(id, bits, method, versus, side, threshold)                                   \
    "  - {id: " id ", claim: c, source: s, experiment: lad, net: small_cnn, bits: " bits  \
    ", method: " method ", versus: " versus ", claimed: " side ", threshold: " threshold "}\n"

/* Decided at 1x: stable and contra-stable keep their verdicts at 3x and their side at 10x;
 * opposite is contradicted and unresolved unresolved at 3x; crossed holds at 3x but its one
 * 10x seed lies on the other side. undecided is unresolved at 1x. */
static const char *const ladder_claims = CLAIM("stable", "4", "asq", "lsq", "greater", "-1")
    CLAIM("opposite", "4", "asq", "lsq", "less", "2")
    CLAIM("unresolved", "4", "asq", "lsq", "less", "3")
    CLAIM("crossed", "4", "lsq", "fp", "less", "0")
    CLAIM("contra-stable", "2", "asq", "fp", "greater", "0")
    CLAIM("undecided", "4", "asq", "lsq", "greater", "0");

static const char *claims_file(const char *name, const char *text)
{
    char file[96];
    snprintf(file, sizeof file, "%s.yaml", name);
    return hfix_write(file, text);
}

static void expect_error(const char *name, const char *ladder, const char *where,
                         const char *what)
{
    ClaimSet cs;
    QbErr err = {{0}};
    char text[2048];
    ladder_experiment();
    snprintf(text, sizeof text, "%sclaims:\n%s", ladder, CLAIM("one", "4", "asq", "lsq",
                                                                "greater", "0"));
    cr_assert_eq(claims_load(&cs, claims_file(name, text), "smoke", &err), -1, "%s loaded",
                 name);
    cr_assert(strstr(err.msg, where), "expected '%s' in: %s", where, err.msg);
    cr_assert(strstr(err.msg, what), "expected '%s' in: %s", what, err.msg);
}

Test(ladder, a_bad_ladder_section_is_one_located_error)
{
    expect_error("ld-order", "ladder:\n  rungs:\n    - {budget: 10, seeds: 1}\n"
                 "    - {budget: 3, seeds: 3}\n", "ld-order.yaml:4:16: ladder.rungs[1].budget",
                 "expected budgets in ascending order, each above the one before (10)");
    expect_error("ld-equal", "ladder:\n  rungs:\n    - {budget: 3, seeds: 1}\n"
                 "    - {budget: 3, seeds: 3}\n", "ld-equal.yaml:4:16: ladder.rungs[1].budget",
                 "ascending order");
    expect_error("ld-one", "ladder:\n  rungs:\n    - {budget: 1, seeds: 3}\n",
                 "ld-one.yaml:3:16: ladder.rungs[0].budget", "[2, 1000]");
    expect_error("ld-seeds", "ladder:\n  rungs:\n    - {budget: 3}\n",
                 "ld-seeds.yaml:3:7: ladder.rungs[0]", "missing required key 'seeds'");
    expect_error("ld-zero-seeds", "ladder:\n  rungs:\n    - {budget: 3, seeds: 0}\n",
                 "ld-zero-seeds.yaml:3:26: ladder.rungs[0].seeds", "[1, 1048576]");
    expect_error("ld-key", "ladder:\n  rungs:\n    - {budget: 3, seeds: 3, seed: 1}\n",
                 "ld-key.yaml:3:29: ladder.rungs[0].seed", "unknown key");
    expect_error("ld-top-key", "ladder:\n  rows_bit: 2\n  rungs:\n    - {budget: 3, seeds: 3}\n",
                 "ld-top-key.yaml:2:3: ladder.rows_bit", "unknown key");
    expect_error("ld-no-rungs", "ladder:\n  rows_bits: 2\n", "ld-no-rungs.yaml:2:3: ladder",
                 "missing required key 'rungs'");
    expect_error("ld-empty", "ladder:\n  rungs: []\n", "ld-empty.yaml:2:10: ladder.rungs",
                 "at least one rung");
    expect_error("ld-bits", "ladder:\n  rows_bits: two\n  rungs:\n    - {budget: 3, seeds: 3}\n",
                 "ld-bits.yaml:2:14: ladder.rows_bits", "integer");
}

Test(ladder, the_committed_ladder_section_loads)
{
    ClaimSet cs;
    QbErr err = {{0}};
    cr_assert_eq(claims_load(&cs, "experiments/claims.yaml", "quick", &err), 0, "%s", err.msg);
    cr_assert_eq(cs.ladder_bits, 2);
    cr_assert_eq(cs.nrungs, 2);
    cr_assert_eq(cs.rungs[0].budget, 3);
    cr_assert_eq(cs.rungs[0].seeds, LADDER_DECIDING_SEEDS);
    cr_assert_eq(cs.rungs[1].budget, 10);
    claims_free(&cs);
}

/* The fixture experiment at budget k (1: as written) with its first `seeds` seeds. */
static void at_budget(int k, int seeds, Experiment *e, CellList *l)
{
    QbErr err = {{0}};
    cr_assert_eq(experiment_load(e, ladder_experiment(), "smoke", &err), 0, "%s", err.msg);
    cr_assert_eq(experiment_budget(e, k, &err), 0, "%s", err.msg);
    cr_assert_eq(experiment_seed_count(e, seeds, &err), 0, "%s", err.msg);
    cr_assert_eq(cells_expand(e, l, &err), 0, "%s", err.msg);
}

/* One budget's results: per (scheme, bits) its top-1 at seeds 1..n. */
typedef struct {
    const char *scheme;
    int bits;
    double top1[3];
} Row;

static void write_budget(const char *results, int k, int seeds, const Row *rows, int nrows)
{
    Experiment e;
    CellList l;
    at_budget(k, seeds, &e, &l);
    for (int i = 0; i < nrows; i++)
        for (int s = 1; s <= seeds; s++)
            rfix_result(results, &e, rfix_cell(&l, rows[i].scheme, rows[i].bits, s),
                        rows[i].top1[s - 1], RUN_OK);
    cells_free(&l);
    experiment_free(&e);
}

/* 1x: asq − lsq at 4 bits +1.09, +0.63, +0.02 ([-0.75, +1.91]); lsq − fp about -6;
 * asq − fp at 2 bits about -14. */
static const Row at_1x[] = {
    {"lsq", 4, {90.09, 91.17, 91.23}}, {"asq", 4, {91.18, 91.80, 91.25}},
    {"fp", 0, {96.0, 97.0, 98.0}},     {"lsq", 2, {81.0, 82.0, 83.0}},
    {"asq", 2, {82.0, 83.5, 84.0}},
};
/* 3x: asq − lsq at 4 bits +3.0, +3.1, +2.9 ([+2.75, +3.25]); the rest on 1x's side. */
static const Row at_3x[] = {
    {"lsq", 4, {90.0, 91.0, 92.0}}, {"asq", 4, {93.0, 94.1, 94.9}},
    {"fp", 0, {96.0, 97.5, 98.2}},  {"lsq", 2, {86.0, 87.0, 88.0}},
    {"asq", 2, {87.0, 88.5, 89.0}},
};
/* 10x, seed 1: asq − lsq +1.5, lsq − fp +1 (the other side), asq − fp at 2 bits -0.5. */
static const Row at_10x[] = {
    {"lsq", 4, {90.0}}, {"asq", 4, {91.5}}, {"fp", 0, {89.0}}, {"lsq", 2, {88.0}},
    {"asq", 2, {88.5}},
};

/* The claims table of ladder_claims over results into <scratch>/<name>.{md,csv}; the
 * markdown, the command's lines in out. */
static const char *write_claims(const char *name, const char *results, char *out, size_t cap)
{
    ClaimSet cs;
    QbErr err = {{0}};
    char text[4096], base[300], path[400];
    snprintf(text, sizeof text, RUNGS "claims:\n%s", ladder_claims);
    cr_assert_eq(claims_load(&cs, claims_file(name, text), "smoke", &err), 0, "%s", err.msg);
    snprintf(base, sizeof base, "%s/%s", hfix_dir(), name);
    FILE *f = fmemopen(out, cap, "w");
    cr_assert_eq(claims_write(&cs, results, base, f, &err), 0, "%s", err.msg);
    fclose(f);
    claims_free(&cs);
    snprintf(path, sizeof path, "%s.md", base);
    return rfix_slurp(path);
}

/* The table row of claim id (static buffer). */
static const char *row_of(const char *md, const char *id)
{
    static char row[4096];
    char key[64];
    snprintf(key, sizeof key, "\n| %s | ", id);
    const char *at = strstr(md, key);
    cr_assert(at, "no row %s: %s", id, md);
    at++;
    size_t n = strcspn(at, "\n");
    cr_assert_lt(n, sizeof row);
    memcpy(row, at, n);
    row[n] = '\0';
    return row;
}

/* <scratch>/<name>-ladder.md and .csv: every 2-bit row (lsq and asq; fp has none) at 1x, 3x
 * and 10x, beside its paired difference to the baseline lsq. */
static void expect_rows(const char *name)
{
    char path[400];
    snprintf(path, sizeof path, "%s/%s-ladder.md", hfix_dir(), name);
    const char *md = rfix_slurp(path);
    cr_assert(strstr(md, "| table | net | method | baseline | 1x | 3x | 10x | − baseline, 1x | "
                         "− baseline, 3x | − baseline, 10x |"), "%s", md);
    cr_assert(strstr(md, "| lad | small_cnn | lsq | lsq | 82.00 ± 1.00 (3) | 87.00 ± 1.00 (3) | "
                         "88.00 (1) | – | – | – |"), "%s", md);
    cr_assert(strstr(md, "| lad | small_cnn | asq | lsq | 83.17 ± 1.04 (3) | 88.17 ± 1.04 (3) | "
                         "88.50 (1) | +1.17 [+0.45, +1.88] n=3 | +1.17 [+0.45, +1.88] n=3 | "
                         "+0.50 (n=1, no interval) |"), "%s", md);
    cr_assert_eq(hfix_count(md, "| lad | small_cnn |"), 2, "fp and the 4-bit rows: %s", md);
    cr_assert(strstr(md, "- `lad`: scaled replica: synthetic gratings 8x8"), "%s", md);
    snprintf(path, sizeof path, "%s/%s-ladder.csv", hfix_dir(), name);
    const char *csv = rfix_slurp(path);
    cr_assert(strstr(csv, "\nlad,small_cnn,lsq,2,3,3,3,87.0000,1.0000,,,,,0\n"), "%s", csv);
    cr_assert(strstr(csv, "\nlad,small_cnn,asq,2,1,3,3,83.1667,1.0408,1.1667,0.4496,1.8838,"
                          "t95,3\n"), "%s", csv);
    cr_assert(strstr(csv, "\nlad,small_cnn,asq,2,10,1,1,88.5000,,0.5000,,,,1\n"), "%s", csv);
    /* every line has the header's columns */
    const char *header_end = strchr(csv, '\n');
    int columns = 0;
    for (const char *p = csv; p < header_end; p++)
        columns += *p == ',';
    cr_assert_eq(hfix_count(csv, "\n"), 7, "a header and 2 rows at 3 budgets: %s", csv);
    for (const char *line = header_end + 1; *line; line = strchr(line, '\n') + 1) {
        int commas = 0;
        for (const char *p = line; *p != '\n'; p++)
            commas += *p == ',';
        cr_assert_eq(commas, columns, "%.*s", (int)strcspn(line, "\n"), line);
    }
}

static const char *where = " in the synthetic gratings replica";

/* The claims table and the rows file over results at every rung (one set of result files:
 * each is written and synced like a run's). */
Test(ladder, every_claim_decided_at_1x_is_marked_stable_or_sensitive_with_its_rows)
{
    static char out[8192];
    char results[300], want[600];
    snprintf(results, sizeof results, "%s/res-stab", hfix_dir());
    write_budget(results, 1, 3, at_1x, 5);
    write_budget(results, 3, 3, at_3x, 5);
    write_budget(results, 10, 1, at_10x, 5);
    const char *md = write_claims("stab", results, out, sizeof out);

    const char *r = row_of(md, "stable");
    snprintf(want, sizeof want, "| 3 | **holds**%s | – | 3x: +3.00 [+2.75, +3.25] holds (n=3)"
             "<br>10x: +1.50, on 1x's side (n=1)<br>**budget-stable** |", where);
    cr_assert(strstr(r, want), "%s", r);
    r = row_of(md, "contra-stable");
    cr_assert(strstr(r, "| **contradicted**") && strstr(r, "contradicted (n=3)<br>10x: -0.50, "
                                                        "on 1x's side (n=1)<br>**budget-stable** |"),
              "%s", r);
    /* a verdict that moves with the budget never reads as plain holds */
    static const char *const sensitive[] = {"opposite", "unresolved", "crossed"};
    for (int i = 0; i < 3; i++) {
        r = row_of(md, sensitive[i]);
        snprintf(want, sizeof want, "| 3 | **budget-sensitive**: holds at 1x%s |", where);
        cr_assert(strstr(r, want), "%s", r);
        cr_assert(!strstr(r, "**holds**"), "%s", r);
        cr_assert(strstr(r, "<br>**budget-sensitive** |"), "%s", r);
    }
    cr_assert(strstr(row_of(md, "opposite"), "| 3x: +3.00 [+2.75, +3.25] contradicted (n=3)"
                                             "<br>10x: +1.50, on 1x's side (n=1)<br>"),
              "%s", md);
    cr_assert(strstr(row_of(md, "unresolved"), "| 3x: +3.00 [+2.75, +3.25] unresolved (n=3)"),
              "%s", md);
    cr_assert(strstr(row_of(md, "crossed"), "holds (n=3)<br>10x: +1.00, on the other side "
                                            "(n=1)<br>**budget-sensitive** |"), "%s", md);
    /* undecided at 1x: not laddered, not counted */
    snprintf(want, sizeof want, "| 3 | **unresolved**%s | – | – |", where);
    cr_assert(strstr(row_of(md, "undecided"), want), "%s", md);
    cr_assert(strstr(md, "6 claims: 4 hold, 1 contradicted, 1 unresolved, 0 missing; of the "
                         "decided accuracy claims, 2 budget-stable, 3 budget-sensitive, 0 with "
                         "the ladder incomplete, each in the regime its row names."), "%s", md);
    cr_assert(strstr(md, "| paper's value in qbench's interval | budget ladder |"), "%s", md);
    cr_assert(strstr(md, "3x with 3 seeds (a verdict of its own); 10x with 1 seed (the side of "
                         "the bound its mean lies on"), "%s", md);
    snprintf(want, sizeof want, "opposite: holds%s (n=3); budget-sensitive\n", where);
    cr_assert(strstr(out, want), "%s", out);
    snprintf(want, sizeof want, "undecided: unresolved%s (n=3)\n", where);
    cr_assert(strstr(out, want), "%s", out);

    char path[400];
    snprintf(path, sizeof path, "%s/stab.csv", hfix_dir());
    const char *csv = rfix_slurp(path);
    cr_assert(strstr(csv, ",measure_with,ladder,ladder_stability,unconverged,"
                          "convergence_not_recorded\n"), "%s", csv);
    cr_assert(strstr(csv, ",\"3x: +3.00 [+2.75, +3.25] contradicted (n=3); 10x: +1.50, on 1x's "
                          "side (n=1)\",\"budget-sensitive\","), "%s", csv);
    cr_assert(strstr(csv, ",unresolved,\"scaled replica") && strstr(csv, ",\"\",\"\","),
              "the undecided claim's ladder columns are empty: %s", csv);
    expect_rows("stab");
}

/* A rung without its cells: a deciding one (3 seeds) leaves the ladder incomplete; one too
 * small to decide (10x, 1 seed) leaves the verdict stable to the budgets measured, named in
 * the label and counted in the summary. Only the 4-bit cells and fp are trained here, so the
 * 2-bit claim is missing at 1x: not laddered. */
Test(ladder, a_missing_rung_leaves_the_ladder_incomplete_or_stable_to_the_last_measured)
{
    static char out[8192];
    char results[300];
    snprintf(results, sizeof results, "%s/res-inc", hfix_dir());
    write_budget(results, 1, 3, at_1x, 3);
    write_budget(results, 3, 3, at_3x, 3);
    const char *md = write_claims("inc", results, out, sizeof out);
    cr_assert(strstr(row_of(md, "stable"), "| **holds**"), "%s", md);
    cr_assert(strstr(row_of(md, "stable"),
                     "holds (n=3)<br>10x: missing<br>**budget-stable** to 3x |"), "%s", md);
    cr_assert(strstr(row_of(md, "crossed"), "<br>10x: missing<br>**budget-stable** to 3x |"),
              "%s", md);
    cr_assert(strstr(row_of(md, "opposite"), "<br>10x: missing<br>**budget-sensitive** |"), "%s", md);
    const char *r = row_of(md, "contra-stable");
    cr_assert(strstr(r, "| **missing**") && !strcmp(r + strlen(r) - strlen(" – |"), " – |"),
              "not laddered: %s", r);
    cr_assert(strstr(md, "6 claims: 4 hold, 0 contradicted, 1 unresolved, 1 missing; of the "
                         "decided accuracy claims, 2 budget-stable to 3x, 2 budget-sensitive, 0 with the ladder incomplete"), "%s", md);

    /* without the 3x cells, no rung decides: incomplete */
    snprintf(results, sizeof results, "%s/res-inc1", hfix_dir());
    write_budget(results, 1, 3, at_1x, 3);
    md = write_claims("inc1", results, out, sizeof out);
    cr_assert(strstr(row_of(md, "stable"), "3x: missing<br>10x: missing<br>**ladder incomplete** |"),
              "%s", md);
    cr_assert(strstr(md, "of the decided accuracy claims, 0 budget-stable, 0 budget-sensitive, "
                         "4 with the ladder incomplete"), "%s", md);
}

/* The rule itself: a rung of LADDER_DECIDING_SEEDS pairs or more decides by its verdict, a
 * smaller one by the side of its mean; either way against the 1x verdict. */
static ClaimResult rung(int n, double mean, Verdict v)
{
    ClaimResult r = {0};
    r.d = (Paired){n, mean, NAN, mean - 1, mean + 1, 1};
    r.v = v;
    return r;
}

Test(ladder, the_stability_rule)
{
    const Claim greater = {.kind = CLAIM_DIFFERENCE, .quantity = CLAIM_TOP1, .greater = 1,
                           .threshold = 0};
    const Claim equal = {.kind = CLAIM_EQUIVALENCE, .quantity = CLAIM_TOP1, .threshold = 0,
                         .margin = 1};
    ClaimResult at[2];
    int planned[2] = {0, 0};
    at[0] = rung(3, 2.0, VERDICT_HOLDS), at[1] = rung(1, 0.5, VERDICT_UNRESOLVED);
    cr_expect_eq(ladder_stability(&greater, VERDICT_HOLDS, at, planned, 2), LADDER_STABLE);
    at[1] = rung(2, -0.5, VERDICT_UNRESOLVED);   /* two seeds: the side decides */
    cr_expect_eq(ladder_stability(&greater, VERDICT_HOLDS, at, planned, 2), LADDER_SENSITIVE);
    at[1] = rung(0, NAN, VERDICT_MISSING);   /* a rung too small to decide, not run yet */
    cr_expect_eq(ladder_stability(&greater, VERDICT_HOLDS, at, planned, 2), LADDER_STABLE);
    planned[1] = LADDER_DECIDING_SEEDS;      /* a deciding rung not run */
    cr_expect_eq(ladder_stability(&greater, VERDICT_HOLDS, at, planned, 2), LADDER_INCOMPLETE);
    planned[1] = 0;
    at[0] = rung(2, 2.0, VERDICT_UNRESOLVED), at[1] = rung(1, 3.0, VERDICT_UNRESOLVED);
    cr_expect_eq(ladder_stability(&greater, VERDICT_HOLDS, at, planned, 2), LADDER_INCOMPLETE,
                 "no rung decides");
    at[0] = rung(3, -2.0, VERDICT_CONTRADICTED), at[1] = rung(1, -0.1, VERDICT_UNRESOLVED);
    cr_expect_eq(ladder_stability(&greater, VERDICT_CONTRADICTED, at, planned, 2), LADDER_STABLE);
    cr_expect_eq(ladder_stability(&greater, VERDICT_HOLDS, at, planned, 2), LADDER_SENSITIVE);
    at[0] = rung(4, 0.2, VERDICT_HOLDS), at[1] = rung(1, 0.9, VERDICT_UNRESOLVED);
    cr_expect_eq(ladder_stability(&equal, VERDICT_HOLDS, at, planned, 2), LADDER_STABLE);
    at[1] = rung(1, -1.5, VERDICT_UNRESOLVED);   /* outside the margin */
    cr_expect_eq(ladder_stability(&equal, VERDICT_HOLDS, at, planned, 2), LADDER_SENSITIVE);
    /* a rung short of its planned seeds (cells still training) decides nothing yet */
    planned[0] = 3, planned[1] = 3;
    at[0] = rung(4, 0.2, VERDICT_HOLDS);
    cr_expect_eq(ladder_stability(&equal, VERDICT_HOLDS, at, planned, 2), LADDER_INCOMPLETE);
    at[1] = rung(3, -1.5, VERDICT_CONTRADICTED);
    cr_expect_eq(ladder_stability(&equal, VERDICT_HOLDS, at, planned, 2), LADDER_SENSITIVE);
}


/* lad4: small_cnn lsq and fp at 4 bits only, no 2-bit rows; no reference results. */
static void ladder_experiment_4bit(void)
{
    hfix_write("lad4.yaml", "name: lad4\n"
                            "title: \"A 4-bit table\"\n"
                            "table: {layout: bits, metric: final}\n"
                            "matrix: {nets: [small_cnn], schemes: [lsq, fp], bits: [4], "
                            "seeds: [1, 2, 3]}\n"
                            "train: {data: synth, input: 1x8x8, width: 0.25, epochs: 1, "
                            "train_subset: 64, batch: 32, lr: 0.05, crop_pad: 0}\n"
                            "profiles:\n"
                            "  smoke:\n"
                            "    train: {lr: 0.02}\n");
}

/* The ids the fragment's `ladder` target lists, in a NUL-separated buffer; returns the count. */
static int target_ids(const char *mk, char *ids, size_t cap)
{
    const char *at = strstr(mk, "\nladder:");
    cr_assert(at, "no ladder target: %s", mk);
    const char *end = strstr(at, "\n\n");
    cr_assert(end);
    int n = 0;
    size_t used = 0;
    for (const char *p = strstr(at, "$(RESULTS)/"); p && p < end;
         p = strstr(p + 1, "$(RESULTS)/")) {
        size_t len = strcspn(p, " \n");
        cr_assert_lt(used + len + 1, cap);
        memcpy(ids + used, p, len);
        ids[used + len] = '\0';
        used += len + 1, n++;
    }
    return n;
}

static int target_has(const char *ids, int n, const char *exp, const char *id)
{
    char want[256];
    snprintf(want, sizeof want, "$(RESULTS)/%s/%s.json", exp, id);
    for (int i = 0; i < n; i++, ids += strlen(ids) + 1)
        if (!strcmp(ids, want))
            return 1;
    return 0;
}

/* `qbench ladder --make`: the claim the reference decides (lsq − fp) and the 2-bit rows, at
 * 1x with the file's seeds, at 3x with 3 and at 10x with 1; not the claim it leaves
 * unresolved (asq − lsq) nor the one it has no results of (lad4). asq's 2-bit cell is chained
 * from its 4-bit cell: that parent is no prerequisite of the target, but its rule is there at
 * every budget, so make trains it first. */
Test(ladder, the_fragment_trains_the_decided_claims_and_the_rows_at_every_budget)
{
    static char out[8192], mk[1 << 18], ids[1 << 14];
    char ref[300], claims[4096], args[2400], path[400];
    snprintf(ref, sizeof ref, "%s/ref-make", hfix_dir());
    write_budget(ref, 1, 3, at_1x, 3);
    ladder_experiment_4bit();
    snprintf(claims, sizeof claims, RUNGS "claims:\n%s%s%s",
             CLAIM("decided", "4", "lsq", "fp", "less", "0"),
             CLAIM("undecided", "4", "asq", "lsq", "greater", "0"),
             "  - {id: other, claim: c, source: s, experiment: lad4, net: small_cnn, bits: 4,"
             " method: lsq, versus: fp, claimed: less, threshold: 0}\n");
    const char *file = claims_file("make-claims", claims);
    snprintf(path, sizeof path, "%s/ladder.mk", hfix_dir());
    snprintf(args, sizeof args, "ladder %s --profile smoke --results %s/res-make --reference %s "
             "--make %s", file, hfix_dir(), ref, path);
    cr_assert_eq(qbench_run(NULL, args, out, sizeof out), 0, "%s", out);
    char want[1200];
    snprintf(want, sizeof want, "%s (profile smoke): the ladder's 28 cells at 1x and 2 rungs -> "
             "%s\n", file, path);
    cr_assert_str_eq(out, want);
    hfix_read(path, mk, sizeof mk);
    int n = target_ids(mk, ids, sizeof ids);
    cr_assert_eq(n, 28, "%s", mk);

    static const struct { int budget, seeds; const char *flags; } slot[] = {
        {1, 3, " --profile smoke --cell "},
        {3, 3, " --profile smoke --seeds 3 --budget 3 --cell "},
        {10, 1, " --profile smoke --seeds 1 --budget 10 --cell "},
    };
    int rules = 0;
    for (int b = 0; b < 3; b++) {
        Experiment e;
        CellList l;
        at_budget(slot[b].budget, slot[b].seeds, &e, &l);
        for (int i = 0; i < l.n; i++) {
            const Cell *c = &l.cells[i];
            int wanted = (c->bits == 4 && !strcmp(c->scheme, "lsq")) || c->bits == 0 ||
                         c->bits == 2;
            cr_assert_eq(target_has(ids, n, "lad", c->id), wanted, "%dx %s %d-bit seed %lld",
                         slot[b].budget, c->scheme, c->bits, c->seed);
            snprintf(want, sizeof want, "%s%s --results", slot[b].flags, c->id);
            cr_assert_eq(hfix_count(mk, want), 1, "the rule of %s at %dx", c->id,
                         slot[b].budget);
            rules++;
            if (c->parent >= 0) {
                snprintf(want, sizeof want, "$(RESULTS)/lad/%s.json: $(RESULTS)/lad/%s.ckpt",
                         c->id, l.cells[c->parent].id);
                cr_assert(strstr(mk, want), "%s after its parent: %s", c->id, mk);
            }
        }
        cells_free(&l);
        experiment_free(&e);
    }
    cr_assert_eq(hfix_count(mk, " run-cell "), rules, "rules of other cells: %s", mk);
    cr_assert_eq(hfix_count(mk, "lad4"), 0, "%s", mk);

    /* make itself reads it: the 28 cells and the 7 chain parents they need */
    snprintf(args, sizeof args, "env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -n -f %s "
             "QBENCH=qbench RESULTS=%s/res-make ladder", path, hfix_dir());
    cr_assert_eq(shell_run(args, mk, sizeof mk), 0, "%s", mk);
    cr_assert_eq(hfix_count(mk, " qbench run-cell "), 35, "%s", mk);
}

Test(ladder, the_command_wants_its_fragment_and_a_ladder_section)
{
    char out[4096], args[1200];
    ladder_experiment();
    const char *file = claims_file("no-ladder", "claims:\n" CLAIM("one", "4", "asq", "lsq",
                                                                   "greater", "0"));
    snprintf(args, sizeof args, "ladder %s --profile smoke --make %s/x.mk", file, hfix_dir());
    cr_assert_neq(qbench_run(NULL, args, out, sizeof out), 0, "%s", out);
    cr_assert(strstr(out, "no-ladder.yaml: no ladder section (ladder: {rows_bits, rungs: "
                          "[{budget, seeds}]})"), "%s", out);
    snprintf(args, sizeof args, "ladder %s --profile smoke", file);
    cr_assert_neq(qbench_run(NULL, args, out, sizeof out), 0, "%s", out);
    cr_assert(strstr(out, "qbench ladder: --make OUT.mk is required"), "%s", out);
}
