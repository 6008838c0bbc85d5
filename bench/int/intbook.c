/* Books: a method's level set taken apart into integer multipliers and power-of-two terms.
 * The method's weight int_path says how: shift paths (POT) and shift-add paths (APoT) have
 * dyadic levels up to APoT's normalisation, so each is mult/denom with mult an integer of
 * few set bits (FORMULAS.md §4.1, §5.1); sqrt(2) paths (POST) 2^-m or 2^-m/√2 (§6.1). */
#include <math.h>
#include <string.h>

#include "quantizers/registry.h"
#include "intdot.h"

#define INT_MAX_MULT_BITS 62

/* Non-negative half of the signed, ascending level set the quantizer projects onto. */
static int book_magnitudes(IntBook *b, const QuantizerOps *ops, int bits, const QuantOption *o,
                           int nopts, QbErr *err)
{
    double lv[2 * INT_MAX_MAG];
    int n = ops->levels(bits, QROLE_WEIGHT, o, nopts, NULL, 0, err);
    if (n < 0)
        return -1;
    if (n > 2 * INT_MAX_MAG - 1)
        return qb_fail(err, "%s at %d bits has %d levels; the integer path takes at most %d",
                       ops->name, bits, n, 2 * INT_MAX_MAG - 1);
    ops->levels(bits, QROLE_WEIGHT, o, nopts, lv, n, err);
    b->nmag = 0;
    for (int i = 0; i < n; i++)
        if (lv[i] >= 0.0)
            b->mag[b->nmag++] = lv[i];
    if (b->nmag < 2 || b->mag[0] != 0.0 || b->mag[b->nmag - 1] != 1.0)
        return qb_fail(err, "%s at %d bits: levels do not run from 0 to 1", ops->name, bits);
    return 0;
}

/* Set bits of each multiplier, highest first; fails when one needs more than max_terms. */
static int book_terms(IntBook *b, int max_terms, QbErr *err)
{
    b->frac = 0;
    for (int j = 0; j < b->nmag; j++) {
        b->nterm[j] = 0;
        for (int s = INT_MAX_MULT_BITS; s >= 0; s--) {
            if (!((b->mult[j] >> s) & 1))
                continue;
            if (b->nterm[j] == max_terms)
                return qb_fail(err, "level %.17g needs more than %d power-of-two terms",
                               b->mag[j], max_terms);
            b->shift[j][b->nterm[j]++] = (uint8_t)s;
            if (s > b->frac)
                b->frac = s;
        }
    }
    return 0;
}

/* POT and APoT: mult = mag/mag[1] must be an integer reproducing mag as mult/denom exactly
 * (the smallest level is one power of two, the others sums of a few). */
static int book_dyadic(IntBook *b, int max_terms, QbErr *err)
{
    double ratio = 1.0 / b->mag[1];
    if (!(ratio < ldexp(1.0, INT_MAX_MULT_BITS)))
        return qb_fail(err, "the smallest level %.3g needs integer multipliers wider than %d "
                            "bits", b->mag[1], INT_MAX_MULT_BITS);
    b->denom = (int64_t)rint(ratio);
    for (int j = 0; j < b->nmag; j++) {
        double m = rint(b->mag[j] * (double)b->denom);
        b->mult[j] = (int64_t)m;
        b->odd[j] = 0;
        if (m / (double)b->denom != b->mag[j])
            return qb_fail(err, "level %.17g is not an integer over %lld", b->mag[j],
                           (long long)b->denom);
    }
    return book_terms(b, max_terms, err);
}

/* POST: mag = 2^(-n/2) exactly as the quantizer computes it; n = 2m or 2m + 1 becomes
 * mult = 2^(F − m) over denom 2^F, the odd ones accumulated apart (FORMULAS.md §6.3). */
static int book_post(IntBook *b, QbErr *err)
{
    int expo[INT_MAX_MAG], top = 0;
    for (int j = 1; j < b->nmag; j++) {
        expo[j] = (int)rint(-2.0 * log2(b->mag[j]));
        if (exp2(-0.5 * expo[j]) != b->mag[j] ||
            (!(expo[j] & 1) && ldexp(1.0, -expo[j] / 2) != b->mag[j]))
            return qb_fail(err, "level %.17g is not a power of sqrt(2)", b->mag[j]);
        top = expo[j] > top ? expo[j] : top;
    }
    int F = top / 2;
    if (F > INT_MAX_MULT_BITS)
        return qb_fail(err, "levels down to 2^-%d/2 need integer multipliers wider than %d bits",
                       top, INT_MAX_MULT_BITS);
    b->denom = (int64_t)1 << F;
    b->mult[0] = 0;
    b->odd[0] = 0;
    for (int j = 1; j < b->nmag; j++) {
        b->mult[j] = (int64_t)1 << (F - expo[j] / 2);
        b->odd[j] = (uint8_t)(expo[j] & 1);
    }
    return book_terms(b, 1, err);
}

int int_has_shift_path(const QuantizerOps *ops)
{
    QuantIntPath p = ops->int_path[QROLE_WEIGHT];
    return p == QINT_SHIFT || p == QINT_SQRT2 || p == QINT_SHIFT_ADD;
}

void int_shift_methods(char *out, size_t cap)
{
    quantizer_names_where(int_has_shift_path, " or ", out, cap);
}

int int_book_build(IntBook *b, const QuantizerOps *ops, int bits, const QuantOption *opts,
                   int nopts, QbErr *err)
{
    memset(b, 0, sizeof *b);
    b->bits = bits;
    b->kind = ops->int_path[QROLE_WEIGHT];
    if (!int_has_shift_path(ops)) {
        char known[128];
        int_shift_methods(known, sizeof known);
        return qb_fail(err, "%s has no shift-based integer path (expected %s)", ops->name, known);
    }
    if (book_magnitudes(b, ops, bits, opts, nopts, err) < 0)
        return -1;
    int rc;
    if (b->kind == QINT_SQRT2)
        rc = book_post(b, err);
    else
        rc = book_dyadic(b, b->kind == QINT_SHIFT ? 1 : INT_MAX_TERMS, err);
    return rc < 0 ? qb_wrap(err, "%s at %d bits: ", ops->name, bits) : 0;
}

void int_book_uniform(IntBook *b, int bits)
{
    memset(b, 0, sizeof *b);
    b->kind = QINT_UNIFORM;
    b->bits = bits;
    b->nmag = (1 << (bits - 1)) + 1; /* the negative end reaches 2^(b-1) */
    for (int j = 0; j < b->nmag; j++) {
        b->mag[j] = j;
        b->mult[j] = j;
    }
    b->denom = 1;
}

int int_acc_bits(int n, int abits, int64_t max_mult)
{
    unsigned __int128 bound = (unsigned __int128)n * (((unsigned)1 << abits) - 1) *
                              (unsigned __int128)max_mult;
    int bits = 1; /* the sign */
    for (; bound; bound >>= 1)
        bits++;
    return bits;
}
