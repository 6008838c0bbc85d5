/* The harness on layers fake-quantized by the real quantizers: zero mismatches for every
 * method at 3 and 4 bits, op counts consistent with the codes, and bad requests refused with
 * the flag named. */
#include <criterion/criterion.h>
#include <string.h>

#include "core/threads.h"
#include "int/intcheck.h"

static void run_ok(const char *wm, const char *am, int bits, uint64_t seed, IntCheckReport *r)
{
    IntCheckSpec s = {wm, am, bits, bits, 8, 150, -1, seed, NULL};
    QbErr err = {{0}};
    threads_set(1);
    cr_assert_eq(int_check_run(&s, r, &err), 0, "%s: %s", wm, err.msg);
    cr_assert_eq(r->mismatches, 0, "%s/%s %d bits seed %llu: codes %ld grid %ld float %ld lut %ld "
                 "acts %ld", wm, am, bits, (unsigned long long)seed, r->exact.codes, r->exact.grid,
                 r->exact.floatb, r->lut_bad, r->act_codes);
}

Test(intcheck, zero_mismatches_for_every_method_at_3_and_4_bits)
{
    const char *w[] = {"pot", "post", "apot", "post"};
    const char *a[] = {"lsq", "lsq", "lsq", "asq"};
    for (int m = 0; m < 4; m++)
        for (int bits = 3; bits <= 4; bits++)
            for (uint64_t seed = 1; seed <= 3; seed++) {
                IntCheckReport r;
                run_ok(w[m], a[m], bits, seed, &r);
                cr_assert_eq(r.uniform.grid + r.uniform.codes + r.uniform.floatb, 0);
                cr_assert_gt(r.exact.nnz, 0);
            }
}

/* QIL's activations declare the uniform integer path (FORMULAS.md §14.1): the integer check
 * accepts them as coded inputs and decodes every one without a mismatch. The check feeds
 * inputs in units of the output step, which QIL's normalised output does not share, so only
 * codes 0 and 1 occur here; tests/quantizers/test_qil.c checks every code of a grid. */
Test(intcheck, qil_activations_are_integer_codes)
{
    for (int bits = 3; bits <= 4; bits++) {
        IntCheckReport r;
        run_ok("pot", "qil", bits, 1, &r);
        cr_assert_eq(r.act_codes, 0);
    }
}

/* FAQ's and DAQ's activations declare the uniform integer path (FORMULAS.md §17.1, §16.1): FAQ's
 * are LSQ's codes times its calibrated step, so the check runs them as it runs LSQ's, weights
 * of every shift method included; DAQ's leave normalised, codes o times 1/n, which the check
 * decodes without a mismatch (its inputs, in units of the output step, reach codes 0 and 1;
 * tests/quantizers/test_daq.c checks every code). */
Test(intcheck, faq_and_daq_activations_are_integer_codes)
{
    const char *w[3] = {"pot", "post", "apot"};
    for (int bits = 3; bits <= 4; bits++) {
        IntCheckReport r;
        for (int m = 0; m < 3; m++) {
            run_ok(w[m], "faq", bits, 2, &r);
            cr_assert_eq(r.act_codes, 0);
            cr_assert_eq(r.uniform.grid + r.uniform.codes + r.uniform.floatb, 0);
        }
        run_ok("pot", "daq", bits, 1, &r);
        cr_assert_eq(r.act_codes, 0);
    }
}

/* Every non-zero weight costs one accumulating add; POT one shift at most, the table one
 * look-up or one shift; the uniform layer one multiply. */
Test(intcheck, op_counts_follow_the_codes)
{
    IntCheckReport r;
    run_ok("pot", "lsq", 4, 5, &r);
    cr_assert_eq(r.exact.ops.add, r.exact.nnz);
    cr_assert_leq(r.exact.ops.shift, r.exact.nnz);
    cr_assert_eq(r.exact.ops.mul + r.exact.ops.lut, 0);
    cr_assert_eq(r.exact.ops.rescale, 8);
    cr_assert_eq(r.uniform.ops.mul, r.uniform.nnz);
    cr_assert_eq(r.uniform.ops.add, r.uniform.nnz);
    run_ok("post", "lsq", 3, 5, &r);
    cr_assert(r.has_lut);
    cr_assert_eq(r.lut.ops.add, r.exact.nnz);
    cr_assert_leq(r.lut.ops.lut + r.lut.ops.shift, r.exact.nnz);
    cr_assert_gt(r.lut.ops.lut, 0);
    cr_assert_eq(r.exact.ops.rescale, 3 * 8);
    cr_assert_eq(r.lut_rows, 8);
    cr_assert_eq(r.lut_cols, 2); /* the paper's 8 x 4 table, odd exponents only */
    run_ok("apot", "lsq", 4, 5, &r);
    cr_assert_gt(r.exact.ops.add, r.exact.nnz, "two-term levels add inside the product");
}

static void run_fails(IntCheckSpec s, const char *want)
{
    IntCheckReport r;
    QbErr err = {{0}};
    cr_assert_eq(int_check_run(&s, &r, &err), -1, "expected an error naming %s", want);
    cr_assert(strstr(err.msg, want), "%s", err.msg);
}

Test(intcheck, bad_bits_are_refused_naming_the_flag)
{
    run_fails((IntCheckSpec){"post", "lsq", 2, 3, 8, 16, -1, 1, NULL}, "--wbits 2: post needs 3..8");
    run_fails((IntCheckSpec){"pot", "lsq", 7, 4, 8, 16, -1, 1, NULL}, "--wbits 7");
    run_fails((IntCheckSpec){"apot", "lsq", 3, 9, 8, 16, -1, 1, NULL}, "--abits 9");
    run_fails((IntCheckSpec){"pot", "lsq", 6, 8, 8, 65536, -1, 1, NULL}, "needs 56 bits");
    run_fails((IntCheckSpec){"post", "lsq", 4, 4, 8, 16, 2, 1, NULL}, "--lut-frac 2");
    run_fails((IntCheckSpec){"lsq", "lsq", 4, 4, 8, 16, -1, 1, NULL}, "expected pot, post or apot");
}

Test(intcheck, given_weights_are_used_as_they_are)
{
    float w[2 * 4] = {0.5f, -0.25f, 0.125f, 1.0f, -1.0f, 0.5f, 0.0f, 0.25f};
    IntCheckSpec s = {"pot", "lsq", 3, 3, 2, 4, -1, 1, w};
    IntCheckReport r;
    QbErr err = {{0}};
    threads_set(1);
    cr_assert_eq(int_check_run(&s, &r, &err), 0, "%s", err.msg);
    cr_assert_eq(r.mismatches, 0);
    /* alpha_c = the 99th percentile of |w_c| = 0.985 for both rows, so the smallest, 1/8,
     * lands on 2^-3 and only the 0 quantizes to 0 */
    cr_assert_eq(r.exact.nnz, 7);
}

/* LQ-Net's binary-basis path (FORMULAS.md §15.6) on learned, non-uniform bases: every code
 * recovered, the popcount result within the float bound, and the work counted as the cost
 * model's BitOPs: K_w·K_a one-bit products per MAC, K_w·K_a multiply-adds per output. */
Test(intcheck, lqnet_binary_basis_path_is_exact_and_counts_its_bitops)
{
    const int widths[3][2] = {{2, 2}, {3, 4}, {8, 8}};
    threads_set(1);
    for (int i = 0; i < 3; i++)
        for (uint64_t seed = 1; seed <= 2; seed++) {
            IntCheckSpec s = {"lqnet", "lqnet", widths[i][0], widths[i][1], 5, 130, -1, seed, NULL};
            IntBasisReport r;
            QbErr err = {{0}};
            cr_assert_eq(int_basis_check(&s, 3, &r, &err), 0, "%s", err.msg);
            cr_assert_eq(r.w_codes + r.a_codes + r.floatb, 0, "W%dA%d seed %llu: codes %ld/%ld, "
                         "float %ld (rel %g)", s.wbits, s.abits, (unsigned long long)seed,
                         r.w_codes, r.a_codes, r.floatb, r.float_rel);
            cr_assert_eq(r.nonuniform, 5, "the updates moved every channel off its grid");
            cr_assert_eq(r.bitops, 5LL * 130 * s.wbits * s.abits);
            cr_assert_eq(r.words, 5LL * 3 * s.wbits * s.abits, "130 inputs: 3 words per plane");
            cr_assert_eq(r.rescale, 5LL * s.wbits * s.abits);
        }
    IntCheckSpec bad = {"lqnet", "lsq", 2, 2, 5, 130, -1, 1, NULL};
    IntBasisReport r;
    QbErr err = {{0}};
    cr_assert_lt(int_basis_check(&bad, 3, &r, &err), 0);
    cr_assert(strstr(err.msg, "lqnet weights and lsq activations do not both have a "
                              "binary-basis integer path"), "%s", err.msg);
}
