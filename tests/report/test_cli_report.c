/* The reporting verbs as make calls them: `report` with --reference and --tolerance,
 * `verdicts`, `claims`, and their bad values (the built binary on fixture results). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "tests/support/hfix.h"
#include "tests/support/shell.h"
#include "rfix.h"

static int report(const RFix *f, const char *flags, char *out, size_t cap)
{
    char cmd[2048];
    snprintf(cmd, sizeof cmd, "%s report %s --profile smoke --results %s --out %s/cli %s",
             test_qbench_bin(), f->e.path, f->results, hfix_dir(), flags);
    return shell_run(cmd, out, cap);
}

static int verdicts(const RFix *f, const char *method, char *out, size_t cap)
{
    char cmd[2048];
    snprintf(cmd, sizeof cmd, "%s verdicts %s --profile smoke --results %s --method %s",
             test_qbench_bin(), f->e.path, f->results, method);
    return shell_run(cmd, out, cap);
}

static const char *last_line(const char *text)
{
    size_t n = strlen(text);
    while (n && text[n - 1] == '\n')
        n--;
    while (n && text[n - 1] != '\n')
        n--;
    return text + n;
}

Test(cli_report, reference_summary_is_the_last_line)
{
    RFix f;
    char out[8192], flags[600];
    rfix_start(&f, "cr", "baseline: lsq", "[1, 2, 3]");
    rfix_example(f.results, &f.e, &f.l, 90.0);
    snprintf(flags, sizeof flags, "--reference %s/cr --tolerance 0.3", f.results);
    cr_assert_eq(report(&f, flags, out, sizeof out), 0, "%s", out);
    cr_assert(strstr(last_line(out), "Reproduction check against"), "%s", out);
    /* the results are their own reference: bit-identical */
    cr_assert(strstr(last_line(out), "3/3 identical to the reference"), "%s", out);
    cr_assert_eq(report(&f, "--tolerance abc", out, sizeof out), 2, "%s", out);
    cr_assert(strstr(out, "--tolerance: expected points from 0 to 100, got 'abc'"), "%s", out);
    cr_assert_eq(report(&f, "--reference /nonexistent", out, sizeof out), 1, "%s", out);
    cr_assert(strstr(out, "/nonexistent: cannot open the reference results directory"), "%s",
              out);
    rfix_end(&f);
}

Test(cli_report, verdicts_end_with_the_count)
{
    RFix f;
    char out[8192];
    rfix_start(&f, "cv", "baseline: lsq", "[1, 2, 3]");
    rfix_example(f.results, &f.e, &f.l, 80.0);
    cr_assert_eq(verdicts(&f, "asq", out, sizeof out), 0, "%s", out);
    cr_assert(strstr(last_line(out), "asq: better in 1, worse in 0, unresolved in 1"), "%s", out);
    cr_assert_eq(verdicts(&f, "nosuch", out, sizeof out), 1, "%s", out);
    cr_assert(strstr(out, "--method nosuch: not a quantized scheme"), "%s", out);
    rfix_end(&f);
}

/* `qbench VERB CLAIMS --profile smoke --results R FLAGS` on a claims file of one claim on the
 * fixture experiment's 4-bit cells: `method` above `versus`. */
static int claims_run(const RFix *f, const char *verb, const char *method, const char *versus,
                      const char *flags, char *out, size_t cap)
{
    char name[sizeof f->e.name + 16], text[600], cmd[2048];
    snprintf(name, sizeof name, "%s-claims.yaml", f->e.name);
    snprintf(text, sizeof text, "claims:\n  - {id: %s-%s, claim: c, source: s, experiment: %s, "
             "net: small_cnn, bits: 4, method: %s, versus: %s, claimed: greater, threshold: 0}\n",
             method, versus, f->e.name, method, versus);
    snprintf(cmd, sizeof cmd, "%s %s %s --profile smoke --results %s %s", test_qbench_bin(), verb,
             hfix_write(name, text), f->results, flags);
    return shell_run(cmd, out, cap);
}

Test(cli_report, claims_from_the_command_line)
{
    RFix f;
    char out[8192], flags[400];
    rfix_start(&f, "cc", "baseline: lsq", "[1, 2, 3]");
    rfix_example(f.results, &f.e, &f.l, 80.0);
    snprintf(flags, sizeof flags, "--out %s/cc", hfix_dir());
    cr_assert_eq(claims_run(&f, "claims", "asq", "fp", flags, out, sizeof out), 0, "%s", out);
    cr_assert(strstr(out, "asq-fp: holds in the synthetic gratings replica (n=3)"), "%s", out);
    cr_assert(strstr(last_line(out), "1 claims: 1 hold, 0 contradicted"), "%s", out);
    /* an unresolved claim (ASQ over LSQ: [-0.75, +1.91]) needs its next seed's two cells */
    cr_assert_eq(claims_run(&f, "next-cells", "asq", "lsq", "--seeds-max 4", out, sizeof out), 0,
                 "%s", out);
    cr_assert_eq(hfix_count(out, "\n"), 2, "two cells of seed 4: %s", out);
    cr_assert(strstr(out, "cc.yaml cc/"), "%s", out);
    rfix_end(&f);
}

/* make claims SEEDS_MAX=N, round by round: the fragment's `next` target needs the next seed's
 * two results and then runs $(AGAIN); a round whose cells got no result is refused instead
 * of repeated; with every claim settled the target needs nothing and runs nothing. */
Test(cli_report, next_cells_writes_the_rounds_fragment)
{
    RFix f;
    char out[8192], flags[600], mk[400], text[16384];
    rfix_start(&f, "cm", "baseline: lsq", "[1, 2, 3]");
    rfix_example(f.results, &f.e, &f.l, 80.0);
    snprintf(mk, sizeof mk, "%s/cm-next.mk", hfix_dir());
    unlink(mk);
    snprintf(flags, sizeof flags, "--seeds-max 4 --make %s", mk);
    cr_assert_eq(claims_run(&f, "next-cells", "asq", "lsq", flags, out, sizeof out), 0, "%s", out);
    cr_assert(strstr(out, "make claims: 2 cells for the unresolved claims' next seed"), "%s", out);
    hfix_read(mk, text, sizeof text);
    cr_assert(strstr(text, "\nnext: \\\n  $(RESULTS)/cm/"), "%s", text);
    cr_assert(strstr(text, ".json\n\t+@$(AGAIN)\n"), "%s", text);
    cr_assert_eq(hfix_count(text, " run-cell "), f.l.n / 3 * 4, "every cell's rule at 4 seeds: %s",
                 text);
    cr_assert_eq(hfix_count(text, " --seeds 4 --cell "), f.l.n / 3 * 4, "%s", text);
    /* the same round again: its cells were not trained */
    cr_assert_eq(claims_run(&f, "next-cells", "asq", "lsq", flags, out, sizeof out), 1, "%s", out);
    cr_assert(strstr(out, "did not get a result") && strstr(out, "cm.yaml cm/"), "%s", out);
    /* a settled claim (ASQ over FP: holds) asks for nothing */
    cr_assert_eq(claims_run(&f, "next-cells", "asq", "fp", flags, out, sizeof out), 0, "%s", out);
    cr_assert_str_empty(out, "%s", out);
    hfix_read(mk, text, sizeof text);
    cr_assert(strstr(text, "\nnext:\n\t@:\n\n"), "%s", text);
    cr_assert_eq(hfix_count(text, "AGAIN"), 0, "%s", text);
    rfix_end(&f);
}

/* --budget K reads one experiment's cells at K times its length; the claims take their
 * budgets from the ladder section and `tables` names tables by profile alone, so neither
 * has the flag: it is a usage error, never silently dropped. */
Test(cli_report, budget_is_refused_where_it_would_be_dropped)
{
    RFix f;
    char out[8192], cmd[2048];
    rfix_start(&f, "cb", "baseline: lsq", "[1, 2, 3]");
    cr_assert_eq(claims_run(&f, "claims", "asq", "fp", "--budget 3", out, sizeof out), 2, "%s",
                 out);
    cr_assert(strstr(out, "qbench claims: unknown option '--budget'\nusage: qbench claims CLAIMS"),
              "%s", out);
    snprintf(cmd, sizeof cmd, "%s tables %s --budget 3 --results %s",
             test_qbench_bin(), f.e.path, f.results);
    cr_assert_eq(shell_run(cmd, out, sizeof out), 2, "%s", out);
    cr_assert(strstr(out, "qbench tables: unknown option '--budget'"), "%s", out);
    rfix_end(&f);
}
