/* Schemes (FORMULAS.md §8): the table, what scheme_apply attaches where (first/last policy §1.3,
 * overrides, option routing), its errors, and a few SGD steps of every scheme at 2/3/4/8 bits
 * on a tiny CNN and a separable synthetic task: the loss must fall and stay finite. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/optim/optim.h"
#include "core/rng.h"
#include "core/xent.h"
#include "quantizers/schemes.h"
#include "qtest.h"

/* Conv then batch-norm, rectified or (a linear bottleneck) not. */
static int conv_bn(Net *net, const char *conv, const char *bn, int x, Conv2dSpec spec, int relu,
                   QbErr *err)
{
    x = layer_conv2d(net, conv, x, spec, err);
    return relu ? layer_bn2d_relu(net, bn, x, err) : layer_bn2d(net, bn, x, err);
}

/* gap -> flatten -> fc, the classifier both test nets end in. */
static void classifier_head(Net *net, int x, QbErr *err)
{
    x = layer_gap(net, "gap", x, err);
    x = layer_flatten(net, "flat", x, err);
    x = layer_linear(net, "fc", x, 2, 1, err);
    cr_assert_geq(x, 0, "%s", err->msg);
}

/* c1 -> bn -> c2 -> bn -> c3 -> bn -> gap -> flatten -> fc: c1 first, fc last. */
static void tiny_cnn(Net *net)
{
    QbErr err = {{0}};
    net_init(net, (Dims){2, 8, 8});
    int x = conv_bn(net, "c1", "bn1", NET_INPUT, (Conv2dSpec){8, 3, 1, 1, 1, 0}, 1, &err);
    x = conv_bn(net, "c2", "bn2", x, (Conv2dSpec){8, 3, 1, 1, 1, 0}, 1, &err);
    x = conv_bn(net, "c3", "bn3", x, (Conv2dSpec){8, 3, 2, 1, 1, 0}, 1, &err);
    classifier_head(net, x, &err);
}

static const Quantizer *wq_of(Net *net, const char *layer)
{
    return layer_weight_quantizer(&net->layers[layer_find(net, layer)]);
}

static const Quantizer *aq_of(Net *net, const char *layer)
{
    return layer_input_quantizer(&net->layers[layer_find(net, layer)]);
}

static void expect_q(const Quantizer *q, const char *method, int bits, const char *where)
{
    cr_assert(q, "%s: no quantizer, want %s", where, method);
    cr_assert_str_eq(q->ops->name, method, "%s", where);
    cr_assert_eq(q->bits, bits, "%s: %d bits", where, q->bits);
}

Test(schemes, table_follows_spec_section_8)
{
    const char *want[][3] = {{"lsq", "lsq", "lsq"},          {"lsq+pot", "pot", "lsq"},
                             {"lsq+post", "post", "lsq"},     {"asq", "lsq", "asq"},
                             {"asq+post", "post", "asq"},     {"apot", "apot", "apot"},
                             {"pot", "pot", "pot"},           {"pact", "dorefa", "pact"},
                             {"uniform", "uniform", "uniform"}};
    cr_assert_eq(scheme_count(), 9);
    for (int i = 0; i < 9; i++) {
        const Scheme *s = scheme_find(want[i][0]);
        cr_assert(s, "%s missing", want[i][0]);
        cr_assert_str_eq(s->wmethod, want[i][1], "%s", want[i][0]);
        cr_assert_str_eq(s->amethod, want[i][2], "%s", want[i][0]);
    }
}

Test(schemes, every_scheme_method_is_registered)
{
    for (int i = 0; i < scheme_count(); i++) {
        const Scheme *s = scheme_at(i);
        cr_expect(quantizer_find(s->wmethod), "%s: weight method %s is not registered", s->name, s->wmethod);
        cr_expect(quantizer_find(s->amethod), "%s: act method %s is not registered", s->name, s->amethod);
    }
}

Test(schemes, first_and_last_are_lsq8_and_the_rest_the_scheme)
{
    Net net;
    tiny_cnn(&net);
    QbErr err = {{0}};
    cr_assert_eq(scheme_apply(&net, "asq", 3, NULL, &err), 0, "%s", err.msg);
    expect_q(wq_of(&net, "c1"), "lsq", 8, "c1 weights");
    expect_q(aq_of(&net, "c1"), "lsq", 8, "c1 input");
    cr_assert(aq_of(&net, "c1")->is_signed, "the first layer's input is the signed image");
    expect_q(wq_of(&net, "c2"), "lsq", 3, "c2 weights");
    expect_q(aq_of(&net, "c2"), "asq", 3, "c2 input");
    cr_assert_not(aq_of(&net, "c2")->is_signed);
    expect_q(aq_of(&net, "c3"), "asq", 3, "c3 input");
    expect_q(wq_of(&net, "fc"), "lsq", 8, "fc weights");
    expect_q(aq_of(&net, "fc"), "lsq", 8, "fc input");
    cr_assert_not(aq_of(&net, "fc")->is_signed);
    net_free(&net);
}

Test(schemes, separate_weight_and_act_bits)
{
    Net net;
    tiny_cnn(&net);
    QbErr err = {{0}};
    SchemeOptions o = {.wbits = 2, .abits = 4};
    cr_assert_eq(scheme_apply(&net, "pact", 3, &o, &err), 0, "%s", err.msg);
    expect_q(wq_of(&net, "c2"), "dorefa", 2, "c2 weights");
    expect_q(aq_of(&net, "c2"), "pact", 4, "c2 input");
    net_free(&net);
}

Test(schemes, first_last_fp_leaves_them_float)
{
    Net net;
    tiny_cnn(&net);
    QbErr err = {{0}};
    SchemeOptions o = {.first_last = "fp"};
    cr_assert_eq(scheme_apply(&net, "lsq", 4, &o, &err), 0, "%s", err.msg);
    cr_assert_null(wq_of(&net, "c1"));
    cr_assert_null(aq_of(&net, "c1"));
    cr_assert_null(wq_of(&net, "fc"));
    expect_q(wq_of(&net, "c2"), "lsq", 4, "c2");
    net_free(&net);
}

Test(schemes, first_last_apot_ref_is_8bit_max_scaled_weights_only)
{
    Net net;
    tiny_cnn(&net);
    QbErr err = {{0}};
    SchemeOptions o = {.first_last = "apot_ref"};
    cr_assert_eq(scheme_apply(&net, "uniform", 4, &o, &err), 0, "%s", err.msg);
    const Quantizer *q = wq_of(&net, "fc");
    expect_q(q, "uniform", 8, "fc weights");
    cr_assert_str_eq(quantizer_opt(q, "uniform_weight_scale"), "apot_ref");
    cr_assert_null(aq_of(&net, "fc"));
    cr_assert_str_eq(quantizer_opt(wq_of(&net, "c2"), "uniform_weight_scale"), "max_abs");
    net_free(&net);
}

Test(schemes, bad_first_last_is_an_error)
{
    Net net;
    tiny_cnn(&net);
    QbErr err = {{0}};
    SchemeOptions o = {.first_last = "float"};
    cr_assert_lt(scheme_apply(&net, "lsq", 4, &o, &err), 0);
    cr_assert_str_eq(err.msg, "unknown first_last policy 'float'; expected one of: lsq8, fp, "
                              "apot_ref");
    net_free(&net);
}

Test(schemes, overrides_by_name_and_glob_first_match_wins)
{
    Net net;
    tiny_cnn(&net);
    QbErr err = {{0}};
    LayerOverride ov[3] = {{"c3", 0, "fp"}, {"c*", 2, ""}, {"fc", 0, "pact"}};
    SchemeOptions o = {.overrides = ov, .noverrides = 3};
    cr_assert_eq(scheme_apply(&net, "lsq", 4, &o, &err), 0, "%s", err.msg);
    cr_assert_null(wq_of(&net, "c3"), "the exact override comes first");
    expect_q(wq_of(&net, "c2"), "lsq", 2, "c2 by glob");
    expect_q(wq_of(&net, "c1"), "lsq", 2, "c1 by glob, overriding the 8-bit policy");
    expect_q(wq_of(&net, "fc"), "dorefa", 8, "fc takes the pact scheme's methods");
    expect_q(aq_of(&net, "fc"), "pact", 8, "fc");
    net_free(&net);
}

Test(schemes, override_matching_nothing_is_named)
{
    Net net;
    tiny_cnn(&net);
    QbErr err = {{0}};
    LayerOverride ov[1] = {{"layer9.*", 2, ""}};
    SchemeOptions o = {.overrides = ov, .noverrides = 1};
    cr_assert_lt(scheme_apply(&net, "lsq", 4, &o, &err), 0);
    cr_assert_str_eq(err.msg, "override 'layer9.*' matches no conv2d or linear layer");
    net_free(&net);
}

Test(schemes, override_with_unknown_scheme_is_an_error)
{
    Net net;
    tiny_cnn(&net);
    QbErr err = {{0}};
    LayerOverride ov[1] = {{"c2", 0, "lsqx"}};
    SchemeOptions o = {.overrides = ov, .noverrides = 1};
    cr_assert_lt(scheme_apply(&net, "lsq", 4, &o, &err), 0);
    cr_assert(strstr(err.msg, "layer c2: override 'c2': unknown scheme 'lsqx'; expected a scheme "
                              "(lsq, lsq+pot"), "%s", err.msg);
    cr_assert(strstr(err.msg, "; did you mean 'lsq'?"), "%s", err.msg);
    net_free(&net);
}

Test(schemes, unknown_scheme_lists_the_known_ones)
{
    Net net;
    tiny_cnn(&net);
    QbErr err = {{0}};
    cr_assert_lt(scheme_apply(&net, "nosuch", 4, NULL, &err), 0);
    cr_assert(strstr(err.msg, "unknown scheme 'nosuch'; expected a scheme (lsq, lsq+pot, lsq+post, "
                              "asq, asq+post, apot, pot, pact, uniform) or a registered method "
                              "(uniform, dorefa, pact, lsq, asq, pot, post, apot, dsq, qil"),
              "%s", err.msg);
    net_free(&net);
}

Test(schemes, unsupported_bits_name_scheme_and_layer)
{
    Net net;
    tiny_cnn(&net);
    QbErr err = {{0}};
    cr_assert_lt(scheme_apply(&net, "lsq", 9, NULL, &err), 0);
    cr_assert_str_eq(err.msg, "scheme lsq, layer c2: lsq needs 2..8 bits for weights, got 9");
    net_free(&net);
}

Test(schemes, options_reach_only_the_methods_declaring_them)
{
    Net net;
    tiny_cnn(&net);
    QbErr err = {{0}};
    QuantOption opts[2] = {{"adapter_ratio", "2"}, {"lsq_weight_granularity", "per_tensor"}};
    SchemeOptions o = {.opts = opts, .nopts = 2};
    cr_assert_eq(scheme_apply(&net, "asq", 4, &o, &err), 0, "%s", err.msg);
    cr_assert_str_eq(quantizer_opt(aq_of(&net, "c2"), "adapter_ratio"), "2");
    cr_assert_str_eq(quantizer_opt(wq_of(&net, "c2"), "lsq_weight_granularity"), "per_tensor");
    cr_assert_str_eq(quantizer_opt(wq_of(&net, "c1"), "lsq_weight_granularity"), "per_tensor");
    cr_assert_null(quantizer_opt(wq_of(&net, "c2"), "adapter_ratio"));
    cr_assert(net_param(&net, "c2.aq.adapter.fc1.weight"), "C = 8 >= 2r with r = 2");
    net_free(&net);
}

Test(schemes, option_no_method_declares_is_an_error)
{
    Net net;
    tiny_cnn(&net);
    QbErr err = {{0}};
    QuantOption opts[1] = {{"adapter_ratio", "2"}};
    SchemeOptions o = {.opts = opts, .nopts = 1};
    cr_assert_lt(scheme_apply(&net, "lsq", 4, &o, &err), 0);
    cr_assert_str_eq(err.msg, "option adapter_ratio is not declared by any quantizer method in use");
    net_free(&net);
}

Test(schemes, asq_first_layer_puts_signed_asq_on_the_input)
{
    Net net;
    tiny_cnn(&net);
    QbErr err = {{0}};
    SchemeOptions o = {.asq_first_layer = 1, .seed = 99};
    cr_assert_eq(scheme_apply(&net, "asq", 4, &o, &err), 0, "%s", err.msg);
    expect_q(aq_of(&net, "c1"), "asq", 8, "c1 input");
    cr_assert(aq_of(&net, "c1")->is_signed);
    cr_assert_eq(aq_of(&net, "c2")->seed, 99);
    expect_q(wq_of(&net, "c1"), "lsq", 8, "c1 weights");
    net_free(&net);
    tiny_cnn(&net);
    cr_assert_lt(scheme_apply(&net, "lsq", 4, &o, &err), 0);
    cr_assert_str_eq(err.msg, "asq_first_layer needs a scheme that quantizes the first layer's "
                              "input with ASQ (asq or asq+post), not lsq");
    net_free(&net);
}

/* c1 -> bn_relu -> c2 -> bn (a linear bottleneck, as in MobileNet-V2) -> c3 -> bn_relu ->
 * maxpool -> c4 -> bn_relu -> gap -> flatten -> fc. */
static void bottleneck_cnn(Net *net)
{
    QbErr err = {{0}};
    net_init(net, (Dims){2, 8, 8});
    int x = conv_bn(net, "c1", "bn1", NET_INPUT, (Conv2dSpec){8, 3, 1, 1, 1, 0}, 1, &err);
    x = conv_bn(net, "c2", "bn2", x, (Conv2dSpec){8, 1, 1, 0, 1, 0}, 0, &err);
    x = conv_bn(net, "c3", "bn3", x, (Conv2dSpec){8, 1, 1, 0, 1, 0}, 1, &err);
    x = layer_maxpool(net, "pool", x, 2, 2, 0, &err);
    x = conv_bn(net, "c4", "bn4", x, (Conv2dSpec){8, 3, 1, 1, 1, 0}, 1, &err);
    classifier_head(net, x, &err);
}

Test(schemes, an_input_that_can_be_negative_gets_a_signed_quantizer)
{
    Net net;
    bottleneck_cnn(&net);
    QbErr err = {{0}};
    cr_assert_eq(scheme_apply(&net, "asq", 3, NULL, &err), 0, "%s", err.msg);
    expect_q(aq_of(&net, "c3"), "asq", 3, "c3 input");
    cr_assert(aq_of(&net, "c3")->is_signed, "c3 reads bn2's unrectified output");
    cr_assert_not(aq_of(&net, "c2")->is_signed);
    cr_assert_not(aq_of(&net, "c4")->is_signed, "a max-pool of a ReLU output is unsigned");
    cr_assert_not(aq_of(&net, "fc")->is_signed);
    cr_assert(aq_of(&net, "c1")->is_signed);
    net_free(&net);
}

Test(schemes, an_unsigned_only_method_gives_way_to_signed_lsq_on_a_signed_input)
{
    static const char *const unsigned_only[] = {"pact", "pot", "apot"};
    for (int i = 0; i < 3; i++) {
        Net net;
        bottleneck_cnn(&net);
        QbErr err = {{0}};
        cr_assert_eq(scheme_apply(&net, unsigned_only[i], 4, NULL, &err), 0, "%s: %s",
                     unsigned_only[i], err.msg);
        expect_q(aq_of(&net, "c3"), "lsq", 4, "c3 input");
        cr_assert(aq_of(&net, "c3")->is_signed);
        expect_q(aq_of(&net, "c2"), unsigned_only[i], 4, "c2 input");
        expect_q(aq_of(&net, "c4"), unsigned_only[i], 4, "c4 input");
        net_free(&net);
    }
}

/* ---- A few SGD steps per scheme and bit-width ---- */

#define TRAIN_N 64
#define BATCH 16
#define STEPS 40

/* Class c raises channel c by 1 in the left half of the image, on N(0,1) noise. */
static void synth_task(float *x, int *y)
{
    Rng r = rng_stream(8, "scheme-task");
    for (int n = 0; n < TRAIN_N; n++) {
        y[n] = n % 2;
        for (int c = 0; c < 2; c++)
            for (int i = 0; i < 64; i++)
                x[(n * 2 + c) * 64 + i] = rng_normal(&r) + (c == y[n] && i % 8 < 4 ? 1.0f : 0.0f);
    }
}

static int supported(const Scheme *s, int bits)
{
    QbErr err;
    const char *m[2] = {s->wmethod, s->amethod};
    for (int role = 0; role < 2; role++) {
        Quantizer *q = quantizer_new(m[role], (QuantRole)role, bits, 0, NULL, 0, &err);
        if (!q)
            return 0;
        quantizer_delete(q);
    }
    return 1;
}

/* Mean loss over the first and the last 4 steps. */
static void train_scheme(const Scheme *s, int bits, const float *data, const int *labels,
                         double *first, double *last)
{
    Net net;
    tiny_cnn(&net);
    QbErr err = {{0}};
    SchemeOptions o = {.seed = 1};
    cr_assert_eq(scheme_apply(&net, s->name, bits, &o, &err), 0, "%s", err.msg);
    cr_assert_eq(net_alloc(&net, BATCH, 2, &err), 0, "%s", err.msg);
    Rng init = rng_stream(1, "init");
    net_init_params(&net, &init);
    net.train = 1;
    Optimizer opt;
    optim_defaults(&opt, 1e-4f);
    *first = *last = 0.0;
    for (int step = 0; step < STEPS; step++) {
        int b = step % (TRAIN_N / BATCH);
        memcpy(net.input.data, data + (size_t)b * BATCH * 128, BATCH * 128 * sizeof(float));
        net_zero_grad(&net);
        net_forward(&net);
        float loss = xent_forward(net_output(&net), labels + b * BATCH, 0.0f, net_output_grad(&net));
        cr_assert(isfinite(loss), "%s %d bits: loss %g at step %d", s->name, bits, loss, step);
        *first += step < 4 ? loss / 4.0 : 0.0;
        *last += step >= STEPS - 4 ? loss / 4.0 : 0.0;
        net_backward(&net);
        optim_step(&opt, &net, 0.05f);
    }
    net_free(&net);
}

Test(schemes, every_scheme_trains_at_2_3_4_8_bits)
{
    float *data = malloc(TRAIN_N * 128 * sizeof(float));
    int labels[TRAIN_N];
    synth_task(data, labels);
    const int bits[4] = {2, 3, 4, 8};
    int trained = 0;
    for (int i = 0; i < scheme_count(); i++)
        for (int k = 0; k < 4; k++) {
            const Scheme *s = scheme_at(i);
            if (!supported(s, bits[k]))
                continue;
            double first, last;
            train_scheme(s, bits[k], data, labels, &first, &last);
            cr_expect_lt(last, 0.8 * first, "%s %d bits: loss %.4f -> %.4f", s->name, bits[k],
                         first, last);
            trained++;
        }
    cr_assert_geq(trained, 4 * 4, "lsq, asq, pact, uniform at every width at least");
    free(data);
}

/* An option reaches a scheme's cells through the scheme's methods, the first/last-layer
 * policy, the signed-input substitute and the overrides, and through nothing else. */
Test(schemes, an_option_reaches_the_methods_a_scheme_can_put_on_a_layer)
{
    SchemeOptions lsq8 = {0}, fp = {.first_last = "fp"};
    cr_assert(scheme_option_reaches("pact", &lsq8, "pact_alpha_init"));
    cr_assert(scheme_option_reaches("pact", &lsq8, "dorefa_grad"));
    cr_assert(!scheme_option_reaches("pact", &lsq8, "apot_act_init"));
    cr_assert(scheme_option_reaches("asq", &fp, "adapter_ratio"));
    cr_assert(!scheme_option_reaches("lsq", &fp, "adapter_ratio"));
    /* LSQ-8 first and last layers take LSQ's options under any scheme */
    cr_assert(scheme_option_reaches("apot", &lsq8, "lsq_weight_range"));
    /* APoT quantizes unsigned inputs only: LSQ takes a signed one in its place */
    cr_assert(scheme_option_reaches("apot", &fp, "lsq_grad_scale"));
    cr_assert(!scheme_option_reaches("lsq", &fp, "uniform_weight_scale"));
    SchemeOptions ref = {.first_last = "apot_ref"};
    cr_assert(scheme_option_reaches("lsq", &ref, "uniform_weight_scale"));
    LayerOverride ov = {.pattern = "c2", .scheme = "apot"};
    SchemeOptions with_ov = {.first_last = "fp", .overrides = &ov, .noverrides = 1};
    cr_assert(scheme_option_reaches("lsq", &with_ov, "apot_clip_lr"));
    /* the first layer's input method is the scheme's own (Scheme.first_input): ASQ's schemes
     * have one, LSQ has none (asq_first_layer is an error there), so it adds no method */
    SchemeOptions asq_first = {.first_last = "fp", .asq_first_layer = 1};
    cr_assert(scheme_option_reaches("asq+post", &asq_first, "adapter_ratio"));
    cr_assert(!scheme_option_reaches("lsq", &asq_first, "adapter_ratio"));
    cr_assert(!scheme_option_reaches("no_such_scheme", &lsq8, "lsq_grad_scale"));
}
