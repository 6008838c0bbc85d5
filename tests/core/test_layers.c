/* Every layer's backward against central finite differences (input and parameter
 * gradients), on small random shapes; and every kind in layer_kinds[] through the gradient
 * checker, with the properties its table declares (output sign, quantizer hooks). */
#include <criterion/criterion.h>
#include <math.h>
#include <string.h>

#include "core/layers/layers.h"
#include "core/rng.h"
#include "core/threads.h"
#include "tests/support/gradcheck.h"

static void ready(Net *net, int batch, int train)
{
    QbErr err = {{0}};
    net->want_input_grad = 1;
    cr_assert_eq(net_alloc(net, batch, 2, &err), 0, "%s", err.msg);
    Rng r = rng_stream(7, "init");
    net_init_params(net, &r);
    /* Non-trivial BN affine params so their gradients are exercised. */
    for (int i = 0; i < net->nparams; i++)
        if (net->params[i].group != PGROUP_WEIGHT)
            fill_normal(net->params[i].w, net->params[i].numel, 100 + i, 0.5f);
    fill_normal(net->input.data, tensor_numel(&net->input), 3, 1.0f);
    net->train = train;
}

static void expect_grads(Net *net, const char *what)
{
    GradReport rep = gradcheck_net(net, 11, 1e-2f, 2e-3, 2e-2, 60);
    cr_assert_gt(rep.checked, 10, "%s: too few entries checked (%d)", what, rep.checked);
    cr_assert_leq(rep.max_err, 1.0, "%s: worst %s (err %.3g)", what, rep.worst, rep.max_err);
    net_free(net);
}

static void conv_case(const char *what, Dims in, Conv2dSpec s, int batch)
{
    threads_set(2);
    Net net;
    QbErr err = {{0}};
    net_init(&net, in);
    cr_assert_geq(layer_conv2d(&net, "conv", NET_INPUT, s, &err), 0, "%s", err.msg);
    ready(&net, batch, 1);
    expect_grads(&net, what);
}

Test(conv2d, grad_3x3_pad1_stride1) { conv_case("3x3 s1 p1", (Dims){3, 6, 5}, (Conv2dSpec){4, 3, 1, 1, 1, 1}, 2); }
Test(conv2d, grad_3x3_stride2_pad1) { conv_case("3x3 s2 p1", (Dims){2, 7, 7}, (Conv2dSpec){3, 3, 2, 1, 1, 0}, 3); }
Test(conv2d, grad_1x1_pointwise) { conv_case("1x1", (Dims){5, 4, 4}, (Conv2dSpec){6, 1, 1, 0, 1, 1}, 2); }
Test(conv2d, grad_1x1_stride2) { conv_case("1x1 s2", (Dims){4, 6, 6}, (Conv2dSpec){2, 1, 2, 0, 1, 0}, 2); }
Test(conv2d, grad_grouped) { conv_case("groups=2", (Dims){4, 5, 5}, (Conv2dSpec){6, 3, 1, 1, 2, 1}, 2); }
Test(conv2d, grad_depthwise) { conv_case("depthwise", (Dims){4, 6, 5}, (Conv2dSpec){4, 3, 1, 1, 4, 0}, 3); }
Test(conv2d, grad_depthwise_stride2) { conv_case("dw s2", (Dims){3, 7, 7}, (Conv2dSpec){3, 3, 2, 1, 3, 1}, 2); }
/* 3x3 stride-1 with 16k output channels takes the direct AVX-512 kernels (dconv.c). */
Test(conv2d, grad_direct_kernel_16_channels) { conv_case("direct 16->16", (Dims){16, 5, 7}, (Conv2dSpec){16, 3, 1, 1, 1, 0}, 2); }
Test(conv2d, grad_direct_kernel_32_to_16) { conv_case("direct 32->16", (Dims){32, 4, 3}, (Conv2dSpec){16, 3, 1, 1, 1, 1}, 2); }
Test(conv2d, grad_3_to_16_with_input_grad_falls_back) { conv_case("3->16", (Dims){3, 6, 6}, (Conv2dSpec){16, 3, 1, 1, 1, 0}, 2); }
Test(conv2d, grad_5x5_pad2) { conv_case("5x5 p2", (Dims){2, 6, 6}, (Conv2dSpec){2, 5, 1, 2, 1, 0}, 2); }

/* Naive reference: direct loops over every output, kernel tap and input channel. */
static float conv_ref_at(const float *x, const float *w, Dims in, Conv2dSpec s, int n, int k,
                         int oy, int ox)
{
    int cg = in.c / s.groups, kg = s.cout / s.groups, g = k / kg;
    float acc = 0.0f;
    for (int c = 0; c < cg; c++)
        for (int i = 0; i < s.k; i++)
            for (int j = 0; j < s.k; j++) {
                int iy = oy * s.stride - s.pad + i, ix = ox * s.stride - s.pad + j;
                if (iy < 0 || iy >= in.h || ix < 0 || ix >= in.w)
                    continue;
                acc += x[(((size_t)n * in.c + g * cg + c) * in.h + iy) * in.w + ix] *
                       w[(((size_t)k * cg + c) * s.k + i) * s.k + j];
            }
    return acc;
}

static void conv_matches_reference(Dims in, Conv2dSpec s)
{
    threads_set(2);
    Net net;
    QbErr err = {{0}};
    net_init(&net, in);
    cr_assert_geq(layer_conv2d(&net, "conv", NET_INPUT, s, &err), 0, "%s", err.msg);
    ready(&net, 3, 1);
    net_forward(&net);
    const Tensor *y = net_output(&net);
    const float *w = net.params[0].w, *b = s.bias ? net.params[1].w : NULL;
    for (int n = 0; n < y->n; n++)
        for (int k = 0; k < y->c; k++)
            for (int oy = 0; oy < y->h; oy++)
                for (int ox = 0; ox < y->w; ox++) {
                    float ref = conv_ref_at(net.input.data, w, in, s, n, k, oy, ox) + (b ? b[k] : 0);
                    float got = y->data[(((size_t)n * y->c + k) * y->h + oy) * y->w + ox];
                    cr_assert_float_eq(got, ref, 1e-4f + 1e-4f * fabsf(ref),
                                       "k=%d s=%d p=%d g=%d at (%d,%d,%d,%d): %g vs %g", s.k,
                                       s.stride, s.pad, s.groups, n, k, oy, ox, got, ref);
                }
    net_free(&net);
}

Test(conv2d, forward_matches_naive_loops_on_many_shapes)
{
    Conv2dSpec specs[] = {{4, 3, 1, 1, 1, 1}, {4, 3, 2, 1, 1, 0}, {6, 1, 1, 0, 1, 1},
                          {6, 1, 2, 0, 1, 0}, {6, 3, 1, 1, 3, 1}, {6, 3, 2, 1, 6, 0},
                          {2, 5, 2, 2, 1, 1}, {3, 2, 1, 0, 1, 0}, {6, 3, 1, 0, 2, 0}};
    for (size_t i = 0; i < sizeof specs / sizeof specs[0]; i++) {
        conv_matches_reference((Dims){6, 7, 9}, specs[i]);
        conv_matches_reference((Dims){6, 5, 5}, specs[i]);
    }
    /* stride-2 rows of 15 and 16 outputs: im2col's vectorised loop (STRIDE2_VECTOR_MIN) */
    conv_matches_reference((Dims){3, 5, 30}, specs[1]);
    conv_matches_reference((Dims){2, 4, 32}, specs[6]);
    /* direct kernel shapes: widths below, at and above one vector */
    Conv2dSpec direct[] = {{16, 3, 1, 1, 1, 0}, {32, 3, 1, 1, 1, 1}};
    Dims in[] = {{16, 8, 8}, {3, 28, 28}, {16, 5, 17}, {32, 16, 16}, {1, 3, 40}};
    for (size_t i = 0; i < 2; i++)
        for (size_t j = 0; j < sizeof in / sizeof in[0]; j++)
            conv_matches_reference(in[j], direct[i]);
}

Test(linear, grad)
{
    Net net;
    QbErr err = {{0}};
    net_init(&net, (Dims){7, 1, 1});
    cr_assert_geq(layer_linear(&net, "fc", NET_INPUT, 5, 1, &err), 0, "%s", err.msg);
    ready(&net, 4, 1);
    expect_grads(&net, "linear");
}

static void single(const char *what, Dims in, int (*add)(Net *, const char *, int, QbErr *),
                   int train)
{
    Net net;
    QbErr err = {{0}};
    net_init(&net, in);
    cr_assert_geq(add(&net, what, NET_INPUT, &err), 0, "%s", err.msg);
    ready(&net, 3, train);
    expect_grads(&net, what);
}

Test(bn2d, grad_training_mode) { single("bn-train", (Dims){3, 4, 5}, layer_bn2d, 1); }
Test(bn2d, grad_eval_mode) { single("bn-eval", (Dims){3, 4, 5}, layer_bn2d, 0); }
Test(bn2d, grad_with_fused_relu) { single("bn-relu", (Dims){3, 4, 5}, layer_bn2d_relu, 1); }
/* 13 channels of 2x3 run in groups of 2, the last channel alone (bn2d_group). */
Test(bn2d, grad_in_channel_groups) { single("bn-groups", (Dims){13, 2, 3}, layer_bn2d, 1); }
Test(bn2d, grad_in_channel_groups_fused_relu) { single("bn-relu-groups", (Dims){13, 2, 3}, layer_bn2d_relu, 1); }

/* Training forward against the definition, channel by channel: y = relu?(gamma * (x - mean) /
 * sqrt(var + eps) + beta) with the biased batch variance, and the running averages. */
static void bn_forward_case(Dims in, int relu)
{
    Net net;
    QbErr err = {{0}};
    net_init(&net, in);
    cr_assert_geq((relu ? layer_bn2d_relu : layer_bn2d)(&net, "bn", NET_INPUT, &err), 0, "%s",
                  err.msg);
    ready(&net, 3, 1);
    net_forward(&net);
    const Tensor *x = &net.input, *y = net_output(&net);
    const float *gamma = net_param(&net, "bn.weight")->w, *beta = net_param(&net, "bn.bias")->w;
    const float *rm = net_buffer(&net, "bn.running_mean")->data;
    const size_t hw = (size_t)in.h * in.w, M = hw * x->n;
    for (int ch = 0; ch < in.c; ch++) {
        double s = 0.0, ss = 0.0;
        for (int n = 0; n < x->n; n++)
            for (size_t i = 0; i < hw; i++) {
                double v = x->data[((size_t)n * in.c + ch) * hw + i];
                s += v;
                ss += v * v;
            }
        double mean = s / M, var = ss / M - mean * mean;
        cr_assert_float_eq(rm[ch], 0.1 * mean, 1e-6, "channel %d: running mean %g, want %g", ch,
                           rm[ch], 0.1 * mean);
        for (int n = 0; n < x->n; n++)
            for (size_t i = 0; i < hw; i++) {
                size_t at = ((size_t)n * in.c + ch) * hw + i;
                double want = gamma[ch] * (x->data[at] - mean) / sqrt(var + BN_EPS) + beta[ch];
                if (relu && want < 0.0)
                    want = 0.0;
                cr_assert_float_eq(y->data[at], want, 1e-4, "channel %d, image %d, %zu: %g, want %g",
                                   ch, n, i, y->data[at], want);
            }
    }
    net_free(&net);
}

Test(bn2d, forward_matches_definition)
{
    bn_forward_case((Dims){3, 4, 5}, 0);
    bn_forward_case((Dims){13, 2, 3}, 1);
    bn_forward_case((Dims){64, 7, 7}, 1);
}

Test(relu, grad) { single("relu", (Dims){3, 4, 5}, layer_relu, 1); }
Test(gap, grad) { single("gap", (Dims){3, 4, 5}, layer_gap, 1); }
Test(flatten, grad) { single("flatten", (Dims){3, 2, 2}, layer_flatten, 1); }

Test(relu6, grad)
{
    Net net;
    QbErr err = {{0}};
    net_init(&net, (Dims){3, 4, 5});
    cr_assert_geq(layer_relu6(&net, "r6", NET_INPUT, &err), 0);
    ready(&net, 3, 1);
    for (size_t i = 0; i < tensor_numel(&net.input); i++)
        net.input.data[i] *= 5.0f; /* reach past 6 too */
    expect_grads(&net, "relu6");
}

static void pool_case(int max, int k, int stride, int pad)
{
    Net net;
    QbErr err = {{0}};
    net_init(&net, (Dims){2, 7, 6});
    int (*add)(Net *, const char *, int, int, int, int, QbErr *) = max ? layer_maxpool : layer_avgpool;
    cr_assert_geq(add(&net, "pool", NET_INPUT, k, stride, pad, &err), 0, "%s", err.msg);
    ready(&net, 2, 1);
    expect_grads(&net, max ? "maxpool" : "avgpool");
}

Test(maxpool, grad_3x3_s2_p1) { pool_case(1, 3, 2, 1); }
Test(maxpool, grad_2x2_s2) { pool_case(1, 2, 2, 0); }
Test(avgpool, grad_3x3_s2_p1) { pool_case(0, 3, 2, 1); }
Test(avgpool, grad_2x2_s2) { pool_case(0, 2, 2, 0); }

/* A residual block: the input is read by two consumers, so gradients must add. ReLUs are
 * left out: a probe on a BN parameter moves many values across the kink at once. */
Test(add, grad_residual_block_accumulates_both_paths)
{
    Net net;
    QbErr err = {{0}};
    net_init(&net, (Dims){3, 5, 5});
    int c1 = layer_conv2d(&net, "c1", NET_INPUT, (Conv2dSpec){3, 3, 1, 1, 1, 0}, &err);
    int b1 = layer_bn2d(&net, "b1", c1, &err);
    int c2 = layer_conv2d(&net, "c2", b1, (Conv2dSpec){3, 3, 1, 1, 1, 0}, &err);
    int s = layer_add(&net, "add", c2, NET_INPUT, &err);
    int b2 = layer_bn2d(&net, "b2", s, &err);
    cr_assert_geq(b2, 0, "%s", err.msg);
    ready(&net, 2, 1);
    expect_grads(&net, "residual");
}

Test(add, grad_fused_relu_join)
{
    Net net;
    QbErr err = {{0}};
    net_init(&net, (Dims){3, 4, 4});
    int c1 = layer_conv2d(&net, "c1", NET_INPUT, (Conv2dSpec){3, 3, 1, 1, 1, 0}, &err);
    cr_assert_geq(layer_add_relu(&net, "join", c1, NET_INPUT, &err), 0, "%s", err.msg);
    ready(&net, 2, 1);
    expect_grads(&net, "add_relu");
}

Test(shortcut_a, grad_subsample_and_zero_channels)
{
    Net net;
    QbErr err = {{0}};
    net_init(&net, (Dims){2, 5, 6});
    cr_assert_geq(layer_shortcut_a(&net, "sc", NET_INPUT, 6, 2, &err), 0, "%s", err.msg);
    ready(&net, 2, 1);
    cr_assert_eq(net.layers[0].out_dims.h, 3);
    net_forward(&net);
    /* channel 2 of the output is input channel 0 at (2,4) -> output (1,2) */
    cr_assert_float_eq(net.layers[0].y.data[(2 * 3 + 1) * 3 + 2], net.input.data[2 * 6 + 4], 0.0f);
    cr_assert_float_eq(net.layers[0].y.data[0], 0.0f, 0.0f);
    expect_grads(&net, "shortcut_a");
}

Test(net, shape_misfit_is_refused_at_build_naming_layer_and_shapes)
{
    Net net;
    QbErr err = {{0}};
    net_init(&net, (Dims){3, 8, 8});
    int a = layer_conv2d(&net, "conv_a", NET_INPUT, (Conv2dSpec){4, 3, 2, 1, 1, 0}, &err);
    int b = layer_conv2d(&net, "conv_b", NET_INPUT, (Conv2dSpec){4, 3, 1, 1, 1, 0}, &err);
    cr_assert_geq(b, 0);
    cr_assert_eq(layer_add(&net, "sum", a, b, &err), -1);
    cr_assert(strstr(err.msg, "sum") && strstr(err.msg, "4x4x4") && strstr(err.msg, "4x8x8"),
              "message: %s", err.msg);
    cr_assert_eq(layer_linear(&net, "fc", a, 10, 1, &err), -1);
    cr_assert(strstr(err.msg, "fc") && strstr(err.msg, "4x4x4"), "message: %s", err.msg);
    cr_assert_eq(layer_conv2d(&net, "grp", a, (Conv2dSpec){6, 3, 1, 1, 3, 0}, &err), -1);
    cr_assert(strstr(err.msg, "grp") && strstr(err.msg, "groups=3"), "message: %s", err.msg);
    net_free(&net);
}

/* ---- Every kind in layer_kinds[] ---- */

/* One small net ending in a layer of each kind, from the input (3, 4, 4). A kind added to
 * layer_kinds[] without a line here fails the walk by name. */
static int build_conv(Net *n, QbErr *e)
{
    return layer_conv2d(n, "k", NET_INPUT, (Conv2dSpec){4, 3, 1, 1, 1, 1}, e);
}
static int build_linear(Net *n, QbErr *e)
{
    return layer_linear(n, "k", layer_flatten(n, "f", NET_INPUT, e), 5, 1, e);
}
static int build_bn(Net *n, QbErr *e) { return layer_bn2d(n, "k", NET_INPUT, e); }
static int build_bn_relu(Net *n, QbErr *e) { return layer_bn2d_relu(n, "k", NET_INPUT, e); }
static int build_relu(Net *n, QbErr *e) { return layer_relu(n, "k", NET_INPUT, e); }
static int build_relu6(Net *n, QbErr *e) { return layer_relu6(n, "k", NET_INPUT, e); }
static int build_maxpool(Net *n, QbErr *e) { return layer_maxpool(n, "k", NET_INPUT, 2, 2, 0, e); }
static int build_avgpool(Net *n, QbErr *e) { return layer_avgpool(n, "k", NET_INPUT, 3, 1, 1, e); }
static int build_gap(Net *n, QbErr *e) { return layer_gap(n, "k", NET_INPUT, e); }
static int build_flatten(Net *n, QbErr *e) { return layer_flatten(n, "k", NET_INPUT, e); }
static int build_shortcut(Net *n, QbErr *e) { return layer_shortcut_a(n, "k", NET_INPUT, 5, 2, e); }
static int pointwise(Net *n, QbErr *e)
{
    return layer_conv2d(n, "c", NET_INPUT, (Conv2dSpec){3, 1, 1, 0, 1, 0}, e);
}
static int build_add(Net *n, QbErr *e) { return layer_add(n, "k", pointwise(n, e), NET_INPUT, e); }
static int build_add_relu(Net *n, QbErr *e)
{
    return layer_add_relu(n, "k", pointwise(n, e), NET_INPUT, e);
}

static const struct {
    const char *kind;
    int (*build)(Net *net, QbErr *err);
} kind_nets[] = {
    {"conv2d", build_conv},     {"linear", build_linear},     {"bn2d", build_bn},
    {"bn2d_relu", build_bn_relu}, {"relu", build_relu},       {"relu6", build_relu6},
    {"maxpool", build_maxpool}, {"avgpool", build_avgpool},   {"gap", build_gap},
    {"flatten", build_flatten}, {"shortcut_a", build_shortcut}, {"add", build_add},
    {"add_relu", build_add_relu},
};

static int (*kind_builder(const char *kind))(Net *, QbErr *)
{
    for (size_t i = 0; i < sizeof kind_nets / sizeof kind_nets[0]; i++)
        if (!strcmp(kind_nets[i].kind, kind))
            return kind_nets[i].build;
    return NULL;
}

static int kind_net(Net *net, const LayerOps *ops)
{
    QbErr err = {{0}};
    int (*build)(Net *, QbErr *) = kind_builder(ops->kind);
    cr_assert(build, "layer kind %s has no test net in tests/core/test_layers.c", ops->kind);
    net_init(net, (Dims){3, 4, 4});
    int li = build(net, &err);
    cr_assert_geq(li, 0, "%s: %s", ops->kind, err.msg);
    cr_assert_eq(net->layers[li].ops, ops, "%s: the test net ends in another kind", ops->kind);
    return li;
}

Test(layer_kinds, every_kind_passes_the_gradient_checker)
{
    threads_set(2);
    cr_assert_eq(layer_nkinds, (int)(sizeof kind_nets / sizeof kind_nets[0]));
    for (int k = 0; k < layer_nkinds; k++) {
        Net net;
        kind_net(&net, layer_kinds[k]);
        ready(&net, 2, 1);
        if (layer_kinds[k] == &relu6_ops)
            for (size_t i = 0; i < tensor_numel(&net.input); i++)
                net.input.data[i] *= 5.0f; /* reach past 6 too */
        expect_grads(&net, layer_kinds[k]->kind);
    }
}

/* NONNEG: never negative on a signed input. OF_INPUT: a non-negative input stays so, and a
 * signed one can come out negative (else the kind would be NONNEG). */
static void expect_sign(const LayerOps *ops, int nonneg_input)
{
    Net net;
    int li = kind_net(&net, ops);
    ready(&net, 2, 1);
    for (size_t i = 0; i < tensor_numel(&net.input) && nonneg_input; i++)
        net.input.data[i] = fabsf(net.input.data[i]);
    net_forward(&net);
    const Tensor *y = &net.layers[li].y;
    int negative = 0;
    for (size_t i = 0; i < tensor_numel(y); i++)
        negative |= y->data[i] < 0.0f;
    if (ops->out_sign == LAYER_SIGN_NONNEG || (ops->out_sign == LAYER_SIGN_OF_INPUT && nonneg_input))
        cr_assert(!negative, "%s: negative output", ops->kind);
    else
        cr_assert(negative, "%s: no negative output on a signed input; is it LAYER_SIGN_NONNEG?",
                  ops->kind);
    net_free(&net);
}

Test(layer_kinds, every_kind_keeps_the_output_sign_it_declares)
{
    for (int k = 0; k < layer_nkinds; k++) {
        expect_sign(layer_kinds[k], 0);
        expect_sign(layer_kinds[k], 1);
    }
}

/* A kind with hooks takes quantizers; layer_quantize refuses every other. */
Test(layer_kinds, exactly_the_kinds_with_hooks_take_quantizers)
{
    for (int k = 0; k < layer_nkinds; k++) {
        Net net;
        QbErr err = {{0}};
        int li = kind_net(&net, layer_kinds[k]);
        int rc = layer_quantize(&net, li, NULL, NULL, &err);
        cr_assert_eq(rc == 0, layer_kinds[k]->hooks != NULL, "%s: %s", layer_kinds[k]->kind,
                     err.msg);
        cr_assert_eq(layer_is_compute(&net.layers[li]), layer_kinds[k]->hooks != NULL);
        net_free(&net);
    }
}
