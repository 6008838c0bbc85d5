/* The fragment of one run through make (harness/runfrag.h), as `qbench rules` writes it: with
 * every input here, the plan, the run and its table as targets beside the cells' rules; with
 * an input missing, no cell yet, a `run` that lists what is missing (and stops there when no
 * recipe makes it) before anything trains, and a `plan` that plans all the same. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness/runfrag.h"
#include "tests/support/hfix.h"
#include "tests/support/shell.h"

/* The fragment's text (static buffer). */
static const char *text_of(const char *path)
{
    static char text[1 << 17];
    hfix_read(path, text, sizeof text);
    return text;
}

/* `qbench rules` on a test experiment `name` (profile smoke) with `flags`, into
 * <scratch>/<name>.mk (its path in mk), its results to go to <scratch>/<name>-res; the
 * fragment's text. */
static const char *rules(const char *name, const char *flags, char *mk, char *results, size_t cap)
{
    char args[1200];
    static char out[4096];
    snprintf(mk, cap, "%s/%s.mk", hfix_dir(), name);
    snprintf(results, cap, "%s/%s-res", hfix_dir(), name);
    snprintf(args, sizeof args, "rules %s --profile smoke %s --make %s",
             hfix_experiment(name, NULL), flags, mk);
    cr_assert_eq(qbench_run(NULL, args, out, sizeof out), 0, "%s", out);
    cr_assert_str_empty(out, "rules prints nothing (PLAN=1 prints the plan alone): %s", out);
    return text_of(mk);
}

/* make GOAL on the fragment with the binary under test; exit code, output in out. */
static int make_goal(const char *mk, const char *goal, const char *results, char *out, size_t cap)
{
    char cmd[2000];
    snprintf(cmd, sizeof cmd, "env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make --no-print-directory "
             "-f %s QBENCH=%s RESULTS=%s %s", mk, test_qbench_bin(), results, goal);
    return shell_run(cmd, out, cap);
}

Test(runfrag, words_are_quoted_for_the_shell_and_escaped_for_make)
{
    const char *words[] = {"--pretrain", "cifar10=--lr 0.1", "it's", "$HOME", "a#b"};
    char *q = runfrag_quote(words, 5);
    cr_assert_str_eq(q, " --pretrain 'cifar10=--lr 0.1' 'it'\\''s' '$$HOME' 'a\\#b'");
    free(q);
}

Test(runfrag, every_input_here_gives_plan_run_show_and_a_rule_per_cell, .timeout = 120)
{
    char mk[300], results[300];
    static char out[1 << 16];
    const char *t = rules("rf-here", "--table rf-t --pretrain 'synth=--epochs 1'", mk, results,
                          sizeof mk);
    cr_assert(strstr(t, "\nplan:\n") && strstr(t, "\nrun:\n") && strstr(t, "\nshow: table\n") &&
              strstr(t, "\ntable: cells\n") && strstr(t, "\nneeds:\n\t@:\n"), "%s", t);
    cr_assert(strstr(t, "PRETRAIN_FLAGS := --pretrain 'synth=--epochs 1'\n") &&
              strstr(t, "--out $(RESULTS)/tables/rf-t ") &&
              strstr(t, "@cat $(RESULTS)/tables/rf-t.md"), "%s", t);
    cr_assert_eq(hfix_count(t, " run-cell "), 8, "%s", t);
    cr_assert(!strstr(t, "RULES_ARGS"), "every input is here: nothing to write again: %s", t);

    /* PLAN=1's goal: the plan, cell by cell, and nothing trained */
    cr_assert_eq(make_goal(mk, "plan", results, out, sizeof out), 0, "%s", out);
    cr_assert(strstr(out, "rf-here (profile smoke): 8 cells: 0 done") &&
              strstr(out, "PLAN=1: nothing was run"), "%s", out);
    cr_assert_neq(access(results, F_OK), 0, "PLAN trained: %s", out);
}

Test(runfrag, an_input_missing_is_listed_before_anything_runs, .timeout = 120)
{
    char mk[300], results[300];
    static char out[1 << 16];
    const char *t = rules("rf-away", "--set train.from=/nonexistent/{net}.ckpt", mk, results,
                          sizeof mk);
    /* no cell has its id yet; the run writes the fragment again once the inputs are made */
    cr_assert(!strstr(t, " run-cell ") && !strstr(t, "\nshow:") &&
              strstr(t, "\t@$(QBENCH_PLAN) rules $(RULES_ARGS)\n") &&
              strstr(t, "RULES_ARGS := ") && strstr(t, " --make "), "%s", t);

    cr_assert_eq(make_goal(mk, "run", results, out, sizeof out), 2, "%s", out);
    cr_assert(strstr(out, "/nonexistent/small_cnn.ckpt") &&
              strstr(out, "qbench needs: ") && strstr(out, "1 input is missing"), "%s", out);
    cr_assert_neq(access(results, F_OK), 0, "it ran: %s", out);

    cr_assert_eq(make_goal(mk, "plan", results, out, sizeof out), 0, "%s", out);
    cr_assert(strstr(out, "/nonexistent/small_cnn.ckpt") && strstr(out, "cannot start until") &&
              strstr(out, "PLAN=1: nothing was run"), "%s", out);
}
