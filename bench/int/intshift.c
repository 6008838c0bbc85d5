/* Integer dot products without a look-up table: shift-adds over each magnitude's
 * power-of-two terms (POT: one shift, APoT: up to three, POST: one, into A_even or A_odd),
 * the uniform baseline's multiply-accumulate, and the one rescale back to real units. */
#include <math.h>

#include "intdot.h"

/* a·mult[j] as shift-adds: Σ_t a << shift[j][t]. */
static int64_t shift_product(const IntBook *b, int j, int64_t a, IntOps *o)
{
    int64_t t = 0;
    for (int u = 0; u < b->nterm[j]; u++) {
        t += a << b->shift[j][u];
        o->shift += b->shift[j][u] > 0;
    }
    o->add += b->nterm[j] - 1; /* the terms' adds; the accumulation adds one more */
    return t;
}

void int_dot_shift(const IntBook *b, const IntWeights *w, const uint8_t *a, int64_t *acc,
                   IntOps *ops)
{
    for (int c = 0; c < w->k; c++) {
        const int8_t *sg = w->sign + (size_t)c * w->n;
        const uint8_t *cd = w->code + (size_t)c * w->n;
        int64_t s[2] = {0, 0};
        for (int i = 0; i < w->n; i++) {
            if (!sg[i])
                continue;
            int64_t t = shift_product(b, cd[i], a[i], ops);
            s[b->odd[cd[i]]] += sg[i] > 0 ? t : -t;
            ops->add++;
        }
        acc[2 * c] = s[0];
        acc[2 * c + 1] = s[1];
    }
}

void int_dot_mul(const IntBook *b, const IntWeights *w, const uint8_t *a, int64_t *acc,
                 IntOps *ops)
{
    for (int c = 0; c < w->k; c++) {
        const int8_t *sg = w->sign + (size_t)c * w->n;
        const uint8_t *cd = w->code + (size_t)c * w->n;
        int64_t s = 0;
        for (int i = 0; i < w->n; i++) {
            if (!sg[i])
                continue;
            int64_t code = sg[i] * b->mult[cd[i]]; /* the signed b-bit weight code */
            s += code * a[i];
            ops->mul++;
            ops->add++;
        }
        acc[2 * c] = s;
        acc[2 * c + 1] = 0;
    }
}

/* POST combines its two accumulators here, once per channel: A_odd·(1/√2) + A_even. */
void int_rescale(const IntBook *b, const IntWeights *w, double step, const int64_t *acc,
                 double *out, IntOps *ops)
{
    for (int c = 0; c < w->k; c++) {
        double f = step * w->scale[c] / (double)b->denom;
        double v = (double)acc[2 * c];
        if (b->kind == QINT_SQRT2) {
            v += (double)acc[2 * c + 1] * M_SQRT1_2;
            ops->rescale += 2;
        }
        out[c] = v * f;
        ops->rescale++;
    }
}
