/* Fixed-point multipliers and requantization against exact rational arithmetic: for factors
 * r = p/q, the multiplier is the nearest m·2^-shift with a 31-bit mantissa, applying it rounds
 * x·m·2^-shift half up, its error stays within int_fix_bound, and requantizing a fixed-point
 * value to codes (x·2^-F / s_a, s_a = p/q) gives the exact rational rounding wherever the
 * exact value is not within the multiplier's error of a half. All checked in 128-bit integers. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdint.h>

#include "core/rng.h"
#include "int/intfix.h"

typedef __int128 i128;

static i128 iabs(i128 v) { return v < 0 ? -v : v; }

/* p/q with p, q in 1..2^20, p's sign random; the exponent spread by scaling q or p. */
static void draw_ratio(Rng *g, int64_t *p, int64_t *q)
{
    *p = 1 + rng_below(g, 1u << 20);
    *q = 1 + rng_below(g, 1u << 20);
    int e = (int)rng_below(g, 24);
    if (rng_below(g, 2))
        *q <<= e;
    else
        *p <<= e % 10;
    if (rng_below(g, 2))
        *p = -*p;
}

TestSuite(intfix);

Test(intfix, the_multiplier_is_the_nearest_31_bit_mantissa_of_p_over_q)
{
    Rng g = rng_stream(7, "intfix.make");
    for (int t = 0; t < 20000; t++) {
        int64_t p, q;
        draw_ratio(&g, &p, &q);
        IntFix f = int_fix_make((double)p / (double)q);
        cr_assert(f.shift >= 0 && f.shift <= INT_FIX_MAX_SHIFT);
        i128 am = iabs(f.m); /* a full mantissa unless the shift is at its largest */
        cr_assert((am >= ((i128)1 << 30) || f.shift == INT_FIX_MAX_SHIFT) && am < ((i128)1 << 31),
                  "p/q = %lld/%lld: m = %d",
                  (long long)p, (long long)q, f.m);
        /* |m − p·2^shift/q| <= 1/2 (+ the double rounding of p/q): |m·q − p·2^shift| <= q/2 + q·2^-20 */
        i128 d = iabs((i128)f.m * q - (i128)p * ((i128)1 << f.shift));
        cr_assert(d * 2 <= (i128)q + (((i128)q) >> 19) + 1, "p/q = %lld/%lld: m = %d shift %d",
                  (long long)p, (long long)q, f.m, f.shift);
    }
    IntFix z = int_fix_make(0.0);
    cr_assert(z.m == 0 && int_fix_apply(123456789, z) == 0);
    IntFix tiny = int_fix_make(ldexp(1.0, -70)); /* past the largest shift: fewer bits */
    cr_assert_eq(tiny.shift, INT_FIX_MAX_SHIFT);
    cr_assert_eq(tiny.m, 0);
}

Test(intfix, applying_rounds_half_up_and_stays_within_its_bound)
{
    Rng g = rng_stream(7, "intfix.apply");
    for (int t = 0; t < 20000; t++) {
        int64_t p, q;
        draw_ratio(&g, &p, &q);
        double r = (double)p / (double)q;
        IntFix f = int_fix_make(r);
        int64_t x = (int64_t)(rng_u64(&g) >> (24 + rng_below(&g, 30)));
        x = rng_below(&g, 2) ? -x : x;
        int64_t y = int_fix_apply(x, f);
        /* y = floor((x·m + 2^(s−1)) / 2^s): y·2^s <= x·m + 2^(s−1) < (y+1)·2^s */
        i128 num = (i128)x * f.m + (f.shift ? (i128)1 << (f.shift - 1) : 0);
        cr_assert((i128)y * ((i128)1 << f.shift) <= num &&
                  num < ((i128)y + 1) * ((i128)1 << f.shift), "x %lld m %d shift %d: %lld",
                  (long long)x, f.m, f.shift, (long long)y);
        /* against x·p/q exactly: |y·q − x·p| <= q·bound, the bound's r being p/q to 2^-52 */
        double ax = (double)(x < 0 ? -x : x);
        double bound = int_fix_bound(r, f, ax) + ax * fabs(r) * 0x1p-52 + 1e-6;
        long double err = (long double)iabs((i128)y * q - (i128)x * p) / (long double)q;
        cr_assert(err <= bound, "x %lld p/q %lld/%lld: %Lg > %g", (long long)x, (long long)p,
                  (long long)q, err, bound);
    }
}

Test(intfix, half_way_values_round_up_and_codes_clamp)
{
    IntFix half = int_fix_make(0.5);
    cr_assert_eq(int_fix_apply(3, half), 2);   /* 1.5 -> 2 */
    cr_assert_eq(int_fix_apply(-3, half), -1); /* -1.5 -> -1 */
    cr_assert_eq(int_fix_apply(-4, half), -2);
    cr_assert_eq(int_fix_code(1000, half, 0, 15), 15);
    cr_assert_eq(int_fix_code(-1000, half, 0, 15), 0);
    cr_assert_eq(int_fix_code(-1000, half, -8, 7), -8);
    cr_assert_eq(int_fix_code(9, half, 0, 15), 5);
}

/* Requantizing a value v·2^-F to codes of step s = p/q: the exact code is the rational
 * rounding of v·q / (p·2^F); the fixed-point code must equal it except within the multiplier's
 * error of a half-way point, which few values are. */
Test(intfix, requantization_gives_the_exact_rational_code)
{
    enum { F = 16 };
    Rng g = rng_stream(7, "intfix.requant");
    long close = 0, total = 0;
    for (int t = 0; t < 200; t++) {
        int64_t p = 1 + rng_below(&g, 1u << 16), q = 1 + rng_below(&g, 1u << 12);
        double r = ldexp(1.0, -F) * (double)q / (double)p;
        IntFix f = int_fix_make(r);
        for (int i = 0; i < 500; i++, total++) {
            int64_t v = (int64_t)rng_below(&g, 1u << 28) - (1 << 27);
            i128 den = (i128)p << F, num = (i128)v * q;
            /* exact round-half-up of num/den: floor((2·num + den) / (2·den)) */
            i128 a = 2 * num + den, b = 2 * den;
            i128 exact = a >= 0 ? a / b : -((-a + b - 1) / b);
            int32_t code = int_fix_code(v, f, INT32_MIN, INT32_MAX);
            /* distance of num/den from the half-way point below or above, in units of 1 */
            long double frac = (long double)num / (long double)den - (long double)exact + 0.5L;
            long double margin = fabsl(frac - 0.0L) < fabsl(frac - 1.0L) ? fabsl(frac)
                                                                         : fabsl(frac - 1.0L);
            if (margin <= (long double)(int_fix_bound(r, f, (double)llabs(v)) - 0.5)) {
                close++;
                continue;
            }
            cr_assert_eq((i128)code, exact, "v %lld step %lld/%lld: %d, exact %lld",
                         (long long)v, (long long)p, (long long)q, code, (long long)exact);
        }
    }
    cr_assert_lt(close * 1000, total, "%ld of %ld within the multiplier error of a half", close,
                 total);
}
