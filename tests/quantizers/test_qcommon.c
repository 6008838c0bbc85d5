/* Shared quantizer pieces: torch.quantile's interpolation, the positivity guard, LSQ's g,
 * integer ranges, the projector and the step table. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "qtest.h"

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

/* FORMULAS.md §2 and §1.4: mean|x| = (0.5 + 1 + 2 + 0.5)/4 = 1; at 2 bits (Qp = 3)
 * s = 2/sqrt(3) and the clip s·Qp = 2·sqrt(3); at 4 bits s = 2/sqrt(15), clip 2·sqrt(15). */
Test(qcommon, lsq_step_init_and_the_clip_it_reaches)
{
    const float x[4] = {0.5f, -1.0f, 2.0f, 0.5f};
    cr_assert_float_eq(qc_lsq_step_init(x, 4, 3), 2.0 / sqrt(3.0), 1e-6);
    cr_assert_float_eq(qc_lsq_clip_init(x, 4, 2), 2.0 * sqrt(3.0), 1e-6);
    cr_assert_float_eq(qc_lsq_clip_init(x, 4, 4), 2.0 * sqrt(15.0), 1e-5);
    const float zero[2] = {0.0f, 0.0f};
    cr_assert_eq(qc_lsq_clip_init(zero, 2, 2), QC_EPS * 3.0f,
                 "an all-zero batch: the guarded step (§1.5) times Qp");
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

/* A step function with a tie rule and a clip: rnd-half-up of clip(x/0.3, -2, 5). */
static void steps_probe_fn(const void *ctx, float x, float *y, double *q)
{
    (void)ctx;
    double v = (double)(x / 0.3f), c = v < -2.0 ? -2.0 : (v > 5.0 ? 5.0 : v);
    *q = floor(c + 0.5);
    *y = 0.3f * (float)*q;
}

static void steps_expect_fn(const QcSteps *s, float x)
{
    int k;
    float y;
    double q;
    qc_steps_index(s, &x, 1, &k);
    steps_probe_fn(NULL, x, &y, &q);
    cr_assert(!memcmp(&y, &s->y[k], sizeof y) && q == s->q[k], "x = %a: table %a, f %a", x,
              s->y[k], y);
}

Test(qcommon, step_table_reproduces_its_function_on_every_float_class)
{
    QcSteps *s = calloc(1, sizeof *s);
    cr_assert_eq(qc_steps_build(s, steps_probe_fn, NULL), 0);
    cr_assert_eq(s->n, 8, "levels -2..5: %d pieces", s->n);
    for (int j = 1; j < s->n; j++) { /* each piece's edge and the floats either side */
        steps_expect_fn(s, s->lo[j]);
        steps_expect_fn(s, nextafterf(s->lo[j], -INFINITY));
        steps_expect_fn(s, nextafterf(s->lo[j], INFINITY));
    }
    for (uint64_t u = 0; u < (1ull << 32); u += 65521) { /* a prime stride over all bit patterns */
        uint32_t b = (uint32_t)u;
        float x;
        memcpy(&x, &b, sizeof x);
        if (x == x)
            steps_expect_fn(s, x);
    }
    float xs[3] = {NAN, -INFINITY, INFINITY}, ys[3];
    qc_steps_forward(s, xs, ys, 3);
    cr_assert(ys[0] != ys[0] && ys[1] == -0.6f && ys[2] == 1.5f, "NaN kept, infinities clipped");
    free(s);
}

/* Every unsigned power / APoT activation quantizer, through its table, against the formula
 * y = α·P_L(clip(x/α, 0, 1)) evaluated here with the plain binary search (FORMULAS.md §4.2,
 * §5): values bit for bit, and the alpha gradient of its backward. */
static void act_quantizer_matches_formula(const char *method, int bits, float alpha)
{
    QbErr err = {{0}};
    double lv[256];
    int n = quantizer_find(method)->levels(bits, QROLE_ACT, NULL, 0, lv, 256, &err);
    enum { N = 4096 };
    static float x[N], y[N], dy[N], dx[N];
    uint64_t r = 88172645463325252ull;
    for (int i = 0; i < N; i++) {
        r ^= r << 13, r ^= r >> 7, r ^= r << 17;
        int lvl = (int)(r % (uint64_t)n);
        float edge = (float)(alpha * (lvl + 1 < n ? (lv[lvl] + lv[lvl + 1]) / 2 : lv[lvl]));
        switch (i % 4) { /* near a midpoint, on a level, anywhere in [-0.5α, 1.5α], or wild */
        case 0: x[i] = nextafterf(edge, (r >> 40) & 1 ? INFINITY : -INFINITY); break;
        case 1: x[i] = (float)(alpha * lv[lvl]); break;
        case 2: x[i] = alpha * ((float)(r >> 40) / (float)(1 << 24) * 2.0f - 0.5f); break;
        default: x[i] = i % 8 == 3 ? -0.0f : ldexpf((float)(r >> 41), (int)(r % 40) - 40);
        }
        dy[i] = (float)((r >> 20) % 1000) / 500.0f - 1.0f;
    }
    QRig rig;
    Quantizer *q = qrig_new(method, QROLE_ACT, bits, 0, NULL, 0);
    qrig_build(&rig, (Dims){N, 1, 1}, 1, 0, 1, NULL, q);
    qrig_skip_init(q);
    qrig_param(&rig, "aq", "alpha")->w[0] = alpha;
    Tensor xt = {1, N, 1, 1, x}, yt = {1, N, 1, 1, y}, dyt = {1, N, 1, 1, dy}, dxt = {1, N, 1, 1, dx};
    q->ops->forward(q, &xt, &yt);
    qrig_backward(&rig, q, &xt, &dyt, &dxt);
    double acc = 0.0;
    for (int i = 0; i < N; i++) {
        double v = (double)(x[i] / alpha), c = v < 0 ? 0 : (v > 1 ? 1 : v);
        double m = qc_project(lv, n, c);
        float want = alpha * (float)m;
        cr_assert(!memcmp(&want, &y[i], sizeof want), "%s %d-bit alpha %g: x = %a gives %a, not %a",
                  method, bits, alpha, x[i], y[i], want);
        acc += (double)dy[i] * (v >= 0 && v <= 1 ? m - v : (v > 1 ? 1.0 : 0.0));
    }
    cr_assert_eq(qrig_param(&rig, "aq", "alpha")->g[0], (float)acc, "%s %d-bit alpha gradient",
                 method, bits);
    qrig_free(&rig);
}

Test(qcommon, tabulated_activation_quantizers_equal_their_formula)
{
    const char *methods[] = {"pot", "post", "apot"};
    const int max_bits[] = {7, 7, 6};
    const float alphas[] = {8.0f, 0.37f, 3.0e-3f};
    for (int m = 0; m < 3; m++)
        for (int bits = 2; bits <= max_bits[m]; bits++)
            for (int a = 0; a < 3; a++)
                act_quantizer_matches_formula(methods[m], bits, alphas[a]);
}
