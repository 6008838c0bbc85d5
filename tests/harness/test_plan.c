/* The plan of a run (done, reused, to train, estimated from the reference's timings) and its
 * progress line; and the user-facing checks before anything is generated: a QUANTIZER that is
 * not a method, an experiment name another file already uses, validate's "ok". */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "harness/cell.h"
#include "harness/plan.h"
#include "tests/support/shell.h"
#include "tests/support/hfix.h"

/* A minimal finished result file of cell c (experiment exp) taking `seconds`. */
static void write_result(const char *dir, const char *exp, const Cell *c, double seconds)
{
    char cmd[600], text[1200];
    snprintf(cmd, sizeof cmd, "mkdir -p %s/%s", dir, exp);
    cr_assert_eq(system(cmd), 0);
    snprintf(text, sizeof text,
             "{\"format\": \"qbench-result\", \"format_version\": 1, \"status\": \"ok\", "
             "\"experiment\": \"%s\", \"profile\": \"\", \"net\": \"%s\", \"scheme\": \"%s\", "
             "\"bits\": %d, \"seed\": %lld, \"epochs\": [{\"epoch\": 1}], "
             "\"final\": {\"epoch\": 1, \"test_top1\": 50}, \"best\": {\"epoch\": 1, "
             "\"test_top1\": 50}, \"timing\": {\"train_seconds\": %g, "
             "\"wall_seconds_last_invocation\": %g}, \"provenance\": {\"cpu\": \"Test CPU\"}}",
             exp, c->net, c->scheme, c->bits, c->seed, seconds * 0.9, seconds);
    char path[700];
    snprintf(path, sizeof path, "%s/%s/%s.json", dir, exp, c->id);
    FILE *f = fopen(path, "w");
    cr_assert(f, "%s", path);
    fputs(text, f);
    fclose(f);
}

Test(plan, cells_done_reused_and_to_train_with_estimates)
{
    Experiment e;
    CellList l;
    QbErr err = {{0}};
    cr_assert_eq(experiment_load(&e, hfix_experiment("planned", NULL), "", &err), 0, "%s", err.msg);
    cr_assert_eq(cells_expand(&e, &l, &err), 0, "%s", err.msg);
    char results[300], reference[300];
    snprintf(results, sizeof results, "%s/plan-results", hfix_dir());
    snprintf(reference, sizeof reference, "%s/plan-reference", hfix_dir());
    /* the reference has lsq 4-bit seed 1 at 600 s and 2-bit seed 1 at 60 s; the user has lsq
     * 2-bit seed 1 done here, and lsq 2-bit seed 2 in another experiment's results */
    write_result(reference, "planned", hfix_cell(&l, "lsq", 4, 1), 600);
    write_result(reference, "planned", hfix_cell(&l, "lsq", 2, 1), 60);
    write_result(results, "planned", hfix_cell(&l, "lsq", 2, 1), 5);
    write_result(results, "elsewhere", hfix_cell(&l, "lsq", 2, 2), 5);
    Plan p;
    cr_assert_eq(plan_make(&e, &l, results, reference, &p, &err), 0, "%s", err.msg);
    for (int i = 0; i < l.n; i++) {
        const Cell *c = &l.cells[i];
        const PlanCell *pc = &p.cells[i];
        if (c->bits == 2 && c->seed == 1)
            cr_assert_eq(pc->action, PLAN_DONE, "%s", c->id);
        else if (c->bits == 2)
            cr_assert(pc->action == PLAN_REUSE && strstr(pc->from, "/elsewhere/"), "%s", c->id);
        else
            cr_assert_eq(pc->action, PLAN_TRAIN, "%s", c->id);
        /* the same position, then the same scheme, then the same net and bits; fp has none */
        if (c->bits == 4)
            cr_assert_float_eq(pc->seconds, 600, 1e-9, "%s: %g", c->id, pc->seconds);
        if (c->bits == 0)
            cr_assert_lt(pc->seconds, 0, "%s", c->id);
    }
    char *text;
    size_t n;
    FILE *m = open_memstream(&text, &n);
    plan_print(m, &e, &l, &p, 2, 1);
    fclose(m);
    cr_assert(strstr(text, "planned (profile none): 8 cells: 1 done, 1 reused from other "
                           "experiments' results, 6 to train, about 40 min of cell time, about "
                           "20 min with 2 in parallel (the reference's timings, recorded on "
                           "Test CPU); 2 with no recorded timing"), "%s", text);
    cr_assert(strstr(text, "  reuse  "), "%s", text);
    free(text);
    m = open_memstream(&text, &n);
    plan_progress(m, &e, &p, time(NULL) - 120, time(NULL));
    fclose(m);
    /* 120 s for a cell estimated at 60 s: the 2460 s estimated for the rest take twice that */
    cr_assert(strstr(text, "planned: 1/8 cells done (1 this run), 7 left, 2 min elapsed, about "
                           "82 min to go"), "%s", text);
    free(text);
    plan_free(&p);
    cells_free(&l);
    experiment_free(&e);
}

Test(plan, a_method_name_that_is_not_registered_gets_a_did_you_mean)
{
    char out[1024];
    cr_assert_eq(qbench_run(NULL, "validate --method lsq", out, sizeof out), 0, "%s", out);
    cr_assert(strstr(out, "lsq: ok, a registered method"), "success is said: %s", out);
    cr_assert_eq(qbench_run(NULL, "validate lsq", out, sizeof out), 2, "%s", out);
    cr_assert(strstr(out, "lsq is a method, not an experiment file: qbench validate --method lsq"),
              "%s", out);
    cr_assert_eq(qbench_run(NULL, "validate --method lqs", out, sizeof out), 1);
    cr_assert(strstr(out, "no quantizer method 'lqs'") && strstr(out, "did you mean 'lsq'?") &&
              strstr(out, "uniform, dorefa, pact, lsq"), "%s", out);
    cr_assert_eq(qbench_run(NULL, "validate --method LSQ", out, sizeof out), 1);
    cr_assert(strstr(out, "did you mean 'lsq'? (names are case-sensitive)"), "%s", out);
    cr_assert_eq(qbench_run(NULL, "validate --method zzzzzzzz", out, sizeof out), 1);
    cr_assert(!strstr(out, "did you mean") && strstr(out, "quantizers/registry.c"), "%s", out);
}

Test(plan, a_second_file_with_the_same_name_is_refused)
{
    char out[2048], args[1200];
    const char *mine = hfix_experiment("mine", NULL);
    /* a copy that kept the other's name */
    char copy[600];
    snprintf(copy, sizeof copy, "%s/copy.yaml", hfix_dir());
    snprintf(args, sizeof args, "cp %s %s", mine, copy);
    cr_assert_eq(system(args), 0);
    snprintf(args, sizeof args, "rules %s --make %s/copy.mk", copy, hfix_dir());
    cr_assert_eq(qbench_run(NULL, args, out, sizeof out), 1, "%s", out);
    cr_assert(strstr(out, "name 'mine' is also the name of") && strstr(out, "mine.yaml"), "%s",
              out);
    snprintf(args, sizeof args, "rules %s --make %s/copy.mk --allow-shared-results", copy,
             hfix_dir());
    cr_assert_eq(qbench_run(NULL, args, out, sizeof out), 0, "%s", out);
    snprintf(args, sizeof args, "rules %s --make %s/ref.mk",
             hfix_experiment("reference", NULL), hfix_dir());
    cr_assert_eq(qbench_run(NULL, args, out, sizeof out), 1, "%s", out);
    cr_assert(strstr(out, "name 'reference' is reserved"), "%s", out);
}

Test(plan, validate_says_ok_only_when_every_profile_passes)
{
    char out[2048], args[700];
    /* pot has no 8-bit activations: the smoke profile's cells fail the check */
    const char *bad = hfix_experiment("badbits", "");
    char cmd[1200];
    snprintf(cmd, sizeof cmd, "sed -i 's/schemes: \\[lsq, asq, fp\\]/schemes: [lsq, pot]/; "
             "s/bits: \\[4, 2\\]/bits: [4, 8]/; /scheme: asq, bits: 2/d; /exclude:/d' %s", bad);
    cr_assert_eq(system(cmd), 0);
    snprintf(args, sizeof args, "validate %s", bad);
    cr_assert_eq(qbench_run(NULL, args, out, sizeof out), 1, "%s", out);
    cr_assert(!strstr(out, ": ok;") && strstr(out, "pot needs 2..7 bits"), "%s", out);
    snprintf(args, sizeof args, "validate %s", hfix_experiment("goodbits", NULL));
    cr_assert_eq(qbench_run(NULL, args, out, sizeof out), 0, "%s", out);
    cr_assert(strstr(out, ": ok; profile smoke: 8 cells"), "%s", out);
}
