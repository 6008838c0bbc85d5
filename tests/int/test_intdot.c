/* Integer dot products on hand-computed layers: accumulators, rescaled values and the
 * operations each method performs, counted by hand. */
#include <criterion/criterion.h>
#include <math.h>
#include <string.h>

#include "int/intdot.h"
#include "inttest.h"

/* One channel with signs and magnitude codes, scale 1. */
static IntWeights row(int n, const int8_t *sign, const uint8_t *code)
{
    IntWeights w;
    int_weights_alloc(&w, 1, n);
    for (int i = 0; i < n; i++) {
        w.sign[i] = sign[i];
        w.code[i] = code[i];
    }
    w.scale[0] = 1.0;
    return w;
}

static void assert_ops(IntOps o, long long mul, long long shift, long long add, long long lut,
                       long long rescale)
{
    cr_assert_eq(o.mul, mul, "mul %lld", o.mul);
    cr_assert_eq(o.shift, shift, "shift %lld", o.shift);
    cr_assert_eq(o.add, add, "add %lld", o.add);
    cr_assert_eq(o.lut, lut, "lut %lld", o.lut);
    cr_assert_eq(o.rescale, rescale, "rescale %lld", o.rescale);
}

static const uint8_t acts[4] = {3, 5, 7, 2};

Test(intdot, pot_3bit_shifts_by_hand)
{
    /* w = +1, -1/2, +1/8, 0 (codes 4, 3, 1, 0): 3 - 5/2 + 7/8 = 1.375 = 11/8 */
    IntBook b = inttest_book("pot", 3);
    IntWeights w = row(4, (int8_t[]){1, -1, 1, 0}, (uint8_t[]){4, 3, 1, 0});
    int64_t acc[2];
    double v;
    IntOps o = {0};
    int_dot_shift(&b, &w, acts, acc, &o);
    cr_assert_eq(acc[0], 11);
    cr_assert_eq(acc[1], 0);
    int_rescale(&b, &w, 0.5, acc, &v, &o);
    cr_assert_eq(v, 0.6875);
    /* shifts by 3, 2 and 0 (not counted); three accumulating adds; one rescale */
    assert_ops(o, 0, 2, 3, 0, 1);
    int_weights_free(&w);
}

Test(intdot, post_3bit_exact_two_accumulators_by_hand)
{
    /* w = 1, -2^-0.5, 2^-1, 2^-1.5 (codes 4, 3, 2, 1). F = 1:
     * A_even = 3·2 + 7·1 = 13, A_odd = -5·2 + 2·1 = -8; value = (13 - 8/√2)/2 */
    IntBook b = inttest_book("post", 3);
    IntWeights w = row(4, (int8_t[]){1, -1, 1, 1}, (uint8_t[]){4, 3, 2, 1});
    int64_t acc[2];
    double v;
    IntOps o = {0};
    int_dot_shift(&b, &w, acts, acc, &o);
    cr_assert_eq(acc[0], 13);
    cr_assert_eq(acc[1], -8);
    int_rescale(&b, &w, 1.0, acc, &v, &o);
    cr_assert_float_eq(v, 3 - 5 * M_SQRT1_2 + 3.5 + 2 * 0.5 * M_SQRT1_2, 1e-15);
    /* shifts by 1 (n = 0, 1) and 0 (n = 2, 3); 4 adds; rescale: 1/√2, add, scale */
    assert_ops(o, 0, 2, 4, 0, 3);
    int_weights_free(&w);
}

Test(intdot, post_3bit_lut_by_hand)
{
    /* G = 1: T[5][n=1] = rint(5·2/√2) = 7, T[2][n=3] = rint(2·2·2^-1.5) = 1; even: 3 << 1, 7 << 0.
     * acc = 6 - 7 + 7 + 1 = 7 half-units, exact 13 - 8/√2 = 7.343 */
    IntBook b = inttest_book("post", 3);
    IntWeights w = row(4, (int8_t[]){1, -1, 1, 1}, (uint8_t[]){4, 3, 2, 1});
    IntLut l;
    QbErr err = {{0}};
    cr_assert_eq(int_lut_build(&l, &b, 3, 1, &err), 0, "%s", err.msg);
    cr_assert_eq(l.ncol, 2);
    cr_assert_eq(l.t[5 * l.ncol + l.col[3]], 7);
    cr_assert_eq(l.t[2 * l.ncol + l.col[1]], 1);
    int64_t acc;
    IntOps o = {0};
    int_dot_lut(&l, &b, &w, acts, &acc, &o);
    cr_assert_eq(acc, 7);
    assert_ops(o, 0, 1, 4, 2, 0);
    int_lut_free(&l);
    int_weights_free(&w);
}

Test(intdot, apot_4bit_shift_adds_by_hand)
{
    /* w = .3, -1, .1 (mult 3 = 2+1, 10 = 8+2, 1): 4·3 - 1·10 + 6·1 = 8 tenths */
    IntBook b = inttest_book("apot", 4);
    IntWeights w = row(3, (int8_t[]){1, -1, 1}, (uint8_t[]){3, 7, 1});
    const uint8_t a[3] = {4, 1, 6};
    int64_t acc[2];
    double v;
    IntOps o = {0};
    int_dot_shift(&b, &w, a, acc, &o);
    cr_assert_eq(acc[0], 8);
    int_rescale(&b, &w, 1.0, acc, &v, &o);
    cr_assert_float_eq(v, 0.8, 1e-15);
    /* shifts: 3 -> <<1, <<0; 10 -> <<3, <<1; 1 -> <<0: three. Adds: two inside the
     * products, three accumulating */
    assert_ops(o, 0, 3, 5, 0, 1);
    int_weights_free(&w);
}

Test(intdot, uniform_3bit_multiplies_by_hand)
{
    /* codes 3, -4, 1, 0: 9 - 20 + 7 = -4 */
    IntBook b;
    int_book_uniform(&b, 3);
    IntWeights w = row(4, (int8_t[]){1, -1, 1, 0}, (uint8_t[]){3, 4, 1, 0});
    int64_t acc[2];
    IntOps o = {0};
    int_dot_mul(&b, &w, acts, acc, &o);
    cr_assert_eq(acc[0], -4);
    assert_ops(o, 3, 0, 3, 0, 0);
    int_weights_free(&w);
}

Test(intdot, weight_codes_reproduce_the_quantizer_floats)
{
    IntBook b = inttest_book("post", 4);
    const float alpha = 0.37f;
    float w_hat[4] = {alpha * (float)(-b.mag[5]), alpha * (float)b.mag[8], 0.0f,
                      alpha * 0.3f /* on no level */};
    IntWeights w;
    int_weights_alloc(&w, 1, 4);
    cr_assert_eq(int_weights_encode(&w, &b, w_hat, &alpha, 0), 1);
    cr_assert_eq(w.sign[0], -1);
    cr_assert_eq(w.code[0], 5);
    cr_assert_eq(w.code[1], 8);
    cr_assert_eq(w.sign[2], 0);
    cr_assert_eq(w.code[2], 0);
    cr_assert_eq(w.scale[0], (double)alpha);
    int_weights_free(&w);
}

Test(intdot, activation_codes_reproduce_the_quantizer_floats)
{
    const float s = 0.1f;
    float x_hat[4] = {0.0f, 3.0f * s, 15.0f * s, 0.25f};
    uint8_t a[4];
    cr_assert_eq(int_acts_encode(a, x_hat, 4, s, 4), 1);
    cr_assert_eq(a[1], 3);
    cr_assert_eq(a[2], 15);
}

Test(intdot, lut_fraction_bits_below_f_are_rejected)
{
    IntBook b = inttest_book("post", 4); /* F = 3 */
    IntLut l;
    QbErr err = {{0}};
    cr_assert_eq(int_lut_build(&l, &b, 4, 2, &err), -1);
    cr_assert(strstr(err.msg, "expected 3.."), "%s", err.msg);
    IntBook p = inttest_book("pot", 4);
    cr_assert_eq(int_lut_build(&l, &p, 4, 8, &err), -1);
}
