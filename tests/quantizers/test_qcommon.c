/* Shared quantizer pieces: torch.quantile's interpolation, the positivity guard, LSQ's g,
 * integer ranges. */
#include <criterion/criterion.h>
#include <math.h>

#include "../../quantizers/qcommon.h"

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
