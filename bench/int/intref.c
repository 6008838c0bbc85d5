/* The reference checks of intref.h: the double-precision fake-quantized dot products and
 * the bounds that turn "equal up to rounding" into "the same integer". */
#include <math.h>

#include "intref.h"

#define U53 0x1p-53
#define U24 0x1p-24

static int is_pow2(int64_t d) { return d > 0 && (d & (d - 1)) == 0; }

/* Σ_i |a_i·mag_i| over channel c: the scale of its dot product in level units. */
static double channel_mass(const IntBook *b, const IntWeights *w, const uint8_t *a, int c)
{
    const int8_t *sg = w->sign + (size_t)c * w->n;
    const uint8_t *cd = w->code + (size_t)c * w->n;
    double m = 0.0;
    for (int i = 0; i < w->n; i++)
        m += sg[i] ? a[i] * b->mag[cd[i]] : 0.0;
    return m;
}

/* One term a·(±mag)·unit: rint of its double value, which must lie within the value's
 * rounding (mag within 2 ulp, three products: 8u relative; 0 when exact) of that integer. */
static int grid_term(double t, int exact, int64_t *out)
{
    double r = rint(t);
    *out = (int64_t)r;
    return fabs(t - r) <= (exact ? 0.0 : 8.0 * U53 * fabs(t));
}

long int_ref_grid(const IntBook *b, const IntWeights *w, const uint8_t *a, const int64_t *acc)
{
    const double unit[2] = {(double)b->denom, (double)b->denom * M_SQRT2};
    const int exact[2] = {b->kind == QINT_SQRT2 || is_pow2(b->denom), 0};
    long bad = 0;
    for (int c = 0; c < w->k; c++) {
        const int8_t *sg = w->sign + (size_t)c * w->n;
        const uint8_t *cd = w->code + (size_t)c * w->n;
        int64_t r[2] = {0, 0};
        double s[2] = {0.0, 0.0};
        int ok = 1;
        for (int i = 0; i < w->n; i++) {
            if (!sg[i])
                continue;
            const int p = b->odd[cd[i]];
            double t = a[i] * b->mag[cd[i]] * unit[p];
            int64_t ti;
            ok &= grid_term(t, exact[p], &ti);
            r[p] += sg[i] > 0 ? ti : -ti;
            s[p] += sg[i] > 0 ? t : -t;
        }
        for (int p = 0; p < 2; p++)
            ok &= r[p] == acc[2 * c + p] && (!exact[p] || s[p] == (double)acc[2 * c + p]);
        bad += !ok;
    }
    return bad;
}

double int_ref_float_bound(int n) { return 3.0 * U24 * (1.0 + 0x1p-20) + (n + 16) * 2.0 * U53; }

long int_ref_float(const float *x_hat, const float *w_hat, const double *v, int k, int n,
                   double bound, double *max_rel)
{
    long bad = 0;
    *max_rel = 0.0;
    for (int c = 0; c < k; c++) {
        const float *wc = w_hat + (size_t)c * n;
        double s = 0.0, m = 0.0;
        for (int i = 0; i < n; i++) {
            double t = (double)x_hat[i] * wc[i]; /* exact: 24 x 24 bits */
            s += t;
            m += fabs(t);
        }
        double d = fabs(v[c] - s);
        if (m == 0.0) {
            bad += v[c] != 0.0;
            continue;
        }
        *max_rel = fmax(*max_rel, d / m);
        bad += d > bound * m;
    }
    return bad;
}

long int_ref_lut(const IntLut *l, const IntBook *b, const IntWeights *w, const uint8_t *a,
                 const int64_t *acc, const int64_t *acc_lut, IntLutErr *e)
{
    /* per entry: rint's 1/2, plus the double rounding of a·mag·2^G (mag itself within 1 ulp) */
    const double per_term = 0.5 + ldexp(1.0, l->abits + l->frac - 51);
    long bad = 0;
    e->max_err = e->max_bound = e->max_rel = 0.0;
    for (int c = 0; c < w->k; c++) {
        const int8_t *sg = w->sign + (size_t)c * w->n;
        const uint8_t *cd = w->code + (size_t)c * w->n;
        long nodd = 0;
        for (int i = 0; i < w->n; i++)
            nodd += sg[i] && b->odd[cd[i]];
        double ev = (double)acc[2 * c], od = (double)acc[2 * c + 1] * M_SQRT1_2;
        double exact = ldexp(ev + od, l->frac - b->frac);
        double slack = 4.0 * U53 * ldexp(fabs(ev) + fabs(od), l->frac - b->frac);
        double err = fabs((double)acc_lut[c] - exact), bound = nodd * per_term + slack;
        double m = channel_mass(b, w, a, c);
        e->max_err = fmax(e->max_err, err);
        e->max_bound = fmax(e->max_bound, bound);
        if (m > 0.0)
            e->max_rel = fmax(e->max_rel, ldexp(err, -l->frac) / m);
        bad += err > bound;
    }
    return bad;
}
