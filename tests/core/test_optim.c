/* Optimizer steps and schedules against hand-computed values; softmax cross-entropy. */
#include <criterion/criterion.h>
#include <math.h>
#include <string.h>
#include <unistd.h>

#include "core/checkpoint.h"
#include "core/layers/layers.h"
#include "core/optim/optim.h"
#include "core/optim/sched.h"
#include "core/threads.h"
#include "core/xent.h"

/* A net whose only parameters are one linear layer's weight (1x2) and bias (1). */
static void tiny(Net *net)
{
    QbErr err = {{0}};
    threads_set(1);
    net_init(net, (Dims){2, 1, 1});
    cr_assert_geq(layer_linear(net, "fc", NET_INPUT, 1, 1, &err), 0);
    cr_assert_eq(net_alloc(net, 1, 1, &err), 0, "%s", err.msg);
}

static void set(Net *net, float w0, float w1, float b, float g0, float g1, float gb)
{
    Param *W = net_param(net, "fc.weight"), *B = net_param(net, "fc.bias");
    W->w[0] = w0, W->w[1] = w1, B->w[0] = b;
    W->g[0] = g0, W->g[1] = g1, B->g[0] = gb;
}

Test(sgd, momentum_and_weight_decay_match_hand_computation)
{
    Net net;
    tiny(&net);
    Optimizer o;
    optim_defaults(&o, 0.1f);
    set(&net, 1.0f, -2.0f, 0.5f, 0.3f, 0.0f, 1.0f);
    optim_step(&o, &net, 0.5f);
    /* d = g + 0.1 w = (0.4, -0.2, 1.05); buf = d; w -= 0.5 d */
    Param *W = net_param(&net, "fc.weight"), *B = net_param(&net, "fc.bias");
    cr_assert_float_eq(W->w[0], 0.8f, 1e-6f);
    cr_assert_float_eq(W->w[1], -1.9f, 1e-6f);
    cr_assert_float_eq(B->w[0], -0.025f, 1e-6f);
    /* second step, g = 0: d = 0.1 w = (0.08, -0.19); buf = 0.9*(0.4,-0.2) + d */
    W->g[0] = W->g[1] = B->g[0] = 0.0f;
    optim_step(&o, &net, 0.5f);
    cr_assert_float_eq(W->w[0], 0.8f - 0.5f * (0.36f + 0.08f), 1e-6f);
    cr_assert_float_eq(W->w[1], -1.9f - 0.5f * (-0.18f - 0.19f), 1e-6f);
    net_free(&net);
}

Test(sgd, nesterov_looks_ahead)
{
    Net net;
    tiny(&net);
    Optimizer o;
    optim_defaults(&o, 0.0f);
    for (int g = 0; g < PGROUP_COUNT; g++)
        o.group[g].nesterov = 1;
    set(&net, 1.0f, 0.0f, 0.0f, 1.0f, 0.0f, 0.0f);
    optim_step(&o, &net, 0.1f); /* buf = 1; step = d + 0.9 buf = 1.9 */
    cr_assert_float_eq(net_param(&net, "fc.weight")->w[0], 1.0f - 0.19f, 1e-6f);
    optim_step(&o, &net, 0.1f); /* d = 1; buf = 1.9; step = 1 + 1.71 = 2.71 */
    cr_assert_float_eq(net_param(&net, "fc.weight")->w[0], 0.81f - 0.271f, 1e-6f);
    net_free(&net);
}

Test(sgd, group_without_decay_and_own_lr)
{
    Net net;
    tiny(&net);
    Optimizer o;
    optim_defaults(&o, 0.5f);
    o.group[PGROUP_BIAS].weight_decay = 0.0f;
    o.group[PGROUP_BIAS].lr_mult = 0.1f;
    set(&net, 0.0f, 0.0f, 2.0f, 0.0f, 0.0f, 1.0f);
    optim_step(&o, &net, 1.0f);
    cr_assert_float_eq(net_param(&net, "fc.bias")->w[0], 2.0f - 0.1f, 1e-6f);
    net_free(&net);
}

Test(adam, first_steps_match_hand_computation)
{
    Net net;
    tiny(&net);
    Optimizer o;
    optim_defaults(&o, 0.0f);
    for (int g = 0; g < PGROUP_COUNT; g++)
        o.group[g].kind = OPTIM_ADAM;
    set(&net, 1.0f, 0.0f, 0.0f, 0.5f, 0.0f, 0.0f);
    optim_step(&o, &net, 0.01f); /* bias-corrected m/sqrt(v) = g/|g| = 1 */
    cr_assert_float_eq(net_param(&net, "fc.weight")->w[0], 0.99f, 1e-6f);
    net_param(&net, "fc.weight")->g[0] = -0.5f;
    optim_step(&o, &net, 0.01f);
    /* m = 0.9*0.05 - 0.05 = -0.005 -> /0.19; v = 0.999*0.00025 + 0.00025 -> /0.001999 */
    double m = -0.005 / 0.19, v = (0.999 * 0.00025 + 0.001 * 0.25) / (1 - 0.999 * 0.999);
    cr_assert_float_eq(net_param(&net, "fc.weight")->w[0], 0.99 - 0.01 * m / (sqrt(v) + 1e-8),
                       1e-5f);
    net_free(&net);
}

static int param_index(const Net *net, const char *name)
{
    for (int i = 0; i < net->nparams; i++)
        if (!strcmp(net->params[i].name, name))
            return i;
    cr_assert_fail("no parameter %s", name);
    return -1;
}

/* tiny(), with fc.weight given factors before allocation. */
static void tiny_factored(Net *net, float lr_factor, float wd_factor)
{
    QbErr err = {{0}};
    threads_set(1);
    net_init(net, (Dims){2, 1, 1});
    cr_assert_geq(layer_linear(net, "fc", NET_INPUT, 1, 1, &err), 0);
    net_param_factors(net, param_index(net, "fc.weight"), lr_factor, wd_factor);
    cr_assert_eq(net_alloc(net, 1, 1, &err), 0, "%s", err.msg);
}

Test(sgd, parameter_factors_scale_its_lr_and_decay)
{
    Net net;
    tiny_factored(&net, 0.5f, 3.0f);
    cr_assert(net.groups[PGROUP_WEIGHT].factored && !net.groups[PGROUP_BIAS].factored);
    Optimizer o;
    optim_defaults(&o, 0.1f);
    set(&net, 1.0f, -2.0f, 0.5f, 0.3f, 0.0f, 1.0f);
    Param *W = net_param(&net, "fc.weight"), *B = net_param(&net, "fc.bias");
    /* The weight moves at lr 0.5·0.5 = 0.25 with decay 0.1·3 = 0.3: step 1 d = g + 0.3·w,
     * buf = d; step 2 (g = 0) d = 0.3·w, buf = 0.9·buf + d. w0 = (1, −2), g = (0.3, 0):
     * w1 = (0.85, −1.85), w2 = (0.85 − 0.25·0.795, −1.85 + 0.25·1.095). */
    const double w1[2] = {0.85, -1.85}, w2[2] = {0.85 - 0.25 * 0.795, -1.85 + 0.25 * 1.095};
    for (int step = 0; step < 2; step++) {
        optim_step(&o, &net, 0.5f);
        for (int k = 0; k < 2; k++) {
            cr_assert_float_eq(W->w[k], step ? w2[k] : w1[k], 1e-6, "step %d w[%d]", step + 1, k);
            W->g[k] = 0.0f;
        }
        if (!step) /* the bias keeps factors 1: lr 0.5, decay 0.1, as without factors */
            cr_assert_float_eq(B->w[0], 0.5 - 0.5 * (1.0 + 0.05), 1e-6);
    }
    net_free(&net);
}

Test(adam, parameter_factors_scale_its_lr_and_decay)
{
    Net net;
    tiny_factored(&net, 2.0f, 0.5f);
    Optimizer o;
    optim_defaults(&o, 0.2f);
    for (int g = 0; g < PGROUP_COUNT; g++)
        o.group[g].kind = OPTIM_ADAM;
    set(&net, 1.0f, 0.0f, 0.0f, 0.5f, 0.0f, 0.0f);
    optim_step(&o, &net, 0.01f); /* lr 0.02; bias-corrected m/sqrt(v) = 1 */
    Param *W = net_param(&net, "fc.weight");
    cr_assert_float_eq(W->w[0], 0.98f, 1e-6f);
    W->g[0] = -0.5f;
    optim_step(&o, &net, 0.01f);
    /* decay 0.2·0.5 = 0.1: d1 = 0.5 + 0.1·1 = 0.6, d2 = −0.5 + 0.1·0.98 = −0.402;
     * m = 0.9·0.1·0.6 + 0.1·d2, v = 0.999·0.001·0.36 + 0.001·d2² */
    double d2 = -0.402, m = 0.9 * 0.06 + 0.1 * d2, v = 0.999 * 0.00036 + 0.001 * d2 * d2;
    double mh = m / (1 - 0.81), vh = v / (1 - 0.999 * 0.999);
    cr_assert_float_eq(W->w[0], 0.98 - 0.02 * mh / (sqrt(vh) + 1e-8), 1e-6f);
    cr_assert_float_eq(W->w[1], 0.0f, 0, "zero gradient, zero weight: no move");
    net_free(&net);
}

/* How three() sets its parameters' optimizer: all by the group; fc2 and fc3 with factors
 * (3, 0) (runs: fc1 (1, 1), then fc2 and fc3 together); fc2 by Adam at half the learning
 * rate and no decay while the group is SGD (DAQ's quantizer parameters among the network's,
 * FORMULAS.md §16.5). */
typedef enum { THREE_FLAT, THREE_FACTORED, THREE_ADAM_FC2 } ThreeSetup;

/* Three bias-free linear layers: fc1, fc2, fc3 weights neighbours in the weight group. */
static void three(Net *net, ThreeSetup setup)
{
    QbErr err = {{0}};
    threads_set(1);
    net_init(net, (Dims){2, 1, 1});
    int l1 = layer_linear(net, "fc1", NET_INPUT, 2, 0, &err);
    int l2 = layer_linear(net, "fc2", l1, 2, 0, &err);
    cr_assert_geq(layer_linear(net, "fc3", l2, 1, 0, &err), 0, "%s", err.msg);
    int i2 = param_index(net, "fc2.weight");
    if (setup == THREE_FACTORED) {
        net_param_factors(net, i2, 3.0f, 0.0f);
        net_param_factors(net, param_index(net, "fc3.weight"), 3.0f, 0.0f);
    } else if (setup == THREE_ADAM_FC2) {
        net_param_factors(net, i2, 0.5f, 0.0f);
        net_param_optimizer(net, i2, OPTIM_ADAM);
    }
    cr_assert_eq(net_alloc(net, 1, 1, &err), 0, "%s", err.msg);
    for (int i = 0; i < net->nparams; i++)
        for (size_t k = 0; k < net->params[i].numel; k++) {
            net->params[i].w[k] = 0.25f * (float)(i + 1) - 0.1f * (float)k;
            net->params[i].g[k] = 0.5f - 0.3f * (float)k + 0.2f * (float)i;
        }
}

/* Adam by hand on one element over two steps (the second with gradient −g). */
static double adam_by_hand(double w, double g, double lr, double wd)
{
    double m = 0.0, v = 0.0;
    for (int t = 1; t <= 2; t++, g = -g) {
        double d = g + wd * w;
        m = 0.9 * m + 0.1 * d;
        v = 0.999 * v + 0.001 * d * d;
        w -= lr * (m / (1 - pow(0.9, t))) / (sqrt(v / (1 - pow(0.999, t))) + 1e-8);
    }
    return w;
}

Test(adam, group_mixing_factors_steps_each_run_with_its_own)
{
    Net net, flat;
    three(&net, THREE_FACTORED);
    three(&flat, THREE_FLAT);
    cr_assert(net.groups[PGROUP_WEIGHT].factored && !flat.groups[PGROUP_WEIGHT].factored);
    Optimizer o, of;
    optim_defaults(&o, 0.1f);
    for (int g = 0; g < PGROUP_COUNT; g++)
        o.group[g].kind = OPTIM_ADAM;
    of = o;
    double want[3][4];
    for (int i = 0; i < 3; i++)
        for (size_t k = 0; k < net.params[i].numel; k++)
            want[i][k] = adam_by_hand(net.params[i].w[k], net.params[i].g[k],
                                      i ? 0.03 : 0.01, i ? 0.0 : 0.1);
    for (int t = 0; t < 2; t++) {
        optim_step(&o, &net, 0.01f);
        optim_step(&of, &flat, 0.01f);
        for (int i = 0; i < 3; i++)
            for (size_t k = 0; k < net.params[i].numel; k++) {
                net.params[i].g[k] = -net.params[i].g[k];
                flat.params[i].g[k] = -flat.params[i].g[k];
            }
    }
    for (int i = 0; i < 3; i++)
        for (size_t k = 0; k < net.params[i].numel; k++)
            cr_assert_float_eq(net.params[i].w[k], want[i][k], 1e-6, "%s[%zu]",
                               net.params[i].name, k);
    /* factors 1 step exactly as the flat loop does */
    cr_assert_eq(memcmp(net.params[0].w, flat.params[0].w, 4 * sizeof(float)), 0);
    net_free(&net);
    net_free(&flat);
}

/* Gradients of step t (0-based): a fixed pattern whose sign alternates. */
static void three_grads(Net *net, int t)
{
    for (int i = 0; i < net->nparams; i++)
        for (size_t k = 0; k < net->params[i].numel; k++)
            net->params[i].g[k] = (t % 2 ? -1.0f : 1.0f) * (0.5f - 0.3f * (float)k + 0.2f * (float)i);
}

/* SGD (momentum 0.9) by hand on one element over two steps, the second with gradient −g. */
static double sgd_by_hand(double w, double g, double lr, double wd)
{
    double buf = 0.0;
    for (int t = 1; t <= 2; t++, g = -g) {
        buf = 0.9 * buf + g + wd * w;
        w -= lr * buf;
    }
    return w;
}

Test(optim, a_parameter_with_its_own_optimizer_is_stepped_by_it_the_rest_by_the_group)
{
    Net net;
    three(&net, THREE_ADAM_FC2);
    cr_assert(net.groups[PGROUP_WEIGHT].factored);
    Optimizer o;
    optim_defaults(&o, 0.1f); /* SGD everywhere */
    double want[3][4];
    for (int i = 0; i < 3; i++) {
        three_grads(&net, 0);
        for (size_t k = 0; k < net.params[i].numel; k++)
            want[i][k] = i == 1 ? adam_by_hand(net.params[i].w[k], net.params[i].g[k], 0.005, 0.0)
                                : sgd_by_hand(net.params[i].w[k], net.params[i].g[k], 0.01, 0.1);
    }
    for (int t = 0; t < 2; t++) {
        three_grads(&net, t);
        optim_step(&o, &net, 0.01f);
    }
    for (int i = 0; i < 3; i++)
        for (size_t k = 0; k < net.params[i].numel; k++)
            cr_assert_float_eq(net.params[i].w[k], want[i][k], 1e-6, "%s[%zu]",
                               net.params[i].name, k);
    net_param_optimizer(&net, param_index(&net, "fc2.weight"), OPTIM_OF_GROUP);
    net_param_factors(&net, param_index(&net, "fc2.weight"), 1.0f, 1.0f);
    cr_assert(!net.groups[PGROUP_WEIGHT].factored, "back to the group's optimizer: flat loop");
    net_free(&net);
}

Test(optim, a_resume_from_a_checkpoint_continues_a_mixed_group_bit_for_bit)
{
    char path[64];
    snprintf(path, sizeof path, "/tmp/qb-optim-resume-%d.ckpt", (int)getpid());
    Net straight, first, resumed;
    Optimizer os, of, orr;
    QbErr err = {{0}};
    three(&straight, THREE_ADAM_FC2);
    three(&first, THREE_ADAM_FC2);
    three(&resumed, THREE_ADAM_FC2);
    optim_defaults(&os, 0.1f);
    of = orr = os;
    for (int t = 0; t < 5; t++) {
        three_grads(&straight, t);
        optim_step(&os, &straight, 0.01f);
        if (t < 3) {
            three_grads(&first, t);
            optim_step(&of, &first, 0.01f);
        }
    }
    cr_assert_eq(checkpoint_save(path, &first, &of, NULL, &err), 0, "%s", err.msg);
    cr_assert_eq(checkpoint_load(path, &resumed, &orr, NULL, CKPT_RESUME, &err), 0, "%s", err.msg);
    unlink(path);
    for (int t = 3; t < 5; t++) {
        three_grads(&resumed, t);
        optim_step(&orr, &resumed, 0.01f);
    }
    for (int i = 0; i < straight.nparams; i++)
        cr_assert_arr_eq(straight.params[i].w, resumed.params[i].w,
                         straight.params[i].numel * sizeof(float), "%s", straight.params[i].name);
    net_free(&straight);
    net_free(&first);
    net_free(&resumed);
}

Test(sgd, factors_back_to_one_restore_the_flat_loop)
{
    Net net;
    three(&net, THREE_FACTORED);
    net_param_factors(&net, param_index(&net, "fc2.weight"), 1.0f, 1.0f);
    cr_assert(net.groups[PGROUP_WEIGHT].factored, "fc3 still has its factors");
    net_param_factors(&net, param_index(&net, "fc3.weight"), 1.0f, 1.0f);
    cr_assert(!net.groups[PGROUP_WEIGHT].factored);
    net_free(&net);
}

Test(sched, cosine_endpoints_and_midpoint)
{
    Schedule s = {SCHED_COSINE, 0.1f, 10, 0, 0.0f, {0}, 0, 0.1f};
    cr_assert_float_eq(sched_lr(&s, 0, 0, 100), 0.1f, 1e-7f);
    cr_assert_float_eq(sched_lr(&s, 5, 50, 100), 0.05f, 1e-7f);
    cr_assert_float_eq(sched_lr(&s, 9, 0, 100), 0.1f * 0.5f * (1.0f + cosf(0.9f * M_PI)), 1e-7f);
}

Test(sched, cosine_per_step_follows_the_curve_per_iteration)
{
    Schedule s = {SCHED_COSINE_PER_STEP, 0.1f, 2, 0, 0.01f, {0}, 0, 0.1f};
    cr_assert_float_eq(sched_lr(&s, 0, 0, 100), 0.1f, 1e-7f);
    cr_assert_float_eq(sched_lr(&s, 0, 50, 100), 0.01f + 0.09f * 0.5f * (1.0f + cosf(0.25f * M_PI)),
                       1e-7f);
    cr_assert_float_eq(sched_lr(&s, 1, 0, 100), 0.055f, 1e-7f); /* halfway: the mean of the ends */
    cr_assert_float_eq(sched_lr(&s, 1, 99, 100), 0.01f + 0.09f * 0.5f * (1.0f + cosf(0.995f * M_PI)),
                       1e-7f);
    s.warmup_epochs = 1; /* the curve starts after warm-up */
    cr_assert_float_eq(sched_lr(&s, 1, 0, 100), 0.1f, 1e-7f);
}

Test(sched, warmup_is_linear_per_iteration)
{
    Schedule s = {SCHED_COSINE, 0.4f, 10, 2, 0.0f, {0}, 0, 0.1f};
    cr_assert_float_eq(sched_lr(&s, 0, 0, 10), 0.02f, 1e-7f);
    cr_assert_float_eq(sched_lr(&s, 1, 9, 10), 0.4f, 1e-7f);
    cr_assert_float_eq(sched_lr(&s, 2, 0, 10), 0.4f, 1e-7f); /* cosine starts after warm-up */
}

Test(sched, step_decay_at_milestones)
{
    Schedule s = {SCHED_STEP, 0.04f, 300, 0, 0.0f, {150, 225}, 2, 0.1f};
    cr_assert_float_eq(sched_lr(&s, 149, 0, 1), 0.04f, 1e-8f);
    cr_assert_float_eq(sched_lr(&s, 150, 0, 1), 0.004f, 1e-8f);
    cr_assert_float_eq(sched_lr(&s, 299, 0, 1), 0.0004f, 1e-9f);
}

Test(xent, loss_and_gradient_match_hand_computation)
{
    float z[6] = {1.0f, 2.0f, 3.0f, 0.0f, 0.0f, 0.0f}, d[6];
    int labels[2] = {2, 1};
    Tensor lg = {2, 3, 1, 1, z}, dl = {2, 3, 1, 1, d};
    float loss = xent_forward(&lg, labels, 0.0f, &dl);
    double lse = log(exp(1) + exp(2) + exp(3));
    cr_assert_float_eq(loss, (float)(((lse - 3.0) + log(3.0)) / 2.0), 1e-6f);
    cr_assert_float_eq(d[2], (float)((exp(3 - lse) - 1.0) / 2.0), 1e-6f);
    cr_assert_float_eq(d[3], (float)((1.0 / 3.0) / 2.0), 1e-6f);
    cr_assert_float_eq(d[4], (float)((1.0 / 3.0 - 1.0) / 2.0), 1e-6f);
    cr_assert_eq(xent_topk_hits(&lg, labels, 1), 1); /* a tie goes to the lower index, as argmax */
    cr_assert_eq(xent_topk_hits(&lg, labels, 3), 2);
}

Test(xent, label_smoothing_spreads_the_target)
{
    float z[3] = {0.0f, 0.0f, 0.0f}, d[3];
    int label = 1;
    Tensor lg = {1, 3, 1, 1, z}, dl = {1, 3, 1, 1, d};
    float loss = xent_forward(&lg, &label, 0.3f, &dl);
    cr_assert_float_eq(loss, (float)log(3.0), 1e-6f); /* uniform p: loss independent of target */
    cr_assert_float_eq(d[1], (float)(1.0 / 3 - (0.7 + 0.1)), 1e-6f);
    cr_assert_float_eq(d[0], (float)(1.0 / 3 - 0.1), 1e-6f);
}
