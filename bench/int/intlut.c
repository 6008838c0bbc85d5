/* POST's look-up-table method (ASQ paper §3.3, FORMULAS.md §6.3): odd exponents, whose levels carry
 * the irrational 1/√2, read a·2^-n/2 from a table in fixed point with G fractional bits;
 * even exponents stay shifts. One accumulator; each table entry is off by at most 1/2 LSB. */
#include <math.h>
#include <stdlib.h>

#include "intdot.h"

int int_lut_build(IntLut *l, const IntBook *b, int abits, int frac, QbErr *err)
{
    l->t = NULL;
    if (b->kind != QINT_SQRT2)
        return qb_fail(err, "the look-up table is POST's method; this book is not POST");
    const int most = INT_ACC_MAX_BITS - 1 - abits; /* entries below 2^53: exact in double */
    if (frac < b->frac || frac > most)
        return qb_fail(err, "table fraction bits %d: expected %d..%d (at least the exact "
                            "method's F, and entries below 2^%d)",
                       frac, b->frac, most, INT_ACC_MAX_BITS - 1);
    l->frac = frac;
    l->abits = abits;
    l->ncol = 0;
    for (int j = 0; j < b->nmag; j++)
        l->col[j] = b->odd[j] ? l->ncol++ : -1;
    const int rows = 1 << abits;
    l->t = calloc((size_t)rows * (l->ncol ? l->ncol : 1), sizeof *l->t);
    QB_ASSERT(l->t);
    int64_t top = 0;
    for (int a = 0; a < rows; a++)
        for (int j = 0; j < b->nmag; j++) {
            if (l->col[j] < 0)
                continue;
            int64_t e = (int64_t)rint(ldexp(a * b->mag[j], frac));
            l->t[(size_t)a * l->ncol + l->col[j]] = e;
            top = e > top ? e : top;
        }
    for (l->entry_bits = 0; top >> l->entry_bits; l->entry_bits++)
        ;
    return 0;
}

void int_lut_free(IntLut *l)
{
    free(l->t);
    l->t = NULL;
}

void int_dot_lut(const IntLut *l, const IntBook *b, const IntWeights *w, const uint8_t *a,
                 int64_t *acc, IntOps *ops)
{
    const int lift = l->frac - b->frac; /* even: a << (G − m) = a << (shift + G − F) */
    for (int c = 0; c < w->k; c++) {
        const int8_t *sg = w->sign + (size_t)c * w->n;
        const uint8_t *cd = w->code + (size_t)c * w->n;
        int64_t s = 0;
        for (int i = 0; i < w->n; i++) {
            if (!sg[i])
                continue;
            const int j = cd[i];
            int64_t t;
            if (l->col[j] >= 0) {
                t = l->t[(size_t)a[i] * l->ncol + l->col[j]];
                ops->lut++;
            } else {
                int sh = b->shift[j][0] + lift;
                t = (int64_t)a[i] << sh;
                ops->shift += sh > 0;
            }
            s += sg[i] > 0 ? t : -t;
            ops->add++;
        }
        acc[c] = s;
    }
}
