/* QView's scale rules, method by method: on a real net after calibration, every quantizer
 * output lies on its level set once divided by the per-group scale the view reports, inputs
 * inside the clip range land on their nearest level, and inputs beyond it on the end level.
 * A wrong rule (a missing Qp, a step without ASQ's beta, APoT without its normalisation)
 * puts outputs off the grid. */
#include <criterion/criterion.h>
#include <math.h>
#include <string.h>

#include "core/layers/layers.h"
#include "core/threads.h"
#include "probe/pdata.h"
#include "probe/pnet.h"
#include "probe/qview.h"
#include "quantizers/registry.h"
#include "quantizers/schemes.h"
#include "pfix.h"

#define TOL 1e-4   /* normalised units: float rounding of the quantizers' own arithmetic */

static ProbeData data;
static PnetSpec spec;

static void setup(void)
{
    QbErr err;
    threads_set(1); /* the nets' workspaces are sized for spec.threads */
    cr_assert_eq(pdata_open(&data, "synth", NULL, 4, 3, &err), 0, "%s", err.msg);
    spec = (PnetSpec){"small_cnn", 1.0f, data.train.dims, data.train.classes, 4, 1, 3};
}

static void teardown(void) { pdata_close(&data); }

TestSuite(qview, .init = setup, .fini = teardown);

static void net_ready(Net *net)
{
    QbErr err;
    cr_assert_eq(pnet_load(net, &spec, PFIX_CKPT, NULL, &err), 0, "%s", err.msg);
    cr_assert_eq(pnet_calibrate(net, PFIX_CKPT, &data.init, &err), 0, "%s", err.msg);
    pnet_forward(net, &data.measure);
}

static void expect_on_grid(Net *net, const char *layer, QuantRole role, const char *what)
{
    QView v;
    QbErr err;
    cr_assert_eq(qview_open(&v, net, &net->layers[layer_find(net, layer)], role, &err), 0, "%s",
                 err.msg);
    double lo = v.levels[0], hi = v.levels[v.nlevels - 1];
    int clipped = 0;
    for (size_t i = 0; i < v.n; i++) {
        double yn = qview_yn(&v, i), u = qview_u(&v, i);
        int j = qview_level(&v, yn);
        cr_assert(fabs(yn - v.levels[j]) <= TOL * fmax(1.0, fabs(v.levels[j])),
                  "%s %s[%zu]: output %g is off the grid (nearest level %g)", what, layer, i, yn,
                  v.levels[j]);
        if (u > hi + TOL || u < lo - TOL) {
            clipped++;
            cr_assert_eq(j, u > hi ? v.nlevels - 1 : 0, "%s: %g beyond the range went to %g",
                         what, u, v.levels[j]);
        } else {
            double best = fabs(v.levels[qview_level(&v, u)] - u);
            cr_assert(fabs(v.levels[j] - u) <= best + TOL, "%s: input %g went to %g, not the "
                      "nearest level", what, u, v.levels[j]);
        }
    }
    cr_assert_lt(clipped, (int)v.n, "%s: every input was clipped", what);
    qview_close(&v);
}

Test(qview, weight_outputs_sit_on_each_method_grid)
{
    const char *methods[] = {"uniform", "lsq", "pot", "post", "apot"};
    for (int m = 0; m < 5; m++)
        for (int bits = 3; bits <= 4; bits++) {
            Net net;
            QbErr err;
            cr_assert_eq(pnet_build(&net, &spec, &err), 0, "%s", err.msg);
            Quantizer *wq = quantizer_new(methods[m], QROLE_WEIGHT, bits, 0, NULL, 0, &err);
            cr_assert(wq, "%s", err.msg);
            cr_assert_eq(layer_quantize(&net, layer_find(&net, "conv2"), wq, NULL, &err), 0,
                         "%s", err.msg);
            net_ready(&net);
            expect_on_grid(&net, "conv2", QROLE_WEIGHT, methods[m]);
            net_free(&net);
        }
}

Test(qview, activation_outputs_sit_on_each_scheme_grid_signed_first_layer_too)
{
    const char *schemes[] = {"lsq", "asq", "uniform", "pot", "apot"};
    for (int s = 0; s < 5; s++) {
        Net net;
        QbErr err;
        SchemeOptions so = {0};
        so.seed = 3;
        cr_assert_eq(pnet_build(&net, &spec, &err), 0, "%s", err.msg);
        cr_assert_eq(scheme_apply(&net, schemes[s], 3, &so, &err), 0, "%s", err.msg);
        net_ready(&net);
        expect_on_grid(&net, "conv2", QROLE_ACT, schemes[s]);
        expect_on_grid(&net, "conv3", QROLE_WEIGHT, schemes[s]);
        expect_on_grid(&net, "conv1", QROLE_ACT, schemes[s]); /* LSQ 8-bit, signed input */
        expect_on_grid(&net, "fc", QROLE_WEIGHT, schemes[s]);
        net_free(&net);
    }
}

/* The pact scheme's activations (its weights are DoReFa's, refused below). */
Test(qview, pact_activation_outputs_sit_on_their_grid)
{
    Net net;
    QbErr err;
    SchemeOptions so = {0};
    cr_assert_eq(pnet_build(&net, &spec, &err), 0, "%s", err.msg);
    cr_assert_eq(scheme_apply(&net, "pact", 3, &so, &err), 0, "%s", err.msg);
    net_ready(&net);
    expect_on_grid(&net, "conv2", QROLE_ACT, "pact");
    net_free(&net);
}

Test(qview, a_layer_without_a_quantizer_is_named)
{
    Net net;
    QView v;
    QbErr err;
    cr_assert_eq(pnet_build(&net, &spec, &err), 0, "%s", err.msg);
    net_ready(&net);
    cr_assert_eq(qview_open(&v, &net, &net.layers[layer_find(&net, "conv2")], QROLE_ACT, &err),
                 -1);
    cr_assert_str_eq(err.msg, "layer conv2 has no input quantizer");
    net_free(&net);
}

/* DoReFa's tanh normalisation is no scaled projection: it declares no scale op. */
Test(qview, a_method_without_a_scale_rule_is_refused_by_name)
{
    Net net;
    QView v;
    QbErr err;
    SchemeOptions so = {0};
    cr_assert_eq(pnet_build(&net, &spec, &err), 0, "%s", err.msg);
    cr_assert_eq(scheme_apply(&net, "pact", 3, &so, &err), 0, "%s", err.msg);
    net_ready(&net);
    cr_assert_eq(qview_open(&v, &net, &net.layers[layer_find(&net, "conv2")], QROLE_WEIGHT, &err),
                 -1);
    cr_assert(strstr(err.msg, "no scale rule for method dorefa"), "%s", err.msg);
    net_free(&net);
}
