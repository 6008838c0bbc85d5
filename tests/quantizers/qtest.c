#include "qtest.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "quantizers/qcheck.h"

Quantizer *qrig_new(const char *method, QuantRole role, int bits, int is_signed,
                    const QuantOption *opts, int nopts)
{
    QbErr err = {{0}};
    Quantizer *q = quantizer_new(method, role, bits, is_signed, opts, nopts, &err);
    cr_assert(q, "%s %d bits: %s", method, bits, err.msg);
    return q;
}

void qrig_build(QRig *r, Dims in, int cout, int k, int batch, Quantizer *wq, Quantizer *aq)
{
    QbErr err = {{0}};
    cr_assert_eq(qcheck_rig(&r->net, in, cout, k, batch, wq, aq, &err), 0, "%s", err.msg);
    r->wq = wq;
    r->aq = aq;
}

void qrig_pair(QRig *r, const char *method, int bits, Dims in, int cout)
{
    Quantizer *wq = qrig_new(method, QROLE_WEIGHT, bits, 0, NULL, 0);
    Quantizer *aq = qrig_new(method, QROLE_ACT, bits, 0, NULL, 0);
    qrig_build(r, in, cout, 0, 1, wq, aq);
}

Param *qrig_param(QRig *r, const char *tag, const char *name)
{
    char full[PARAM_NAME_MAX];
    snprintf(full, sizeof full, "l.%s.%s", tag, name);
    Param *p = net_param(&r->net, full);
    cr_assert(p, "no parameter %s", full);
    return p;
}

void qrig_skip_init(Quantizer *q) { *q->initialised = 1.0f; }

void qrig_free(QRig *r) { net_free(&r->net); }

void qrig_backward(QRig *r, Quantizer *q, const Tensor *x, const Tensor *dy, Tensor *dx)
{
    net_zero_grad(&r->net);
    q->ops->backward(q, x, dy, dx, 0);
}

void qrig_expect_levels(const char *method, QuantRole role, int bits, const QuantOption *opts,
                        int nopts, const double *want, int n)
{
    double got[300];
    QbErr err = {{0}};
    int count = quantizer_find(method)->levels(bits, role, opts, nopts, got, 300, &err);
    cr_assert_eq(count, n, "%s %d bits: %d levels, want %d (%s)", method, bits, count, n, err.msg);
    for (int i = 0; i < n; i++)
        cr_assert_float_eq(got[i], want[i], 1e-12, "%s %d bits: level %d = %g, want %g", method,
                           bits, i, got[i], want[i]);
}

void qrig_expect_refused(const char *method, QuantRole role, int bits, const QuantOption *opts,
                         int nopts, const char *want)
{
    QbErr err = {{0}};
    Quantizer *q = quantizer_new(method, role, bits, 0, opts, nopts, &err);
    cr_assert_null(q, "%s %d bits was accepted", method, bits);
    cr_assert(strstr(err.msg, want), "%s, want '%s'", err.msg, want);
}
