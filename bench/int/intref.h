/* What "the integer path is exact" means, checked against the fake-quantized float layer it
 * replaces. With x_hat = (float)a·s_a and w_hat = (float)alpha_c·(float)(±mag), both
 * reproduced bit for bit by their codes (intdot.h encoders):
 * - grid: per term, t_i = a_i·(±mag_i)·D in double (mag_i the quantizer's own double level;
 *   POST's odd exponents use D·√2) must lie on the integer grid: equal to rint(t_i) for
 *   dyadic books (POT, uniform, APoT at 3 bits, POST's even part), where every t_i and
 *   their plain double sum are exact below 2^53, and within its rounding bound 8u·|t_i|
 *   otherwise (APoT's 1/D, POST's 1/√2). The accumulator must equal Σ_i rint(t_i), and,
 *   for dyadic parts, the plain double sum Σ_i t_i bit for bit. POST is checked per
 *   accumulator: A_even against the even-exponent terms, A_odd against the odd ones.
 * - float: the rescaled integer result v_c against the literal Σ_i x_hat_i·w_hat_c,i in
 *   double: they differ only by the float32 rounding of x_hat (1) and w_hat (2), so
 *   |v_c − Σ| <= (3·2^-24 + (n+16)·2^-52)·Σ|x_hat·w_hat|.
 * - lut: POST's table result against the exact accumulators, within 1/2 LSB per odd term. */
#ifndef QB_INTREF_H
#define QB_INTREF_H

#include "intdot.h"

/* Channels whose accumulators (k·2, as int_dot_shift/int_dot_mul write them) fail the grid
 * check. */
long int_ref_grid(const IntBook *b, const IntWeights *w, const uint8_t *a, const int64_t *acc);

/* The float check's relative bound for fan-in n. */
double int_ref_float_bound(int n);
/* Channels where |v_c − Σ x_hat·w_hat| > bound·Σ|x_hat·w_hat|; *max_rel gets the largest
 * |v_c − Σ|/Σ|x_hat·w_hat| (channels whose Σ|.| is 0 must give v_c = 0 exactly). */
long int_ref_float(const float *x_hat, const float *w_hat, const double *v, int k, int n,
                   double bound, double *max_rel);

typedef struct {
    double max_err;    /* LSB (2^-G) */
    double max_bound;  /* LSB: the largest channel bound, 1/2 per odd term plus rounding */
    double max_rel;    /* error over Σ_i |a_i·mag_i| of the channel */
} IntLutErr;

/* Channels where the table result acc_lut (k) strays from the exact accumulators acc (k·2)
 * by more than its bound. */
long int_ref_lut(const IntLut *l, const IntBook *b, const IntWeights *w, const uint8_t *a,
                 const int64_t *acc, const int64_t *acc_lut, IntLutErr *e);

#endif
