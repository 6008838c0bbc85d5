/* ASQ (FORMULAS.md §7): adapter layout and init, per-sample steps, the LSQ special case β = 1, the
 * dead adapter, and every gradient (adapter parameters, step, adapter path into dx) against
 * central differences where the quantizer is smooth: all inputs above the clip, so that
 * y = Qp·s·β_n exactly and the STE derivative is the true one. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/rng.h"
#include "quantizers/asq.h"
#include "quantizers/qcommon.h"
#include "qtest.h"

static Quantizer *asq_rig(QRig *r, Dims in, int batch, int bits, const QuantOption *o, int no)
{
    Quantizer *q = qrig_new("asq", QROLE_ACT, bits, 0, o, no);
    q->seed = 42;
    if (in.h == 1 && in.w == 1)
        qrig_build(r, in, 2, 0, batch, NULL, q);
    else
        qrig_build(r, in, 2, 1, batch, NULL, q);
    return q;
}

static void expect_shape(QRig *r, const char *name, int d0, int d1)
{
    Param *p = qrig_param(r, "aq", name);
    cr_assert_eq(p->shape[0], d0, "%s", name);
    if (d1)
        cr_assert_eq(p->shape[1], d1, "%s", name);
    cr_assert_eq(p->group, PGROUP_QUANT, "%s", name);
}

Test(asq, two_layer_adapter_for_16_channels)
{
    QRig r;
    asq_rig(&r, (Dims){16, 2, 2}, 2, 4, NULL, 0);
    expect_shape(&r, "step", 1, 0);
    expect_shape(&r, "adapter.fc1.weight", 4, 16);
    expect_shape(&r, "adapter.fc1.bias", 4, 0);
    expect_shape(&r, "adapter.fc2.weight", 1, 4);
    expect_shape(&r, "adapter.fc2.bias", 1, 0);
    qrig_free(&r);
}

Test(asq, one_layer_adapter_below_2r_channels)
{
    QRig r;
    asq_rig(&r, (Dims){7, 2, 2}, 2, 4, NULL, 0);
    expect_shape(&r, "adapter.fc.weight", 1, 7);
    expect_shape(&r, "adapter.fc.bias", 1, 0);
    cr_assert_null(net_param(&r.net, "l.aq.adapter.fc1.weight"));
    qrig_free(&r);
}

Test(asq, adapter_ratio_option_sets_hidden_width)
{
    QuantOption o = {"adapter_ratio", "2"};
    QRig r;
    asq_rig(&r, (Dims){7, 2, 2}, 2, 4, &o, 1);
    expect_shape(&r, "adapter.fc1.weight", 3, 7);
    qrig_free(&r);
}

Test(asq, adapter_ratio_below_one_is_an_error)
{
    QuantOption o = {"adapter_ratio", "0"};
    QbErr err = {{0}};
    cr_assert_null(quantizer_new("asq", QROLE_ACT, 4, 0, &o, 1, &err));
    cr_assert(strstr(err.msg, "adapter_ratio"), "%s", err.msg);
}

Test(asq, adapter_size_reproduces_resnet18_table1_counts)
{
    const int c[4] = {64, 128, 256, 512}, count[4] = {6, 5, 5, 3};
    long params = 0, macs = 0;
    for (int i = 0; i < 4; i++) {
        long p, m;
        asq_adapter_size(c[i], 4, &p, &m);
        params += count[i] * p;
        macs += count[i] * m;
    }
    cr_assert_eq(params, 307091, "FORMULAS.md §9.3");
    cr_assert_eq(macs, 306112, "FORMULAS.md §9.3");
    long p, m;
    asq_adapter_size(3, 4, &p, &m);
    cr_assert_eq(p, 4);
    cr_assert_eq(m, 3);
}

/* FORMULAS.md §7.2: with x = 0, β − 1 = W2·ReLU(b1), at most 0.05 (10σ). */
Test(asq, beta_starts_near_one_on_zero_input)
{
    QRig r;
    Quantizer *q = asq_rig(&r, (Dims){16, 3, 3}, 4, 4, NULL, 0);
    size_t n = 4 * 16 * 9;
    float *x = calloc(n, sizeof(float)), *y = calloc(n, sizeof(float));
    Tensor xt = {4, 16, 3, 3, x}, yt = {4, 16, 3, 3, y};
    q->ops->init(q, &xt);
    q->ops->forward(q, &xt, &yt);
    for (int i = 0; i < 4; i++)
        cr_assert_leq(fabsf(asq_beta(q, i) - 1.0f), 0.05f, "beta[%d] = %g", i, asq_beta(q, i));
    cr_assert_float_eq(qrig_param(&r, "aq", "adapter.fc2.bias")->w[0], 1.0f, 0);
    cr_assert_float_eq(qrig_param(&r, "aq", "step")->w[0], QC_EPS, 0, "mean|x| = 0: guarded");
    cr_assert_float_eq(asq_dead_fraction(q), 0.0, 0);
    free(x);
    free(y);
    qrig_free(&r);
}

Test(asq, init_follows_torch_linear_and_small_last_layer)
{
    QRig r;
    Quantizer *q = asq_rig(&r, (Dims){16, 1, 1}, 2, 4, NULL, 0);
    float x[32];
    for (int i = 0; i < 32; i++)
        x[i] = (float)(i % 4);
    Tensor xt = {2, 16, 1, 1, x};
    q->ops->init(q, &xt);
    Param *w1 = qrig_param(&r, "aq", "adapter.fc1.weight"), *w2 = qrig_param(&r, "aq", "adapter.fc2.weight");
    float amax = 0.0f;
    for (size_t i = 0; i < w1->numel; i++)
        amax = fmaxf(amax, fabsf(w1->w[i]));
    cr_assert_leq(amax, 0.25f, "U(-1/sqrt(16), 1/sqrt(16))");
    cr_assert_gt(amax, 0.1f, "64 draws fill the range");
    for (size_t i = 0; i < w2->numel; i++)
        cr_assert_leq(fabsf(w2->w[i]), 0.05f, "N(0, 0.01^2)");
    cr_assert_float_eq(qrig_param(&r, "aq", "step")->w[0], 2.0 * 1.5 / sqrt(15.0), 1e-6,
                       "2·mean|x|/sqrt(Qp) on raw x");
    qrig_free(&r);
}

/* With W2 = 0 and b2 = 1, β = 1 and ASQ is LSQ: the §2 worked test, plus dL/dβ = s·G into b2. */
Test(asq, beta_one_reproduces_lsq_worked_test)
{
    QRig r;
    Quantizer *q = asq_rig(&r, (Dims){8, 1, 1}, 1, 2, NULL, 0);
    qrig_skip_init(q);
    qrig_param(&r, "aq", "step")->w[0] = 0.5f;
    Param *w1 = qrig_param(&r, "aq", "adapter.fc1.weight");
    for (size_t i = 0; i < w1->numel; i++)
        w1->w[i] = 0.1f * (float)(i % 3) - 0.1f;
    qrig_param(&r, "aq", "adapter.fc2.bias")->w[0] = 1.0f;
    float xv[8] = {-0.3f, 0.0f, 0.24f, 0.25f, 0.26f, 0.75f, 1.5f, 1.6f}, y[8];
    float ones[8] = {1, 1, 1, 1, 1, 1, 1, 1}, dx[8];
    Tensor x = {1, 8, 1, 1, xv}, yt = {1, 8, 1, 1, y}, dy = {1, 8, 1, 1, ones}, dxt = {1, 8, 1, 1, dx};
    q->ops->forward(q, &x, &yt);
    const float want[8] = {0, 0, 0, 0, 0.5f, 1.0f, 1.5f, 1.5f}, wdx[8] = {0, 1, 1, 1, 1, 1, 1, 0};
    for (int i = 0; i < 8; i++)
        cr_assert_float_eq(y[i], want[i], 1e-6, "x=%g", xv[i]);
    qrig_backward(&r, q, &x, &dy, &dxt);
    for (int i = 0; i < 8; i++)
        cr_assert_float_eq(dx[i], wdx[i], 1e-6, "x=%g: W2 = 0 leaves only the STE path", xv[i]);
    cr_assert_float_eq(qrig_param(&r, "aq", "step")->g[0], 0.612372f, 1e-6);
    cr_assert_float_eq(qrig_param(&r, "aq", "adapter.fc2.bias")->g[0], 0.5f * 3.0f, 1e-6,
                       "dL/dbeta = s·G, not scaled by g");
    cr_assert_float_eq(qrig_param(&r, "aq", "adapter.fc1.bias")->g[0], 0.0f, 0);
    qrig_free(&r);
}

/* β = 2 on every sample doubles the step: codes of x/(2s). */
Test(asq, beta_rescales_the_step_per_sample)
{
    QRig r;
    Quantizer *q = asq_rig(&r, (Dims){3, 1, 1}, 2, 2, NULL, 0);
    qrig_skip_init(q);
    qrig_param(&r, "aq", "step")->w[0] = 0.5f;
    Param *w = qrig_param(&r, "aq", "adapter.fc.weight");
    w->w[0] = 1.0f; /* β_n = z_n0 + 0: sample 0 has β = 2, sample 1 β = 1 */
    qrig_param(&r, "aq", "adapter.fc.bias")->w[0] = 0.0f;
    float xv[6] = {2.0f, 1.4f, 3.5f, 1.0f, 0.8f, 0.3f}, y[6];
    Tensor x = {2, 3, 1, 1, xv}, yt = {2, 3, 1, 1, y};
    q->ops->forward(q, &x, &yt);
    cr_assert_float_eq(asq_beta(q, 0), 2.0f, 0);
    cr_assert_float_eq(asq_beta(q, 1), 1.0f, 0);
    /* sample 0, ŝ = 1: [2, 1.4, 3.5] -> [2, 1, 3]; sample 1, ŝ = 0.5: [2, 1.6, 0.6] -> [2, 2, 1]·0.5 */
    const float want[6] = {2, 1, 3, 1.0f, 1.0f, 0.5f};
    for (int i = 0; i < 6; i++)
        cr_assert_float_eq(y[i], want[i], 1e-6, "element %d: %g want %g", i, y[i], want[i]);
    qrig_free(&r);
}

Test(asq, dead_adapter_is_counted_and_gets_no_gradient)
{
    QRig r;
    Quantizer *q = asq_rig(&r, (Dims){3, 1, 1}, 2, 4, NULL, 0);
    qrig_skip_init(q);
    qrig_param(&r, "aq", "step")->w[0] = 0.5f;
    qrig_param(&r, "aq", "adapter.fc.bias")->w[0] = -1.0f;
    float xv[6] = {1, 2, 3, 4, 5, 6}, y[6], ones[6] = {1, 1, 1, 1, 1, 1}, dx[6];
    Tensor x = {2, 3, 1, 1, xv}, yt = {2, 3, 1, 1, y}, dy = {2, 3, 1, 1, ones}, dxt = {2, 3, 1, 1, dx};
    q->ops->forward(q, &x, &yt);
    cr_assert_float_eq(asq_dead_fraction(q), 1.0, 0);
    cr_assert_float_eq(asq_beta(q, 0), 1e-8f, 0);
    cr_assert_leq(y[5], 15 * 0.5f * 1e-8f * 1.0001f, "everything clips at Qp·s·1e-8");
    qrig_backward(&r, q, &x, &dy, &dxt);
    cr_assert_float_eq(qrig_param(&r, "aq", "adapter.fc.bias")->g[0], 0.0f, 0);
    cr_assert_float_eq(qrig_param(&r, "aq", "adapter.fc.weight")->g[0], 0.0f, 0);
    qrig_free(&r);
}

/* ---- Finite differences in the smooth (all-clipped) regime ---- */

typedef struct {
    QRig r;
    Quantizer *q;
    Tensor x, y;
    float *rw;      /* loss weights */
} Smooth;

static double smooth_loss(Smooth *s)
{
    s->q->ops->forward(s->q, &s->x, &s->y);
    double l = 0.0;
    for (size_t i = 0; i < tensor_numel(&s->y); i++)
        l += (double)s->rw[i] * s->y.data[i];
    return l;
}

/* Central difference at *p, or NAN when the one-sided slopes disagree (a ReLU kink). */
static double smooth_fd(Smooth *s, float *p, float eps)
{
    float keep = *p;
    double f0 = smooth_loss(s);
    *p = keep + eps;
    double fp = smooth_loss(s);
    *p = keep - eps;
    double fm = smooth_loss(s);
    *p = keep;
    double sp = (fp - f0) / eps, sm = (f0 - fm) / eps;
    if (fabs(sp - sm) > 0.02 * (fabs(sp) + fabs(sm)) + 1e-4)
        return NAN;
    return (fp - fm) / (2.0 * eps);
}

static void smooth_setup(Smooth *s, Dims in, int batch)
{
    s->q = asq_rig(&s->r, in, batch, 2, NULL, 0);
    size_t n = (size_t)batch * dims_numel(in);
    s->x = tensor_view(batch, in, malloc(n * sizeof(float)));
    s->y = tensor_view(batch, in, malloc(n * sizeof(float)));
    s->rw = malloc(n * sizeof(float));
    Rng g = rng_stream(5, "asq-smooth");
    for (size_t i = 0; i < n; i++) {
        s->x.data[i] = 0.5f + rng_uniform(&g); /* v = x/(0.01·β) >> Qp = 3 */
        s->rw[i] = rng_normal(&g);
    }
    s->q->ops->init(s->q, &s->x);
    qrig_param(&s->r, "aq", "step")->w[0] = 0.01f;
    /* A livelier last layer than the init's 0.01, so β varies by sample (still near 1). */
    const char *last = s->r.net.params[s->r.net.nparams - 2].name;
    Param *w2 = net_param(&s->r.net, last);
    for (size_t i = 0; i < w2->numel; i++)
        w2->w[i] = (i % 2 ? -0.3f : 0.3f) * (float)(1 + i % 3);
}

static void smooth_free(Smooth *s)
{
    free(s->x.data);
    free(s->y.data);
    free(s->rw);
    qrig_free(&s->r);
}

/* Tolerance relative to the entry and to the tensor's largest gradient (atol_ref). */
static void expect_close(const char *what, size_t i, double analytic, double numeric,
                         double atol_ref)
{
    cr_assert_leq(fabs(analytic - numeric),
                  2e-3 * atol_ref + 1e-7 + 5e-3 * fmax(fabs(analytic), fabs(numeric)),
                  "%s[%zu]: analytic %g, numeric %g", what, i, analytic, numeric);
}

static double max_abs(const float *g, size_t n)
{
    double m = 0.0;
    for (size_t i = 0; i < n; i++)
        m = fmax(m, fabs(g[i]));
    return m;
}

static void smooth_check(Dims in, int batch)
{
    Smooth s;
    smooth_setup(&s, in, batch);
    size_t n = tensor_numel(&s.x);
    float *dx = malloc(n * sizeof(float));
    Tensor dxt = tensor_view(batch, in, dx), dy = tensor_view(batch, in, s.rw);
    smooth_loss(&s);
    qrig_backward(&s.r, s.q, &s.x, &dy, &dxt);
    int checked = 0;
    for (int pi = 0; pi < s.r.net.nparams; pi++) {
        Param *p = &s.r.net.params[pi];
        if (p->group != PGROUP_QUANT)
            continue;
        int is_step = strstr(p->name, ".step") != NULL;
        /* The step's gradient carries LSQ's g = 1/sqrt(N·Qp) on purpose (§7.4). */
        double scale = is_step ? sqrt((double)n * 3.0) : 1.0;
        float *g = malloc(p->numel * sizeof(float));
        memcpy(g, p->g, p->numel * sizeof(float));
        double ref = max_abs(g, p->numel) * scale;
        for (size_t i = 0; i < p->numel; i++) {
            double num = smooth_fd(&s, &p->w[i], is_step ? 1e-4f : 1e-2f);
            if (!isnan(num)) {
                expect_close(p->name, i, g[i] * scale, num, ref);
                checked++;
            }
        }
        free(g);
    }
    for (size_t i = 0; i < n; i += n / 23 + 1) {
        double num = smooth_fd(&s, &s.x.data[i], 2e-2f);
        if (!isnan(num)) {
            expect_close("dx (adapter path)", i, dx[i], num, max_abs(dx, n));
            checked++;
        }
    }
    cr_assert_gt(checked, 20, "too few entries checked: %d", checked);
    free(dx);
    smooth_free(&s);
}

Test(asq, grads_match_differences_two_layer_conv_input) { smooth_check((Dims){8, 3, 3}, 3); }

Test(asq, grads_match_differences_one_layer_conv_input) { smooth_check((Dims){5, 2, 3}, 4); }

Test(asq, grads_match_differences_linear_input) { smooth_check((Dims){12, 1, 1}, 3); }
