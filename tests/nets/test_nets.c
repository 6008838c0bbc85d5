/* Parameter counts and MACs at the reference shapes (FORMULAS.md §9.5), torchvision names, shape
 * checks at build time, and a training step through small networks. */
#include <criterion/criterion.h>
#include <math.h>
#include <string.h>

#include "core/cost.h"
#include "core/layers/layers.h"
#include "core/rng.h"
#include "core/threads.h"
#include "core/xent.h"
#include "nets/registry.h"
#include "quantizers/schemes.h"

static CostTable build(Net *net, const char *name, Dims in, int classes, char shortcut)
{
    NetOptions o;
    QbErr err = {{0}};
    net_options_defaults(&o);
    o.input = in;
    o.classes = classes;
    o.shortcut = shortcut;
    cr_assert_eq(net_build(net, name, &o, &err), 0, "%s: %s", name, err.msg);
    CostTable t;
    cost_table(net, &t);
    return t;
}

static void expect(const char *name, Dims in, int classes, char sc, double params, double macs,
                   double first, double last)
{
    Net net;
    CostTable t = build(&net, name, in, classes, sc);
    cr_expect_eq(net_param_count(&net), (size_t)params, "%s %c params %zu, want %.0f", name, sc,
                 net_param_count(&net), params);
    cr_expect_eq(t.params, params);
    cr_expect_eq(t.macs, macs, "%s %c at %dx%dx%d: MACs %.0f, want %.0f", name, sc, in.c, in.h,
                 in.w, t.macs, macs);
    cr_expect_eq(t.first_macs, first, "%s first-layer MACs %.0f", name, t.first_macs);
    cr_expect_eq(t.last_macs, last, "%s last-layer MACs %.0f", name, t.last_macs);
    cost_free(&t);
    net_free(&net);
}

Test(nets, resnet18_matches_torchvision) { expect("resnet18", (Dims){3, 224, 224}, 1000, 'b', 11689512, 1814073344, 118013952, 512000); }
Test(nets, resnet34_matches_torchvision) { expect("resnet34", (Dims){3, 224, 224}, 1000, 'b', 21797672, 3663761408.0, 118013952, 512000); }
Test(nets, mobilenet_v2_matches_torchvision) { expect("mobilenet_v2", (Dims){3, 224, 224}, 1000, 'b', 3504872, 300774272, 10838016, 1280000); }
Test(nets, resnet20_option_b) { expect("resnet20", (Dims){3, 32, 32}, 10, 'b', 272474, 40813184, 442368, 640); }
Test(nets, resnet20_option_a) { expect("resnet20", (Dims){3, 32, 32}, 10, 'a', 269722, 40551040, 442368, 640); }
Test(nets, resnet20_fashion_mnist_shapes) {
    expect("resnet20", (Dims){1, 28, 28}, 10, 'b', 272186, 31021952, 112896, 640);
    expect("resnet20", (Dims){1, 28, 28}, 10, 'a', 269434, 30821248, 112896, 640);
}
Test(nets, resnet56_option_a) { expect("resnet56", (Dims){3, 32, 32}, 10, 'a', 853018, 125485696, 442368, 640); }

Test(nets, names_follow_torchvision)
{
    Net net;
    CostTable t = build(&net, "resnet18", (Dims){3, 224, 224}, 1000, 'b');
    const char *want[] = {"conv1.weight", "bn1.weight", "layer3.1.conv2.weight",
                          "layer2.0.downsample.0.weight", "layer2.0.downsample.1.bias", "fc.weight",
                          "fc.bias"};
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
        cr_expect(net_param(&net, want[i]), "resnet18 has no %s", want[i]);
    cr_expect(net_buffer(&net, "layer4.1.bn2.running_var"));
    cost_free(&t);
    net_free(&net);
    t = build(&net, "mobilenet_v2", (Dims){3, 224, 224}, 1000, 'b');
    const char *mb[] = {"features.0.0.weight", "features.0.1.weight", "features.1.conv.0.0.weight",
                        "features.1.conv.1.weight", "features.3.conv.1.0.weight",
                        "features.3.conv.3.bias", "features.18.0.weight", "classifier.1.weight"};
    for (size_t i = 0; i < sizeof mb / sizeof mb[0]; i++)
        cr_expect(net_param(&net, mb[i]), "mobilenet_v2 has no %s", mb[i]);
    cost_free(&t);
    net_free(&net);
}

Test(nets, too_small_input_is_refused_naming_layer_and_shape)
{
    Net net;
    NetOptions o;
    QbErr err = {{0}};
    net_options_defaults(&o);
    o.input = (Dims){1, 1, 1};
    cr_assert_eq(net_build(&net, "small_cnn", &o, &err), -1);
    cr_assert(strstr(err.msg, "small_cnn") && strstr(err.msg, "pool1") && strstr(err.msg, "16x1x1"),
              "message: %s", err.msg);
    cr_assert_eq(net_build(&net, "resnet99", &o, &err), -1);
    cr_assert(strstr(err.msg, "resnet99") && strstr(err.msg, "resnet20"), "message: %s", err.msg);
}

Test(nets, linear_on_unflattened_input_is_refused_naming_layer_and_shape)
{
    Net net;
    QbErr err = {{0}};
    net_init(&net, (Dims){3, 4, 4});
    cr_assert_eq(layer_linear(&net, "head.fc", NET_INPUT, 10, 1, &err), -1);
    cr_assert(strstr(err.msg, "head.fc") && strstr(err.msg, "3x4x4"), "message: %s", err.msg);
    net_free(&net);
}

Test(nets, bad_options_are_refused)
{
    Net net;
    NetOptions o;
    QbErr err = {{0}};
    net_options_defaults(&o);
    o.shortcut = 'c';
    cr_assert_eq(net_build(&net, "resnet20", &o, &err), -1);
    cr_assert(strstr(err.msg, "shortcut"), "message: %s", err.msg);
    net_options_defaults(&o);
    o.width = 0.0f;
    cr_assert_eq(net_build(&net, "mobilenet_v2", &o, &err), -1);
    cr_assert(strstr(err.msg, "width"), "message: %s", err.msg);
}

/* The small-image stem is a 3x3 stride-1 conv with no max-pool: 64x3x3x3 weights instead of
 * 64x3x7x7, and the 32x32 map kept until layer2. */
Test(nets, resnet18_small_stem_is_automatic_below_64_pixels)
{
    Net net;
    CostTable t = build(&net, "resnet18", (Dims){3, 32, 32}, 10, 'b');
    cr_expect_eq(net_param(&net, "conv1.weight")->numel, (size_t)(64 * 3 * 3 * 3));
    cr_expect_eq(layer_find(&net, "maxpool"), -1);
    cr_expect_eq(t.first_macs, 64.0 * 27 * 32 * 32);
    cost_free(&t);
    net_free(&net);
    NetOptions o;
    QbErr err = {{0}};
    net_options_defaults(&o);
    o.small_stem = 0;
    cr_assert_eq(net_build(&net, "resnet18", &o, &err), 0, "%s", err.msg);
    cr_expect_eq(net_param(&net, "conv1.weight")->numel, (size_t)(64 * 3 * 7 * 7));
    cr_expect_geq(layer_find(&net, "maxpool"), 0);
    net_free(&net);
}

/* torchvision's _make_divisible: 32 x 0.5 = 16, 24 x 0.5 = 12 -> 16, 1280 stays 1280. */
Test(nets, mobilenet_v2_width_rounds_to_multiples_of_8)
{
    Net net;
    NetOptions o;
    QbErr err = {{0}};
    net_options_defaults(&o);
    o.width = 0.5f;
    cr_assert_eq(net_build(&net, "mobilenet_v2", &o, &err), 0, "%s", err.msg);
    cr_expect_eq(net_param(&net, "features.0.0.weight")->shape[0], 16);
    cr_expect_eq(net_param(&net, "features.2.conv.2.weight")->shape[0], 16);
    cr_expect_eq(net_param(&net, "features.18.0.weight")->shape[0], 1280);
    net_free(&net);
}

static void one_step(const char *name, Dims in)
{
    Net net;
    QbErr err = {{0}};
    threads_set(1);
    CostTable t = build(&net, name, in, 10, 'a');
    cost_free(&t);
    cr_assert_eq(net_alloc(&net, 2, 1, &err), 0, "%s", err.msg);
    Rng r = rng_stream(1, "init");
    net_init_params(&net, &r);
    for (size_t i = 0; i < tensor_numel(&net.input); i++)
        net.input.data[i] = rng_normal(&r);
    int labels[2] = {3, 7};
    net.train = 1;
    net_zero_grad(&net);
    net_forward(&net);
    float loss = xent_forward(net_output(&net), labels, 0.0f, net_output_grad(&net));
    net_backward(&net);
    cr_assert(isfinite(loss) && loss > 0.0f, "%s loss %g", name, loss);
    double g = 0.0;
    for (int i = 0; i < PGROUP_COUNT; i++)
        for (size_t j = 0; j < net.groups[i].n; j++)
            g += fabs(net.groups[i].g[j]);
    cr_assert(isfinite(g) && g > 0.0, "%s gradient sum %g", name, g);
    net_free(&net);
}

Test(nets, every_network_trains_one_step)
{
    one_step("small_cnn", (Dims){1, 28, 28});
    one_step("resnet20", (Dims){1, 28, 28});
    one_step("resnet56", (Dims){3, 32, 32});
    one_step("resnet18", (Dims){3, 32, 32});
    one_step("mobilenet_v2", (Dims){3, 32, 32});
}

/* Batch norm after a convolution has its per-image part computed by the convolution (all of
 * it in eval, its plane sums in training: net_epilogue); outputs and running statistics must
 * be the bits of the same net with every layer in passes of its own. */
static void epilogue_net(Net *net, const char *name, Dims in, int paired)
{
    QbErr err = {{0}};
    CostTable t = build(net, name, in, 10, 'a');
    cost_free(&t);
    cr_assert_eq(net_alloc(net, 3, 2, &err), 0, "%s", err.msg);
    Rng r = rng_stream(2, "init");
    net_init_params(net, &r);
    for (size_t i = 0; i < net->groups[PGROUP_BN].n; i++)
        net->groups[PGROUP_BN].w[i] += 0.3f * rng_normal(&r);
    for (size_t i = 0; i < tensor_numel(&net->input); i++)
        net->input.data[i] = rng_normal(&r);
    int fused = 0;
    for (int i = 0; i < net->nlayers; i++) {
        fused += net->layers[i].by_producer;
        if (!paired)
            net->layers[i].epilogue = -1, net->layers[i].by_producer = 0;
    }
    cr_assert(fused > 0, "%s: no layer is computed by its producer", name);
}

static void expect_same_output(Net *a, Net *b, const char *name, const char *mode)
{
    const Tensor *x = net_output(a), *y = net_output(b);
    cr_assert(!memcmp(x->data, y->data, tensor_numel(x) * sizeof(float)),
              "%s, %s: the output differs with batch norm computed by its producer", name, mode);
}

static void epilogue_case(const char *name, Dims in)
{
    Net a, b;
    threads_set(2);
    epilogue_net(&a, name, in, 1);
    epilogue_net(&b, name, in, 0);
    a.train = b.train = 1;
    net_forward(&a);
    net_forward(&b);
    expect_same_output(&a, &b, name, "training");
    cr_assert(!memcmp(a.buffer_block, b.buffer_block, a.buffer_floats * sizeof(float)),
              "%s: running statistics differ", name);
    a.train = b.train = 0;
    net_forward(&a);
    net_forward(&b);
    expect_same_output(&a, &b, name, "eval");
    net_free(&a);
    net_free(&b);
}

Test(nets, batch_norm_by_its_convolution_is_bit_identical)
{
    epilogue_case("resnet20", (Dims){1, 28, 28});     /* direct kernels */
    epilogue_case("resnet18", (Dims){3, 32, 32});     /* im2col + sgemm, 1x1 shortcuts */
    epilogue_case("mobilenet_v2", (Dims){3, 32, 32}); /* depthwise, pointwise */
}

/* Activation gradients share memory (net.c, dy_layout): two whose backward spans meet (from
 * the step of the last consumer, or the start for the output, down to the layer's own
 * step) must never overlap in memory; and the sharing must save memory. */
static void dy_sharing_case(const char *name, Dims in)
{
    Net net;
    QbErr err = {{0}};
    CostTable t = build(&net, name, in, 10, 'a');
    cost_free(&t);
    cr_assert_eq(net_alloc(&net, 2, 1, &err), 0, "%s", err.msg);
    const int nl = net.nlayers;
    int *start = malloc(sizeof(int) * (size_t)nl);
    cr_assert(start);
    for (int j = 0; j < nl; j++)
        start[j] = j == nl - 1 ? nl : j;
    for (int c = 0; c < nl; c++)
        for (int k = 0; k < net.layers[c].nin; k++) {
            int p = net.layers[c].in[k];
            if (p != NET_INPUT && start[p] < c)
                start[p] = c;
        }
    size_t total = 0, distinct = 0;
    for (int a = 0; a < nl; a++) {
        const Tensor *da = &net.layers[a].dy;
        total += tensor_numel(da);
        int first_user = 1;
        for (int b = 0; b < nl; b++) {
            if (b == a)
                continue;
            const Tensor *db = &net.layers[b].dy;
            int meet = a <= start[b] && b <= start[a];
            int overlap = da->data < db->data + tensor_numel(db) &&
                          db->data < da->data + tensor_numel(da);
            cr_assert(!(meet && overlap), "%s: the gradients of %s and %s are live together "
                      "but share memory", name, net.layers[a].name, net.layers[b].name);
            if (b < a && db->data == da->data)
                first_user = 0;
        }
        if (first_user)
            distinct += tensor_numel(da);
    }
    cr_assert(distinct < total / 2, "%s: %zu of %zu gradient floats distinct", name, distinct,
              total);
    free(start);
    net_free(&net);
}

Test(nets, activation_gradients_share_memory_only_when_never_live_together)
{
    dy_sharing_case("resnet20", (Dims){3, 32, 32});
    dy_sharing_case("resnet18", (Dims){3, 32, 32});
    dy_sharing_case("mobilenet_v2", (Dims){3, 32, 32});
}

Test(cost, resnet18_bitops_with_8bit_first_and_last_layers)
{
    Net net;
    NetOptions o;
    QbErr err = {{0}};
    net_options_defaults(&o);
    o.input = (Dims){3, 224, 224};
    o.classes = 1000;
    cr_assert_eq(net_build(&net, "resnet18", &o, &err), 0);
    const int bits[4] = {2, 3, 4, 8};
    const double want[4] = {14.37e9, 22.85e9, 34.71e9, 116.10e9}; /* FORMULAS.md §9.5, rounded */
    for (int i = 0; i < 4; i++) {
        CostTable t;
        cost_table_assume(&net, bits[i], bits[i], &t);
        cr_expect(fabs(t.bitops - want[i]) < 0.006e9, "%d bits: %.4g", bits[i], t.bitops);
        cr_expect_eq(t.rows[0].wbits, 8, "conv1 stays at 8 bits");
        cost_free(&t);
    }
    CostTable fp;
    cost_table(&net, &fp);
    cr_expect(fabs(fp.bitops - 1857.6e9) < 0.1e9, "FP32 BitOPs %.5g", fp.bitops);
    cr_expect_eq(fp.size_bytes, 4.0 * 11689512);
    cost_free(&fp);
    net_free(&net);
}

/* Quantizer parameters (group quant) are the layer's "quant params", apart from its own:
 * LSQ adds a per-output-channel weight step and one activation step per conv. */
Test(cost, quantizer_params_are_attributed_to_their_layer)
{
    Net net;
    CostTable fp = build(&net, "resnet20", (Dims){3, 32, 32}, 10, 'b');
    QbErr err = {{0}};
    cr_assert_eq(scheme_apply(&net, "lsq", 4, NULL, &err), 0, "%s", err.msg);
    CostTable t;
    cost_table(&net, &t);
    int i = layer_find(&net, "layer2.0.conv1");
    cr_assert_geq(i, 0);
    cr_expect_eq(t.rows[i].params, 32.0 * 16 * 9);
    cr_expect_eq(t.rows[i].quant_params, 32.0 + 1.0, "quant params %.0f", t.rows[i].quant_params);
    cr_expect_eq(t.rows[i].wbits, 4);
    cr_expect_eq(t.rows[i].bitops, t.rows[i].macs * 16);
    cr_expect_eq(t.rows[i].storage_bits, 32.0 * 16 * 9 * 4 + 33.0 * 32);
    cr_expect_eq(t.params, fp.params, "the network's own count is unchanged");
    cr_expect_eq(t.params + t.quant_params, (double)net_param_count(&net));
    cost_free(&t);
    cost_free(&fp);
    net_free(&net);
}

/* MACs are conv + linear only; BN, ReLU, pooling and adds are counted apart, flatten not. */
Test(cost, other_ops_are_listed_apart)
{
    Net net;
    CostTable t = build(&net, "small_cnn", (Dims){1, 28, 28}, 10, 'b');
    double macs = 0.0;
    for (int i = 0; i < t.n; i++) {
        const CostRow *r = &t.rows[i];
        const char *kind = r->layer->ops->kind;
        cr_expect_eq(r->compute, !strcmp(kind, "conv2d") || !strcmp(kind, "linear"), "%s", kind);
        cr_expect(r->compute ? r->other_ops == 0.0 : r->macs == 0.0, "%s", r->layer->name);
        if (!strcmp(kind, "flatten"))
            cr_expect_eq(r->other_ops, 0.0);
        macs += r->macs;
    }
    cr_expect_eq(macs, t.macs);
    int bn = layer_find(&net, "bn1");
    cr_expect_eq(t.rows[bn].other_ops, 2.0 * 16 * 28 * 28);
    cr_expect_eq(t.other_ops > 0.0, 1);
    cost_free(&t);
    net_free(&net);
}
