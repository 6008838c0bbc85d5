/* Tables name their regime and the paper's in all three formats; a scaled replica shows no
 * qbench − paper numbers, only the paper's own difference to the baseline checked against
 * qbench's paired interval by sign and magnitude; the paper's own regime keeps its Δ rows. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "tests/support/hfix.h"
#include "rfix.h"

#define REPLICA "scaled replica: synthetic gratings 8x8, quarter-width small CNN, 1 epoch of a " \
                "64-image subset at batch 32 (2 steps), from scratch"
#define PAPER_REGIME "ImageNet, full-width small CNN, 90 epochs"

/* small_cnn, lsq / asq / fp at 4 bits, seeds 1-3, baseline lsq; the paper's LSQ at 85.0 and
 * its ASQ at asq_paper (no ASQ row when negative); profiles smoke (the fixture's replica) and
 * paper (full width, the whole training set). */
static void start(RFix *f, const char *name, const char *layout, double asq_paper,
                  const char *profile)
{
    char text[2048], file[96], asq[128] = "";
    if (asq_paper >= 0)
        snprintf(asq, sizeof asq,
                 "    - {label: ASQ, net: small_cnn, scheme: asq, top1: {4: %.1f}}\n", asq_paper);
    snprintf(text, sizeof text,
             "name: %s\n"
             "title: \"A regime table\"\n"
             "table: {layout: %s, metric: final, baseline: lsq}\n"
             "matrix: {nets: [small_cnn], schemes: [lsq, asq, fp], bits: [4], seeds: [1, 2, 3]}\n"
             "train: {data: synth, input: 1x8x8, width: 0.25, epochs: 1, train_subset: 64,\n"
             "        batch: 32, lr: 0.05, crop_pad: 0}\n"
             "paper:\n"
             "  source: a test\n"
             "  regime: \"" PAPER_REGIME "\"\n"
             "  rows:\n"
             "    - {label: LSQ, net: small_cnn, scheme: lsq, fp: 90.0, top1: {4: 85.0}}\n"
             "%s"
             "profiles:\n"
             "  smoke: {train: {lr: 0.02}}\n"
             "  paper: {train: {width: 1, train_subset: 0}}\n",
             name, layout, asq);
    snprintf(file, sizeof file, "%s.yaml", name);
    snprintf(f->results, sizeof f->results, "%s/res-%s", hfix_dir(), name);
    rfix_load(hfix_write(file, text), profile, &f->e, &f->l);
    /* LSQ 90.09 / 91.17 / 91.23, ASQ 91.18 / 91.80 / 91.25: +0.58 [-0.75, +1.91] */
    rfix_example(f->results, &f->e, &f->l, 94.0);
}

/* The diff field (12th) of every data row of a table CSV is empty. */
static int csv_diff_empty(const char *csv)
{
    const char *line = strchr(csv, '\n');
    while (line && line[1]) {
        const char *at = ++line;
        for (int comma = 0; comma < 11; comma++)
            at = strchr(at, ',') + 1;
        if (*at != ',')
            return 0;
        line = strchr(line, '\n');
    }
    return 1;
}

Test(table_regime, every_format_names_both_regimes)
{
    RFix f;
    start(&f, "rg1", "bits", 85.5, "smoke");
    const char *md = rfix_table(&f.e, &f.l, f.results, NULL, "rg1");
    cr_assert(strstr(md, "\n**Regime: scaled replica** — synthetic gratings 8x8, quarter-width "
                         "small CNN, 1 epoch of a 64-image subset at batch 32 (2 steps), from "
                         "scratch. **Paper's regime:** " PAPER_REGIME ".\n"), "%s", md);
    const char *tex = rfix_table_file("rg1", "tex");
    cr_assert(strstr(tex, "\\caption{A regime table, final top-1 (\\%). Regime: scaled replica --- "
                          "synthetic gratings 8x8"), "%s", tex);
    cr_assert(strstr(tex, "Paper's regime: " PAPER_REGIME "."), "%s", tex);
    const char *csv = rfix_table_file("rg1", "csv");
    cr_assert(strstr(csv, ",paired_hi,paper_paired,sign,magnitude,regime,paper_regime,ref_mean,"),
              "%s", csv);
    /* every data row (lsq, asq, fp) carries both regimes */
    cr_assert_eq(hfix_count(csv, ",\"" REPLICA "\",\"" PAPER_REGIME "\","), 3, "%s", csv);
    rfix_end(&f);
}

/* Fails when a replica table carries qbench − paper in any format or layout. */
Test(table_regime, a_replica_has_no_delta_rows)
{
    static const char *const layouts[] = {"bits", "ablation"};
    for (int i = 0; i < 2; i++) {
        RFix f;
        char name[16];
        snprintf(name, sizeof name, "rgd%d", i);
        start(&f, name, layouts[i], 85.5, "smoke");
        const char *md = rfix_table(&f.e, &f.l, f.results, NULL, name);
        cr_assert(!strstr(md, "| Δ |") && !strstr(md, "Δ ="), "%s", md);
        cr_assert(strstr(md, "qbench − paper is not shown"), "%s", md);
        const char *tex = rfix_table_file(name, "tex");
        cr_assert(!strstr(tex, "$\\Delta$"), "%s", tex);
        cr_assert(csv_diff_empty(rfix_table_file(name, "csv")), "%s",
                  rfix_table_file(name, "csv"));
        rfix_end(&f);
    }
}

/* What each table must contain: the paper's difference to the baseline checked against
 * qbench's paired +0.58 [-0.75, +1.91] in both layouts, and in the paper's own regime the Δ
 * rows as well (LSQ mean 90.83 − 85.0; fp mean 96.00 − 90.0). */
static const struct {
    const char *name, *layout, *profile;
    double asq_paper;
    struct { const char *ext, *text; } want[6];
} comparison_cases[] = {
    {"rgc", "bits", "smoke", 85.5, {
        {"md", "| − lsq (paired) | – | +0.58 [-0.75, +1.91] n=3 |\n"
               "|  |  | paper − lsq | – | +0.50: sign unresolved, inside |"},
        {"md", "`paper − lsq`: the paper's own difference"},
        {"tex", "paper $-$ lsq & -- & +0.50: sign unresolved, inside \\\\"},
        {"csv", ",lsq,3,0.5800,-0.7534,1.9134,0.50,unresolved,inside,\"scaled replica"}}},
    {"rgca", "ablation", "smoke", 88.0, {
        {"md", "| net | method | qbench | paper | BitOPs (×10⁹) | − lsq (paired) | paper − lsq |"},
        {"md", "| +0.58 [-0.75, +1.91] n=3 | +3.00: sign unresolved, outside |"},
        {"csv", ",3.00,unresolved,outside,"}}},
    {"rgp", "bits", "paper", 85.5, {
        {"md", "**Regime: paper's own regime** — synthetic gratings 8x8, full-width small CNN, "
               "1 epoch of the full training set at batch 32"},
        {"md", "|  |  | Δ | +6.00 | +5.83 |"},
        {"md", "Δ = qbench − paper: qbench ran in the paper's own regime"},
        {"md", "| paper − lsq | – | +0.50: sign unresolved, inside |"},
        {"tex", "$\\Delta$ & +6.00 & +5.83"},
        {"csv", ",85.00,5.83,"}}},
};

/* The paper's own regime keeps its Δ rows; every regime checks the paper's difference. */
Test(table_regime, comparison_rows_by_regime_and_layout)
{
    for (size_t i = 0; i < sizeof comparison_cases / sizeof *comparison_cases; i++) {
        RFix f;
        start(&f, comparison_cases[i].name, comparison_cases[i].layout,
              comparison_cases[i].asq_paper, comparison_cases[i].profile);
        rfix_table(&f.e, &f.l, f.results, NULL, comparison_cases[i].name);
        for (int w = 0; w < 6 && comparison_cases[i].want[w].ext; w++) {
            const char *text = rfix_table_file(comparison_cases[i].name,
                                               comparison_cases[i].want[w].ext);
            cr_assert(strstr(text, comparison_cases[i].want[w].text), "no '%s' in %s",
                      comparison_cases[i].want[w].text, text);
        }
        rfix_end(&f);
    }
}

Test(table_regime, no_paper_baseline_no_paper_difference)
{
    RFix f;
    start(&f, "rgn", "bits", -1, "smoke");
    const char *md = rfix_table(&f.e, &f.l, f.results, NULL, "rgn");
    cr_assert(!strstr(md, "| paper − lsq |"), "%s", md);
    cr_assert(strstr(md, "The paper has no lsq number beside these methods"), "%s", md);
    rfix_end(&f);
}

