/* Fixed-point multipliers: a real factor r as a signed 32-bit mantissa m and a right shift,
 * r ≈ m·2^-shift, applied to an integer x as round-half-up((x·m)·2^-shift), the
 * way integer inference engines requantize (a multiply and a rounding shift, no float). The
 * whole-network integer run (intnet.h) folds batch norm and every scale change into them. */
#ifndef QB_INTFIX_H
#define QB_INTFIX_H

#include <stdint.h>

/* Mantissa bits, sign excluded: |m| in [2^30, 2^31) for every r != 0 that needs no clamp. */
#define INT_FIX_MANT_BITS 31
#define INT_FIX_MAX_SHIFT 62

typedef struct {
    int32_t m;
    int shift;  /* 0..INT_FIX_MAX_SHIFT */
} IntFix;

/* The multiplier nearest r: m = rint(r·2^shift) with the largest shift that keeps |m| below
 * 2^31 (at most INT_FIX_MAX_SHIFT, so a tiny r loses mantissa bits and 0 gives m = 0).
 * |r| must be below 2^31 (asserted). */
IntFix int_fix_make(double r);
/* The real value the multiplier stands for, m·2^-shift (exact in double). */
double int_fix_value(IntFix f);
/* round-half-up(x·m·2^-shift): floor((x·m + 2^(shift-1))·2^-shift), the product formed in
 * 128 bits; the result must fit int64 (asserted). */
int64_t int_fix_apply(int64_t x, IntFix f);
/* The largest |x·r − int_fix_apply(x, f)| for |x| <= xmax: 1/2 for the rounding plus
 * xmax·|r − m·2^-shift| for the mantissa. */
double int_fix_bound(double r, IntFix f, double xmax);
/* An activation code from a fixed-point value: clamp(int_fix_apply(x, f), lo, hi). */
int32_t int_fix_code(int64_t x, IntFix f, int32_t lo, int32_t hi);

#endif
