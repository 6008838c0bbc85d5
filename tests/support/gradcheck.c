#include "gradcheck.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "quantizers/qcheck.h"

void fill_normal(float *x, size_t n, uint64_t seed, float scale)
{
    qcheck_fill_normal(x, n, seed, scale);
}

static double loss_of(Net *net, const float *r)
{
    net_forward(net);
    const Tensor *y = net_output(net);
    double s = 0.0;
    for (size_t i = 0; i < tensor_numel(y); i++)
        s += (double)r[i] * y->data[i];
    return s;
}

/* One entry: the central difference, plus a check that the function is locally linear
 * (the two one-sided slopes agree); entries where they do not sit on a kink. */
static int probe(Net *net, const float *r, float *p, float eps, double *numeric)
{
    float keep = *p;
    double f0 = loss_of(net, r);
    *p = keep + eps;
    double fp = loss_of(net, r);
    *p = keep - eps;
    double fm = loss_of(net, r);
    *p = keep;
    double sp = (fp - f0) / eps, sm = (f0 - fm) / eps;
    *numeric = (fp - fm) / (2.0 * eps);
    double scale = fabs(sp) + fabs(sm) + 1e-3;
    return fabs(sp - sm) <= 0.01 * scale + 2e-3;
}

static void compare(GradReport *rep, const char *what, size_t idx, double a, double n,
                    double atol, double rtol)
{
    double e = fabs(a - n) / (atol + rtol * fmax(fabs(a), fabs(n)));
    rep->checked++;
    if (e > rep->max_err) {
        rep->max_err = e;
        snprintf(rep->worst, sizeof rep->worst, "%s[%zu]: analytic %.6g numeric %.6g", what, idx,
                 a, n);
    }
}

static void check_tensor(Net *net, const float *r, GradReport *rep, const char *what, float *p,
                         const float *g, size_t n, int max, float eps, double atol, double rtol)
{
    size_t stride = n > (size_t)max ? n / (size_t)max : 1;
    for (size_t i = 0; i < n; i += stride) {
        double num;
        if (probe(net, r, &p[i], eps, &num))
            compare(rep, what, i, g[i], num, atol, rtol);
    }
}

GradReport gradcheck_net(Net *net, uint64_t seed, float eps, double atol, double rtol,
                         int max_per_tensor)
{
    GradReport rep = {0};
    Tensor *dy = net_output_grad(net);
    size_t ny = tensor_numel(dy);
    float *r = malloc(ny * sizeof(float));
    fill_normal(r, ny, seed ^ 0x5eed, 1.0f);
    /* Analytic pass: one forward, dy = r, one backward. */
    net_zero_grad(net);
    net_forward(net);
    memcpy(dy->data, r, ny * sizeof(float));
    net_backward(net);
    size_t nin = tensor_numel(&net->input);
    float *gin = malloc(nin * sizeof(float));
    memcpy(gin, net->input_grad.data, nin * sizeof(float));
    size_t total = 0;
    for (int i = 0; i < net->nparams; i++)
        total += net->params[i].numel;
    float *gp = malloc((total + 1) * sizeof(float));
    size_t off = 0;
    for (int i = 0; i < net->nparams; i++) {
        memcpy(gp + off, net->params[i].g, net->params[i].numel * sizeof(float));
        off += net->params[i].numel;
    }
    check_tensor(net, r, &rep, "input", net->input.data, gin, nin, max_per_tensor, eps, atol,
                 rtol);
    off = 0;
    for (int i = 0; i < net->nparams; i++) {
        Param *p = &net->params[i];
        check_tensor(net, r, &rep, p->name, p->w, gp + off, p->numel, max_per_tensor, eps, atol,
                     rtol);
        off += p->numel;
    }
    free(r);
    free(gin);
    free(gp);
    return rep;
}
