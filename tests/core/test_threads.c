/* One thread count per net: its passes run on the count it was allocated for, whatever the
 * process setting, so the per-thread workspaces and their reductions always match. */
#include <criterion/criterion.h>
#include <string.h>

#include "core/layers/layers.h"
#include "core/rng.h"
#include "core/threads.h"
#include "tests/support/gradcheck.h"

/* A conv (per-thread partial weight gradients) then a linear layer, allocated for `threads`. */
static void conv_linear(Net *net, int threads)
{
    QbErr err = {{0}};
    net_init(net, (Dims){3, 6, 6});
    int c = layer_conv2d(net, "conv", NET_INPUT, (Conv2dSpec){4, 3, 1, 1, 1, 1}, &err);
    cr_assert_geq(c, 0, "%s", err.msg);
    int f = layer_flatten(net, "flat", c, &err);
    cr_assert_geq(f, 0, "%s", err.msg);
    cr_assert_geq(layer_linear(net, "fc", f, 5, 1, &err), 0, "%s", err.msg);
    cr_assert_eq(net_alloc(net, 4, threads, &err), 0, "%s", err.msg);
    Rng r = rng_stream(3, "init");
    net_init_params(net, &r);
    fill_normal(net->input.data, tensor_numel(&net->input), 5, 1.0f);
    net->train = 1;
}

static void step(Net *net)
{
    net_zero_grad(net);
    net_forward(net);
    Tensor *dy = net_output_grad(net);
    fill_normal(dy->data, tensor_numel(dy), 9, 1.0f);
    net_backward(net);
}

Test(threads, a_pass_runs_on_the_nets_count_not_the_process_setting)
{
    Net one, other;
    conv_linear(&one, 1);
    conv_linear(&other, 1);
    threads_set(1);
    step(&one);
    threads_set(2); /* more threads than `other` has workspaces for */
    step(&other);
    cr_assert_eq(threads_get(), 1, "the pass did not take the net's count");
    for (int g = 0; g < PGROUP_COUNT; g++)
        cr_assert_eq(memcmp(one.groups[g].g, other.groups[g].g, one.groups[g].n * sizeof(float)),
                     0, "group %d gradients differ", g);
    net_free(&one);
    net_free(&other);
}
