#include "qwalk.h"

#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "tests/support/gradcheck.h"

extern const QuantizerOps affine_template_ops;

/* The registry's methods, then the template, which is in no registry. */
static const QuantizerOps *walked(int i)
{
    return i < quantizer_count() ? quantizer_at(i) : &affine_template_ops;
}

static void role_cases(const QuantizerOps *ops, QuantRole role, QCaseFn fn, double *lv,
                       int *cases)
{
    cr_assert_leq(ops->min_bits[role], ops->max_bits[role], "%s", ops->name);
    for (int b = ops->min_bits[role]; b <= ops->max_bits[role]; b++) {
        QbErr err = {{0}};
        int n = ops->levels(b, role, NULL, 0, lv, QWALK_LEVELS_CAP, &err);
        /* A method may need an option at some width (POST at 2 bits): it must say why. */
        if (n < 0) {
            cr_assert(err.msg[0], "%s %d bits: levels failed without a message", ops->name, b);
            continue;
        }
        cr_assert_leq(n, QWALK_LEVELS_CAP, "%s %d bits", ops->name, b);
        int signs = role == QROLE_ACT && ops->signed_act ? 2 : 1;
        for (int s = 0; s < signs; s++) {
            QCase c = {ops, role, b, s, lv, n, ""};
            snprintf(c.who, sizeof c.who, "%s %s %d bits%s", ops->name,
                     role == QROLE_WEIGHT ? "weights" : "activations", b, s ? " (signed)" : "");
            fn(&c);
        }
        (*cases)++;
    }
}

void qwalk(QCaseFn fn)
{
    double *lv = malloc(QWALK_LEVELS_CAP * sizeof(double));
    for (int i = 0; i <= quantizer_count(); i++) {
        const QuantizerOps *ops = walked(i);
        int cases = 0;
        for (int role = 0; role < 2; role++)
            if (ops->roles & (1u << role))
                role_cases(ops, (QuantRole)role, fn, lv, &cases);
        cr_assert_gt(cases, 0, "%s: no role and width it accepts with default options", ops->name);
    }
    free(lv);
}

void qwalk_open(QWalkRig *w, const QCase *c)
{
    QbErr err = {{0}};
    w->q = quantizer_new_ops(c->ops, c->role, c->bits, c->is_signed, NULL, 0, &err);
    cr_assert(w->q, "%s: %s", c->who, err.msg);
    w->q->seed = 3;
    int wt = c->role == QROLE_WEIGHT;
    qrig_build(&w->r, (Dims){wt ? 4 : 8, 3, 3}, 5, 3, 3, wt ? w->q : NULL, wt ? NULL : w->q);
    w->x = wt ? w->q->shape : w->r.net.input;
    if (wt)
        w->x.data = net_param(&w->r.net, "l.weight")->w;
    size_t n = tensor_numel(&w->x);
    fill_normal(w->x.data, n, 17 + (uint64_t)c->bits, wt ? 0.1f : 1.0f);
    for (size_t i = 0; i < n && !wt && !c->is_signed; i++)
        w->x.data[i] = fabsf(w->x.data[i]);
    w->y = w->x;
    w->y.data = malloc(n * sizeof(float));
    w->r.net.train = 1;
    if (w->q->ops->init)
        w->q->ops->init(w->q, &w->x);
    qrig_skip_init(w->q);
    w->q->ops->forward(w->q, &w->x, &w->y);
}

void qwalk_close(QWalkRig *w)
{
    free(w->y.data);
    qrig_free(&w->r);
}
