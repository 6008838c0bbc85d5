/* Adders for every layer kind. Each returns the new layer's index, or -1 with err naming
 * the layer and the shapes that do not fit. Builders in nets/ compose only these. */
#ifndef QB_LAYERS_H
#define QB_LAYERS_H

#include "core/net.h"

struct Quantizer;

typedef struct {
    int cout, k, stride, pad, groups, bias;
} Conv2dSpec;

int layer_conv2d(Net *net, const char *name, int in, Conv2dSpec spec, QbErr *err);
int layer_linear(Net *net, const char *name, int in, int out, int bias, QbErr *err);
int layer_bn2d(Net *net, const char *name, int in, QbErr *err);
/* bn2d followed by ReLU in one layer (the name is the BN's: its params are "<name>.weight"). */
int layer_bn2d_relu(Net *net, const char *name, int in, QbErr *err);
int layer_relu(Net *net, const char *name, int in, QbErr *err);
int layer_relu6(Net *net, const char *name, int in, QbErr *err);
int layer_maxpool(Net *net, const char *name, int in, int k, int stride, int pad, QbErr *err);
int layer_avgpool(Net *net, const char *name, int in, int k, int stride, int pad, QbErr *err);
int layer_gap(Net *net, const char *name, int in, QbErr *err);
int layer_flatten(Net *net, const char *name, int in, QbErr *err);
int layer_add(Net *net, const char *name, int a, int b, QbErr *err);
/* relu(a + b) in one layer: a residual join. */
int layer_add_relu(Net *net, const char *name, int a, int b, QbErr *err);

/* What the integer path and the exporter need of a layer's configuration (asserted to be of
 * that kind): a conv2d's spec, a max- or average-pool's window, a shortcut_a's stride. */
Conv2dSpec layer_conv2d_spec(const Layer *L);
void layer_pool_window(const Layer *L, int *k, int *stride, int *pad);
int layer_shortcut_a_stride(const Layer *L);

/* ResNet "option A" shortcut: stride subsampling plus zero channel padding to cout. */
int layer_shortcut_a(Net *net, const char *name, int in, int cout, int stride, QbErr *err);

/* Attaches a weight and an input quantizer (either may be NULL; ownership passes) to a
 * conv2d or linear layer. Call before net_alloc. */
int layer_quantize(Net *net, int layer, struct Quantizer *wq, struct Quantizer *aq,
                   QbErr *err);
/* The quantizers of a conv2d/linear layer (NULL for other kinds or when unquantized). */
struct Quantizer *layer_weight_quantizer(const Layer *L);
struct Quantizer *layer_input_quantizer(const Layer *L);
/* Whether L's kind takes quantizers (conv2d, linear: LayerOps.hooks). */
int layer_is_compute(const Layer *L);

/* BatchNorm's momentum and epsilon, as PyTorch's defaults. */
#define BN_MOMENTUM 0.1f
#define BN_EPS 1e-5f

extern const LayerOps conv2d_ops, linear_ops, bn2d_ops, bn2d_relu_ops, relu_ops, relu6_ops, maxpool_ops,
    avgpool_ops, gap_ops, flatten_ops, add_ops, add_relu_ops, shortcut_a_ops;
/* Every kind above, once (kinds.c). */
extern const LayerOps *const layer_kinds[];
extern const int layer_nkinds;

#endif
