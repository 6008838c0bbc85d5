/* Fixed-point multipliers (intfix.h). */
#include <math.h>

#include "core/err.h"
#include "intfix.h"

IntFix int_fix_make(double r)
{
    QB_ASSERT(isfinite(r) && fabs(r) < 2147483648.0);
    IntFix f = {0, 0};
    if (r == 0.0)
        return f;
    int e;
    frexp(fabs(r), &e); /* |r| in [2^(e-1), 2^e): |r|·2^(31-e) in [2^30, 2^31) */
    int shift = INT_FIX_MANT_BITS - e;
    if (shift > INT_FIX_MAX_SHIFT)
        shift = INT_FIX_MAX_SHIFT;
    if (shift < 0)
        shift = 0;
    double m = rint(ldexp(r, shift));
    if (fabs(m) >= 2147483648.0) { /* rounding reached 2^31: one bit less */
        shift--;
        m = rint(ldexp(r, shift));
    }
    f.m = (int32_t)m;
    f.shift = shift;
    return f;
}

double int_fix_value(IntFix f) { return ldexp((double)f.m, -f.shift); }

int64_t int_fix_apply(int64_t x, IntFix f)
{
    __int128 p = (__int128)x * f.m; /* up to 94 bits: the product itself is exact */
    if (f.shift > 0) /* an arithmetic right shift is a floor; adding half first rounds half up */
        p = (p + ((__int128)1 << (f.shift - 1))) >> f.shift;
    QB_ASSERT(p >= INT64_MIN && p <= INT64_MAX);
    return (int64_t)p;
}

double int_fix_bound(double r, IntFix f, double xmax)
{
    return 0.5 + xmax * fabs(r - int_fix_value(f));
}

int32_t int_fix_code(int64_t x, IntFix f, int32_t lo, int32_t hi)
{
    int64_t q = int_fix_apply(x, f);
    return (int32_t)(q < lo ? lo : q > hi ? hi : q);
}
