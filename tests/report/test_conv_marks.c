/* Convergence marks: a table entry resting on an unconverged run carries ↘ in Markdown and
 * LaTeX, the notes count the cells unconverged and not recorded (one line when none is
 * recorded), the CSV counts them per row, and the claims table marks a verdict resting on an
 * unconverged run. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "tests/support/curvefix.h"
#include "tests/support/hfix.h"
#include "rfix.h"

/* LSQ 4-bit 90/91/92 with seed 1 still falling, ASQ 4-bit 92/93.5/94 flat, fp 95/96.5/97
 * written without curves. */
static void mixed_results(RFix *f)
{
    TrainCurve falling, flat;
    curvefix_fill(&falling, 1000, 1.0, 0.5, 0.05);
    curvefix_fill(&flat, 1000, 0.5, 0.5, 0.01);
    for (int s = 1; s <= 3; s++) {
        rfix_result_curve(f->results, &f->e, rfix_cell(&f->l, "lsq", 4, s), 89.0 + s,
                          s == 1 ? &falling : &flat);
        rfix_result_curve(f->results, &f->e, rfix_cell(&f->l, "asq", 4, s),
                          91.0 + s + (s == 2) * 0.5, &flat);
        rfix_result(f->results, &f->e, rfix_cell(&f->l, "fp", 0, s), 94.0 + s + (s == 2) * 0.5,
                    RUN_OK);
    }
}

/* The line of text holding `what` (static buffer; "" when none). */
static const char *csv_line(const char *text, const char *what)
{
    static char line[4096];
    const char *at = strstr(text, what);
    line[0] = '\0';
    if (at) {
        while (at > text && at[-1] != '\n')
            at--;
        snprintf(line, sizeof line, "%.*s", (int)strcspn(at, "\n"), at);
    }
    return line;
}

static int ends_with(const char *s, const char *end)
{
    size_t n = strlen(s), k = strlen(end);
    return n >= k && !strcmp(s + n - k, end);
}

Test(conv_marks, an_entry_with_an_unconverged_run_is_marked_and_counted)
{
    RFix f;
    rfix_start(&f, "cm", "baseline: lsq", "[1, 2, 3]");
    mixed_results(&f);
    const char *md = rfix_table(&f.e, &f.l, f.results, NULL, "cm-table");
    cr_assert(strstr(md, "| small_cnn | LSQ | qbench | 96.17 ± 1.04 | pending | 91.00 ± 1.00 ↘ |"),
              "%s", md);
    cr_assert(strstr(md, "| 93.17 ± 1.04 |"), "a converged entry is not marked: %s", md);
    cr_assert_eq(hfix_count(md, "↘"), 2, "the entry and the note's legend: %s", md);
    cr_assert(strstr(md, "\nConvergence (the training loss at the end of a run's own curve: "
                         "experiments/README.md, Result files): 1 of 9 finished cells "
                         "unconverged, 3 not recorded (results written before training "
                         "curves). Unconverged rows: small_cnn lsq (4 bits). ↘ marks an entry "
                         "with an unconverged run: its training loss was still falling, so "
                         "longer training may move the number.\n"), "%s", md);
    /* the note is in the header, before the tables */
    cr_assert_lt(strstr(md, "\nConvergence (") - md, strstr(md, "| net |") - md, "%s", md);
    const char *tex = rfix_table_file("cm-table", "tex");
    cr_assert(strstr(tex, "91.00 $\\pm$ 1.00 $\\searrow$ \\\\"), "%s", tex);
    cr_assert(strstr(tex, "1 of 9 finished cells unconverged"), "%s", tex);
    const char *csv = rfix_table_file("cm-table", "csv");
    cr_assert(strstr(csv, ",ref_other_code,unconverged,convergence_not_recorded\n"), "%s", csv);
    cr_assert(ends_with(csv_line(csv, "lsq,4,top1,91.0000,"), ",0,1,0"), "%s", csv);
    cr_assert(ends_with(csv_line(csv, "asq,4,top1,"), ",0,0,0"), "%s", csv);
    cr_assert(ends_with(csv_line(csv, "fp,32,top1,"), ",0,0,3"), "%s", csv);
    rfix_end(&f);
}

Test(conv_marks, results_without_curves_say_not_recorded_once)
{
    RFix f;
    rfix_start(&f, "cn", "baseline: lsq", "[1, 2, 3]");
    rfix_example(f.results, &f.e, &f.l, 94.0);
    const char *md = rfix_table(&f.e, &f.l, f.results, NULL, "cn-table");
    cr_assert(strstr(md, "\nConvergence: not recorded for these 9 cells (results written before "
                         "training curves).\n"), "%s", md);
    cr_assert_eq(hfix_count(md, "not recorded"), 1, "%s", md);
    cr_assert(!strstr(md, "↘"), "%s", md);
    rfix_end(&f);
}

Test(conv_marks, a_claim_resting_on_an_unconverged_run_says_so)
{
    RFix f;
    const char *csv;
    rfix_start(&f, "cc", "baseline: lsq", "[1, 2, 3]");
    mixed_results(&f);
    const char *md = rfix_claims("cc-claims", "claims:\n"
        "  - {id: beats, claim: c, source: s, experiment: cc, net: small_cnn, bits: 4, method: asq,"
        " versus: lsq, claimed: greater, threshold: 0}\n"
        "  - {id: below-fp, claim: c, source: s, experiment: cc, net: small_cnn, bits: 4,"
        " method: lsq, versus: fp, claimed: less, threshold: 0}\n"
        "  - {id: pending, claim: c, source: s, experiment: cc, net: small_cnn, bits: 2,"
        " method: lsq, versus: fp, claimed: less, threshold: 0}\n", f.results, &csv);
    cr_assert(strstr(md, "| 3 | **holds** in the synthetic gratings replica<br>↘ rests on 1 "
                         "unconverged run | – |"), "%s", md);
    cr_assert_eq(hfix_count(md, "rests on 1 unconverged run"), 2, "%s", md);
    cr_assert(strstr(md, "of 2 measured accuracy claims, 2 rest on an unconverged run (↘ on "
                         "their row: the verdict may move with longer training), 1 on runs "
                         "without a recorded verdict"), "%s", md);
    cr_assert(strstr(csv, ",ladder_stability,unconverged,convergence_not_recorded\n"), "%s", csv);
    cr_assert(ends_with(csv_line(csv, "\"beats\""), ",1,0"), "6 runs, 1 unconverged: %s", csv);
    cr_assert(ends_with(csv_line(csv, "\"below-fp\""), ",1,3"), "fp has no curve: %s", csv);
    cr_assert(ends_with(csv_line(csv, "\"pending\""), ",0,0"), "nothing measured: %s", csv);
    rfix_end(&f);
}
