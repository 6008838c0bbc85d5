/* The layer kinds' ONNX forms (onnx_layers.h). Each writes the computation qbench's forward
 * does in evaluation mode: batch norm with its running statistics and BN_EPS, average pooling
 * counting the padding (count_include_pad), the shortcut's zero channels half before and half
 * after. */
#include "onnx_layers.h"

#include <stdint.h>

#include "core/layers/layers.h"
#include "core/layers/qhooks.h"
#include "onnx_quant.h"

typedef int (*EmitFn)(OnnxGraph *g, Net *net, Layer *L, const char *const *in, const char *out,
                      QbErr *err);

static const char *param_init(OnnxGraph *g, Net *net, const char *layer, const char *leaf)
{
    char *name = og_str(g, "%s.%s", layer, leaf);
    const Param *p = net_param(net, name);
    QB_ASSERT(p);
    int64_t n = (int64_t)p->numel;
    return og_floats(g, name, 1, &n, p->w);
}

static const char *buffer_init(OnnxGraph *g, Net *net, const char *layer, const char *leaf)
{
    char *name = og_str(g, "%s.%s", layer, leaf);
    const Buffer *b = net_buffer(net, name);
    QB_ASSERT(b);
    int64_t n = (int64_t)b->numel;
    return og_floats(g, name, 1, &n, b->data);
}

static int emit_conv(OnnxGraph *g, Net *net, Layer *L, const char *const *in, const char *out,
                     QbErr *err)
{
    Conv2dSpec s = layer_conv2d_spec(L);
    const char *x, *w;
    if (oq_input(g, L, in[0], &x, err) < 0 || oq_weight(g, net, L, &w, err) < 0)
        return -1;
    const char *args[3] = {x, w, s.bias ? param_init(g, net, L->name, "bias") : ""};
    Onnx__NodeProto *n = og_node(g, "Conv", args, s.bias ? 3 : 2, out);
    int64_t k[2] = {s.k, s.k}, st[2] = {s.stride, s.stride}, p[4] = {s.pad, s.pad, s.pad, s.pad};
    og_attr_ints(g, n, "kernel_shape", k, 2);
    og_attr_ints(g, n, "strides", st, 2);
    og_attr_ints(g, n, "pads", p, 4);
    og_attr_int(g, n, "group", s.groups);
    return 0;
}

static int emit_linear(OnnxGraph *g, Net *net, Layer *L, const char *const *in, const char *out,
                       QbErr *err)
{
    const char *x, *w;
    char *flat = og_str(g, "%s.flat", L->name);
    if (oq_input(g, L, in[0], &x, err) < 0 || oq_weight(g, net, L, &w, err) < 0)
        return -1;
    og_attr_int(g, og_node(g, "Flatten", &x, 1, flat), "axis", 1);
    int bias = net_param(net, og_str(g, "%s.bias", L->name)) != NULL;
    const char *args[3] = {flat, w, bias ? param_init(g, net, L->name, "bias") : ""};
    og_attr_int(g, og_node(g, "Gemm", args, bias ? 3 : 2, out), "transB", 1);
    return 0;
}

/* out = relu(pre): the fused kinds write their op into "<out>.pre" first. */
static void then_relu(OnnxGraph *g, const char *pre, const char *out)
{
    og_node(g, "Relu", &pre, 1, out);
}

static void batch_norm(OnnxGraph *g, Net *net, Layer *L, const char *x, const char *out)
{
    const char *args[5] = {x, param_init(g, net, L->name, "weight"),
                           param_init(g, net, L->name, "bias"),
                           buffer_init(g, net, L->name, "running_mean"),
                           buffer_init(g, net, L->name, "running_var")};
    og_attr_float(g, og_node(g, "BatchNormalization", args, 5, out), "epsilon", BN_EPS);
}

static int emit_bn(OnnxGraph *g, Net *net, Layer *L, const char *const *in, const char *out,
                   QbErr *err)
{
    (void)err;
    batch_norm(g, net, L, in[0], out);
    return 0;
}

static int emit_bn_relu(OnnxGraph *g, Net *net, Layer *L, const char *const *in,
                        const char *out, QbErr *err)
{
    (void)err;
    char *pre = og_str(g, "%s.pre", out);
    batch_norm(g, net, L, in[0], pre);
    then_relu(g, pre, out);
    return 0;
}

static int emit_relu(OnnxGraph *g, Net *net, Layer *L, const char *const *in, const char *out,
                     QbErr *err)
{
    (void)net, (void)L, (void)err;
    then_relu(g, in[0], out);
    return 0;
}

static int emit_relu6(OnnxGraph *g, Net *net, Layer *L, const char *const *in, const char *out,
                      QbErr *err)
{
    (void)net, (void)err;
    const char *args[3] = {in[0], og_float1(g, og_str(g, "%s.lo", L->name), 0.0f),
                           og_float1(g, og_str(g, "%s.hi", L->name), 6.0f)};
    og_node(g, "Clip", args, 3, out);
    return 0;
}

static int emit_pool(OnnxGraph *g, Net *net, Layer *L, const char *const *in, const char *out,
                     QbErr *err)
{
    (void)net, (void)err;
    int k, s, p, avg = L->ops == &avgpool_ops;
    layer_pool_window(L, &k, &s, &p);
    Onnx__NodeProto *n = og_node(g, avg ? "AveragePool" : "MaxPool", in, 1, out);
    int64_t kk[2] = {k, k}, ss[2] = {s, s}, pp[4] = {p, p, p, p};
    og_attr_ints(g, n, "kernel_shape", kk, 2);
    og_attr_ints(g, n, "strides", ss, 2);
    og_attr_ints(g, n, "pads", pp, 4);
    if (avg)
        og_attr_int(g, n, "count_include_pad", 1);
    return 0;
}

static int emit_gap(OnnxGraph *g, Net *net, Layer *L, const char *const *in, const char *out,
                    QbErr *err)
{
    (void)net, (void)L, (void)err;
    og_node(g, "GlobalAveragePool", in, 1, out);
    return 0;
}

static int emit_flatten(OnnxGraph *g, Net *net, Layer *L, const char *const *in,
                        const char *out, QbErr *err)
{
    (void)net, (void)L, (void)err;
    og_attr_int(g, og_node(g, "Flatten", in, 1, out), "axis", 1);
    return 0;
}

static int emit_add(OnnxGraph *g, Net *net, Layer *L, const char *const *in, const char *out,
                    QbErr *err)
{
    (void)net, (void)L, (void)err;
    og_node(g, "Add", in, 2, out);
    return 0;
}

static int emit_add_relu(OnnxGraph *g, Net *net, Layer *L, const char *const *in,
                         const char *out, QbErr *err)
{
    (void)net, (void)L, (void)err;
    char *pre = og_str(g, "%s.pre", out);
    og_node(g, "Add", in, 2, pre);
    then_relu(g, pre, out);
    return 0;
}

/* x[:, :, ::s, ::s] padded with (cout - cin)/2 zero channels before and after. */
static int emit_shortcut_a(OnnxGraph *g, Net *net, Layer *L, const char *const *in,
                           const char *out, QbErr *err)
{
    (void)net, (void)err;
    int64_t s = layer_shortcut_a_stride(L), half = (L->out_dims.c - L->in_dims[0].c) / 2;
    int64_t starts[2] = {0, 0}, ends[2] = {INT64_MAX, INT64_MAX}, axes[2] = {2, 3},
            steps[2] = {s, s}, two = 2, eight = 8;
    int64_t pads[8] = {0, half, 0, 0, 0, half, 0, 0};
    const int T = ONNX__TENSOR_PROTO__DATA_TYPE__INT64;
    const char *args[5] = {
        in[0], og_tensor(g, og_str(g, "%s.starts", L->name), T, 1, &two, starts, 8),
        og_tensor(g, og_str(g, "%s.ends", L->name), T, 1, &two, ends, 8),
        og_tensor(g, og_str(g, "%s.axes", L->name), T, 1, &two, axes, 8),
        og_tensor(g, og_str(g, "%s.steps", L->name), T, 1, &two, steps, 8)};
    char *sub = og_str(g, "%s.sub", L->name);
    og_node(g, "Slice", args, 5, sub);
    const char *pad_args[2] = {sub, og_tensor(g, og_str(g, "%s.pads", L->name), T, 1, &eight,
                                              pads, 8)};
    og_node(g, "Pad", pad_args, 2, out);
    return 0;
}

typedef struct {
    const LayerOps *ops;
    EmitFn emit;
} KindForm;

static const KindForm kind_forms[] = {
    {.ops = &conv2d_ops, .emit = emit_conv},
    {.ops = &linear_ops, .emit = emit_linear},
    {.ops = &bn2d_ops, .emit = emit_bn},
    {.ops = &bn2d_relu_ops, .emit = emit_bn_relu},
    {.ops = &relu_ops, .emit = emit_relu},
    {.ops = &relu6_ops, .emit = emit_relu6},
    {.ops = &maxpool_ops, .emit = emit_pool},
    {.ops = &avgpool_ops, .emit = emit_pool},
    {.ops = &gap_ops, .emit = emit_gap},
    {.ops = &flatten_ops, .emit = emit_flatten},
    {.ops = &add_ops, .emit = emit_add},
    {.ops = &add_relu_ops, .emit = emit_add_relu},
    {.ops = &shortcut_a_ops, .emit = emit_shortcut_a},
};

int onnx_layer(OnnxGraph *g, Net *net, Layer *L, const char *const *in, const char *out,
               QbErr *err)
{
    for (size_t i = 0; i < sizeof kind_forms / sizeof kind_forms[0]; i++)
        if (kind_forms[i].ops == L->ops)
            return kind_forms[i].emit(g, net, L, in, out, err);
    return qb_fail(err, "layer %s: kind %s has no ONNX form in the exporter", L->name,
                   L->ops->kind);
}
