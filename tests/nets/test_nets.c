/* Parameter counts and MACs at the reference shapes (spec 9.5), torchvision names, shape
 * checks at build time, and a training step through small networks. */
#include <criterion/criterion.h>
#include <math.h>
#include <string.h>

#include "../../bench/core/cost.h"
#include "../../bench/core/rng.h"
#include "../../bench/core/threads.h"
#include "../../bench/core/xent.h"
#include "../../nets/registry.h"

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

static void one_step(const char *name, Dims in)
{
    Net net;
    QbErr err = {{0}};
    threads_set(2);
    CostTable t = build(&net, name, in, 10, 'a');
    cost_free(&t);
    cr_assert_eq(net_alloc(&net, 2, 2, &err), 0, "%s", err.msg);
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
    const double want[4] = {14.37e9, 22.85e9, 34.71e9, 116.10e9}; /* spec 9.5, rounded */
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
