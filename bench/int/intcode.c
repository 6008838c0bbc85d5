/* Encoding fake-quantized tensors as integer codes: each code must reproduce the float the
 * quantizer produced bit for bit, so the integer path starts from exactly what training
 * computed with. */
#include <math.h>
#include <stdlib.h>

#include "intdot.h"

void int_weights_alloc(IntWeights *w, int k, int n)
{
    w->k = k;
    w->n = n;
    w->sign = calloc((size_t)k * n, sizeof *w->sign);
    w->code = calloc((size_t)k * n, sizeof *w->code);
    w->scale = calloc((size_t)k, sizeof *w->scale);
    QB_ASSERT(w->sign && w->code && w->scale);
}

void int_weights_free(IntWeights *w)
{
    free(w->sign);
    free(w->code);
    free(w->scale);
    w->sign = NULL;
    w->code = NULL;
    w->scale = NULL;
}

/* First index whose magnitude is >= u (nmag - 1 at most). */
static int book_lower(const IntBook *b, double u)
{
    int lo = 0, hi = b->nmag - 1;
    while (lo < hi) {
        int mid = (lo + hi) / 2;
        if (b->mag[mid] < u)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* The code of one value: the candidate near |v|/s whose float product reproduces v, else
 * the nearest (returns 0 when none reproduces it). */
static int weight_code(const IntBook *b, float v, float s, int8_t *sign, uint8_t *code)
{
    double u = fabs((double)v / s);
    int best = book_lower(b, u);
    if (best > 0 && u - b->mag[best - 1] < b->mag[best] - u)
        best--;
    int sg = v < 0.0f ? -1 : 1;
    int order[3] = {best, best - 1, best + 1};
    for (int t = 0; t < 3; t++) {
        int j = order[t];
        if (j < 0 || j >= b->nmag || s * (float)(sg * b->mag[j]) != v)
            continue;
        *code = (uint8_t)j;
        *sign = (int8_t)(j ? sg : 0);
        return 1;
    }
    *code = (uint8_t)best;
    *sign = (int8_t)(best ? sg : 0);
    return 0;
}

long int_weights_encode(IntWeights *w, const IntBook *b, const float *w_hat, const float *scale,
                        int stride)
{
    long bad = 0;
    for (int c = 0; c < w->k; c++) {
        const float s = scale[(size_t)c * stride];
        w->scale[c] = s;
        for (int i = 0; i < w->n; i++) {
            size_t at = (size_t)c * w->n + i;
            bad += !weight_code(b, w_hat[at], s, &w->sign[at], &w->code[at]);
        }
    }
    return bad;
}

long int_acts_encode(uint8_t *a, const float *x_hat, int n, float step, int abits)
{
    const double top = (double)((1 << abits) - 1);
    long bad = 0;
    for (int i = 0; i < n; i++) {
        double v = rint((double)x_hat[i] / step);
        v = v < 0.0 ? 0.0 : (v > top ? top : v);
        a[i] = (uint8_t)v;
        bad += (float)a[i] * step != x_hat[i];
    }
    return bad;
}
