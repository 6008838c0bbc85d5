/* The integer-only inference path of one quantized layer (FORMULAS.md §4, §5.1, §6.3): weights as
 * sign + magnitude codes over a method's level set ("book"), inputs as unsigned activation
 * codes, and dot products by shifts (POT), shift-adds (APoT), two exact accumulators or a
 * look-up table (POST) and multiplies (the uniform baseline), each counting its operations. */
#ifndef QB_INTDOT_H
#define QB_INTDOT_H

#include <stdint.h>

#include "core/quantizer.h"
#include "core/err.h"

#define INT_MAX_MAG 129   /* POST at 8 bits: 0 and 2^7 powers of sqrt(2) */
#define INT_MAX_TERMS 3   /* APoT with k = 2: at most ceil(m/2) = 3 power-of-two terms */
/* Accumulator width, sign included: |A| <= n·(2^abits − 1)·max mult must stay below 2^53,
 * so that int64 holds it and the double reference is exact for dyadic books (§ intref.h).
 * int32 suffices when int_acc_bits() <= 32. */
#define INT_ACC_MAX_BITS 54

/* A method's magnitudes as integers: mag[j] = mult[j]/denom (odd[j]: mult[j]/(denom·√2)),
 * mult[j] = Σ_t 1 << shift[j][t]. The normalisation (APoT's division by the largest raw
 * level) is the denominator, folded into the per-channel scale, so the integer part is
 * exact. Uniform books are mag[j] = mult[j] = j (a multiply, no terms). */
typedef struct {
    QuantIntPath kind;                         /* the method's weight int_path */
    int bits;
    int nmag;                                  /* magnitudes, mag[0] = 0 */
    double mag[INT_MAX_MAG];                   /* the quantizer's levels >= 0, ascending */
    int64_t mult[INT_MAX_MAG];
    uint8_t odd[INT_MAX_MAG];                  /* POST: odd exponent, accumulated in A_odd */
    uint8_t nterm[INT_MAX_MAG];
    uint8_t shift[INT_MAX_MAG][INT_MAX_TERMS];
    int64_t denom;
    int frac;                                  /* F: the largest shift */
} IntBook;

/* The book of `ops` at `bits`, from its levels op with opts: the very levels the fake
 * quantizer projects onto, decomposed as its weight int_path says (QINT_SHIFT, QINT_SQRT2
 * or QINT_SHIFT_ADD). Fails naming the method when it declares no such path or a level does
 * not decompose (so an edited level set cannot pass silently). */
int int_book_build(IntBook *b, const QuantizerOps *ops, int bits, const QuantOption *opts,
                   int nopts, QbErr *err);
/* Whether ops declares a shift-based weight path, and "pot, post or apot": those methods. */
int int_has_shift_path(const QuantizerOps *ops);
void int_shift_methods(char *out, size_t cap);
/* Signed uniform codes -2^(b-1)..2^(b-1)-1 (LSQ weights, FORMULAS.md §1.2). */
void int_book_uniform(IntBook *b, int bits);
/* Bits (sign included) of an accumulator holding n terms of magnitude up to
 * (2^abits − 1)·max_mult: a book's widest is max_mult = mult[nmag-1]. */
int int_acc_bits(int n, int abits, int64_t max_mult);

/* Encoded weights of a (k, n) layer: w_hat[c,i] = scale[c]·sign·mag[code], rounded to float
 * as the fake quantizer rounds it. */
typedef struct {
    int k, n;
    int8_t *sign;    /* k·n: -1, 0, +1 (0 exactly for code 0) */
    uint8_t *code;   /* k·n: magnitude index into the book */
    double *scale;   /* k: alpha_c (uniform: the step s_c) */
} IntWeights;

void int_weights_alloc(IntWeights *w, int k, int n);
void int_weights_free(IntWeights *w);
/* Codes of the fake-quantized w_hat (k·n floats) with per-channel scale[c·stride] (stride 0:
 * one scale). Returns how many values no code reproduces bit-exactly as
 * (float)scale·(float)(±mag) (expected 0; those get the nearest code). */
long int_weights_encode(IntWeights *w, const IntBook *b, const float *w_hat, const float *scale,
                        int stride);
/* Activation codes a = x_hat/step in 0..2^abits-1; returns how many n values are not exactly
 * (float)a·step (expected 0). */
long int_acts_encode(uint8_t *a, const float *x_hat, int n, float step, int abits);

/* Operations one layer performed. Zero weights cost nothing in every method; a shift by 0
 * is not counted. `rescale` counts the float operations of the per-channel epilogue. */
typedef struct {
    long long mul, shift, add, lut, rescale;
} IntOps;

/* Shift-add dot products (POT, APoT, and POST's exact method): acc[2c] = Σ over even
 * (all, for POT and APoT) and acc[2c+1] = Σ over odd exponents of sign·(a·mult). k·2 int64. */
void int_dot_shift(const IntBook *b, const IntWeights *w, const uint8_t *a, int64_t *acc,
                   IntOps *ops);
/* The uniform baseline: one integer multiply-accumulate per non-zero weight (same acc layout). */
void int_dot_mul(const IntBook *b, const IntWeights *w, const uint8_t *a, int64_t *acc,
                 IntOps *ops);
/* out[c] = step·scale[c]/denom·(acc[2c] + acc[2c+1]/√2), in double: the exact path rescaled. */
void int_rescale(const IntBook *b, const IntWeights *w, double step, const int64_t *acc,
                 double *out, IntOps *ops);

/* POST's look-up table (the paper's method): T[a][h] = rint(a·2^G·mag) for the odd-exponent
 * magnitudes h, in units of 2^-G; even exponents stay shifts a << (G − m). */
typedef struct {
    int frac;          /* G >= the book's F */
    int abits;
    int ncol;          /* odd magnitudes tabulated */
    int col[INT_MAX_MAG]; /* book magnitude -> column, -1 for even exponents */
    int64_t *t;        /* 2^abits rows of ncol */
    int entry_bits;    /* width of the largest entry */
} IntLut;

int int_lut_build(IntLut *l, const IntBook *b, int abits, int frac, QbErr *err);
void int_lut_free(IntLut *l);
/* acc[c] = Σ sign·(T[a][h] or a << (G − m)), units 2^-G. One int64 per channel. */
void int_dot_lut(const IntLut *l, const IntBook *b, const IntWeights *w, const uint8_t *a,
                 int64_t *acc, IntOps *ops);

#endif
