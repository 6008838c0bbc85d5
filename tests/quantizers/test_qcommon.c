/* Shared quantizer pieces: torch.quantile's interpolation, the positivity guard, LSQ's g,
 * integer ranges. */
#include <criterion/criterion.h>
#include <math.h>

#include <stdint.h>

#include "quantizers/qcommon.h"
#include "quantizers/registry.h"

Test(qcommon, abs_quantile_interpolates_like_torch)
{
    const float x[5] = {-5.0f, 1.0f, -2.0f, 4.0f, 3.0f};
    float scratch[5];
    /* sorted |x| = 1..5, position 0.99·4 = 3.96: 4 + 0.96·(5 − 4) */
    cr_assert_float_eq(qc_abs_quantile(x, 5, 0.99, scratch), 4.96f, 1e-6);
    cr_assert_float_eq(qc_abs_quantile(x, 5, 0.5, scratch), 3.0f, 0);
    cr_assert_float_eq(qc_abs_quantile(x, 5, 1.0, scratch), 5.0f, 0);
    cr_assert_float_eq(qc_abs_quantile(x, 5, 0.0, scratch), 1.0f, 0);
    cr_assert_float_eq(qc_abs_quantile(x + 1, 1, 0.99, scratch), 1.0f, 0);
}

Test(qcommon, positive_guard_is_max_abs_eps_and_keeps_nan)
{
    cr_assert_float_eq(qc_positive(-0.5f), 0.5f, 0);
    cr_assert_float_eq(qc_positive(0.0f), QC_EPS, 0);
    cr_assert_float_eq(qc_positive(-1e-9f), QC_EPS, 0);
    cr_assert(isnan(qc_positive(NAN)));
}

Test(qcommon, grad_scale_is_one_over_sqrt_n_qp)
{
    cr_assert_float_eq(qc_grad_scale(8, 3), 0.20412415f, 1e-7);
    cr_assert_float_eq(qc_grad_scale(144, 1), 1.0f / 12, 1e-7);
}

Test(qcommon, int_ranges_follow_spec_1_2)
{
    int qn, qp;
    qc_int_range(4, 1, 0, &qn, &qp);
    cr_assert(qn == -8 && qp == 7);
    qc_int_range(4, 1, 1, &qn, &qp);
    cr_assert(qn == -7 && qp == 7);
    qc_int_range(4, 0, 1, &qn, &qp);
    cr_assert(qn == 0 && qp == 15);
}

/* The binned projector must return exactly what the plain binary search returns: on random
 * points, on every level, on every midpoint between neighbours (the ties) and next to them. */
static void projector_matches(const double *mag, int n)
{
    QcProjector p;
    qc_projector_init(&p, mag, n);
    uint64_t s = 12345;
    for (int i = 0; i < 20000; i++) {
        s = s * 6364136223846793005ull + 1442695040888963407ull;
        double u = (double)(s >> 11) / 9007199254740992.0;
        u = i % 2 ? u : u * u * u * u; /* crowd some points near zero */
        cr_assert_eq(qc_projector_apply(&p, u), qc_project(mag, n, u), "u = %.17g", u);
    }
    for (int i = 0; i + 1 < n; i++) {
        double mid = (mag[i] + mag[i + 1]) / 2, probes[] = {mag[i], mid, nextafter(mid, 0),
                                                            nextafter(mid, 2), mag[i + 1]};
        for (int k = 0; k < 5; k++)
            cr_assert_eq(qc_projector_apply(&p, probes[k]), qc_project(mag, n, probes[k]),
                         "u = %.17g", probes[k]);
    }
}

Test(qcommon, binned_projector_equals_binary_search_for_every_level_set)
{
    const char *methods[] = {"pot", "post", "apot"};
    int sets = 0;
    for (int m = 0; m < 3; m++)
        for (int bits = 3; bits <= 7; bits++) {
            const QuantizerOps *ops = quantizer_find(methods[m]);
            QbErr err = {{0}};
            static double levels[1024], mag[1024];
            QuantOption deg = {"allow_degenerate", "true"};
            int n = ops->levels(bits, QROLE_WEIGHT, &deg, m < 2, levels, 1024, &err);
            if (n < 0)
                continue; /* a width the method does not support */
            int k = 0;
            for (int i = 0; i < n; i++)
                if (levels[i] >= 0)
                    mag[k++] = levels[i];
            projector_matches(mag, k);
            sets++;
        }
    cr_assert_eq(sets, 15);
}
