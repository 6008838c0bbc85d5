/* Books: each method's level set as integer multipliers and power-of-two terms, from the
 * quantizers' own levels (FORMULAS.md §4.1, §5.1, §6.1). */
#include <criterion/criterion.h>
#include <math.h>
#include <string.h>

#include "int/intdot.h"
#include "inttest.h"
#include "quantizers/registry.h"

static void assert_mults(const IntBook *b, const int64_t *mult, int n)
{
    cr_assert_eq(b->nmag, n);
    for (int j = 0; j < n; j++)
        cr_assert_eq(b->mult[j], mult[j], "mult[%d] = %lld, want %lld", j,
                     (long long)b->mult[j], (long long)mult[j]);
}

Test(intbook, pot_3bit_is_one_shift_per_level_over_2_to_the_3)
{
    IntBook b = inttest_book("pot", 3);
    assert_mults(&b, (int64_t[]){0, 1, 2, 4, 8}, 5);
    cr_assert_eq(b.denom, 8);
    cr_assert_eq(b.frac, 3);
    for (int j = 1; j < b.nmag; j++)
        cr_assert_eq(b.nterm[j], 1);
    cr_assert_eq(b.shift[4][0], 3);
}

Test(intbook, post_3bit_splits_odd_exponents_into_their_own_accumulator)
{
    /* ascending: 0, 2^-1.5 (n=3), 2^-1 (n=2), 2^-0.5 (n=1), 1 (n=0); F = 1 */
    IntBook b = inttest_book("post", 3);
    assert_mults(&b, (int64_t[]){0, 1, 1, 2, 2}, 5);
    const uint8_t odd[5] = {0, 1, 0, 1, 0};
    for (int j = 0; j < 5; j++)
        cr_assert_eq(b.odd[j], odd[j], "odd[%d]", j);
    cr_assert_eq(b.denom, 2);
    cr_assert_eq(b.frac, 1);
}

Test(intbook, apot_4bit_folds_the_normalisation_into_the_denominator)
{
    /* m = 3 set {0, .1, .2, .3, .4, .6, .8, 1} = {0, 1, 2, 3, 4, 6, 8, 10}/10 (raw max 5/8) */
    IntBook b = inttest_book("apot", 4);
    assert_mults(&b, (int64_t[]){0, 1, 2, 3, 4, 6, 8, 10}, 8);
    cr_assert_eq(b.denom, 10);
    cr_assert_eq(b.nterm[3], 2); /* 3 = 2 + 1 */
    cr_assert_eq(b.nterm[7], 2); /* 10 = 8 + 2 */
    cr_assert_eq(b.shift[7][0], 3);
    cr_assert_eq(b.shift[7][1], 1);
}

Test(intbook, apot_sets_need_at_most_ceil_m_over_2_terms)
{
    const int64_t denom[] = {4, 10, 48, 100, 448}; /* m = 2..6: raw max 1/2, 5/8, 3/4, 25/32, 7/8 */
    for (int bits = 3; bits <= 7; bits++) {
        IntBook b = inttest_book("apot", bits);
        int m = bits - 1, most = 0;
        for (int j = 0; j < b.nmag; j++)
            most = b.nterm[j] > most ? b.nterm[j] : most;
        cr_assert_eq(b.nmag, 1 << m, "bits %d", bits);
        cr_assert_eq(b.denom, denom[bits - 3], "bits %d: denom %lld", bits, (long long)b.denom);
        cr_assert_eq(most, (m + 1) / 2, "bits %d: %d terms", bits, most);
    }
}

/* mult/denom (POST odd: over √2 too) gives back the quantizer's level, for every book. */
Test(intbook, every_book_reproduces_its_levels)
{
    const char *methods[] = {"pot", "post", "apot"};
    for (int m = 0; m < 3; m++)
        for (int bits = 3; bits <= 6; bits++) {
            IntBook b = inttest_book(methods[m], bits);
            for (int j = 0; j < b.nmag; j++) {
                int64_t t = 0;
                for (int u = 0; u < b.nterm[j]; u++)
                    t += (int64_t)1 << b.shift[j][u];
                cr_assert_eq(t, b.mult[j]);
                double v = (double)b.mult[j] / (double)b.denom;
                if (b.odd[j])
                    cr_assert_float_eq(v * M_SQRT1_2, b.mag[j], 4e-16 * b.mag[j], "%s %d", methods[m], bits);
                else
                    cr_assert_eq(v, b.mag[j], "%s %d bits level %d", methods[m], bits, j);
            }
        }
}

/* A method declaring a shift-based weight path gets a book at every width from 3 bits up to
 * its widest (or 6, beyond which POT's multipliers outgrow int64); one without is refused. */
Test(intbook, every_declared_shift_path_builds_its_book)
{
    int declared = 0;
    for (int i = 0; i < quantizer_count(); i++) {
        const QuantizerOps *ops = quantizer_at(i);
        IntBook b;
        QbErr err = {{0}};
        if (!int_has_shift_path(ops)) {
            cr_assert_eq(int_book_build(&b, ops, 4, NULL, 0, &err), -1, "%s", ops->name);
            continue;
        }
        declared++;
        int top = ops->max_bits[QROLE_WEIGHT] < 6 ? ops->max_bits[QROLE_WEIGHT] : 6;
        for (int bits = 3; bits <= top; bits++) {
            cr_assert_eq(int_book_build(&b, ops, bits, NULL, 0, &err), 0, "%s %d bits: %s",
                         ops->name, bits, err.msg);
            cr_assert_eq(b.kind, ops->int_path[QROLE_WEIGHT], "%s", ops->name);
        }
    }
    cr_assert_geq(declared, 3, "pot, post and apot declare shift paths");
}

Test(intbook, uniform_covers_the_lsq_negative_end)
{
    IntBook b;
    int_book_uniform(&b, 3);
    assert_mults(&b, (int64_t[]){0, 1, 2, 3, 4}, 5);
    cr_assert_eq(b.denom, 1);
}

Test(intbook, accumulator_width_counts_the_sign)
{
    cr_assert_eq(int_acc_bits(1, 1, 1), 2);
    cr_assert_eq(int_acc_bits(576, 3, 8), 16);  /* 576·7·8 = 32256 < 2^15 */
    cr_assert_eq(int_acc_bits(2, 1, 1), 3);     /* 2 needs 2 bits */
    cr_assert_eq(int_acc_bits(4096, 8, (int64_t)1 << 31), 52);
}

Test(intbook, unsupported_methods_and_bits_are_rejected_with_the_range)
{
    IntBook b;
    QbErr err = {{0}};
    cr_assert_eq(int_book_build(&b, quantizer_find("post"), 2, NULL, 0, &err), -1);
    cr_assert(strstr(err.msg, "3..8"), "%s", err.msg);
    cr_assert_eq(int_book_build(&b, quantizer_find("pot"), 7, NULL, 0, &err), -1);
    cr_assert(strstr(err.msg, "pot at 7 bits") && strstr(err.msg, "62 bits"), "%s", err.msg);
    cr_assert_eq(int_book_build(&b, quantizer_find("apot"), 8, NULL, 0, &err), -1);
    cr_assert(strstr(err.msg, "2..7"), "%s", err.msg);
    cr_assert_eq(int_book_build(&b, quantizer_find("lsq"), 4, NULL, 0, &err), -1);
    cr_assert(strstr(err.msg, "expected pot, post or apot"), "%s", err.msg);
}

Test(intbook, codable_option_drops_the_smallest_level)
{
    IntBook b;
    QbErr err = {{0}};
    QuantOption o = {"levels", "codable"};
    cr_assert_eq(int_book_build(&b, quantizer_find("pot"), 3, &o, 1, &err), 0, "%s", err.msg);
    assert_mults(&b, (int64_t[]){0, 1, 2, 4}, 4);
    cr_assert_eq(b.denom, 4);
}
