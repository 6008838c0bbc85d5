/* Every layer kind's ONNX form: a const table from LayerOps to the function that appends the
 * kind's nodes (conv2d -> [QDQ] Conv, linear -> Flatten, [QDQ] Gemm, batch norm ->
 * BatchNormalization (+ Relu), pooling -> MaxPool / AveragePool / GlobalAveragePool, add ->
 * Add (+ Relu), the option-A shortcut -> Slice + Pad). A kind not in the table is refused. */
#ifndef QB_ONNX_LAYERS_H
#define QB_ONNX_LAYERS_H

#include "core/net.h"
#include "onnx_graph.h"

/* Appends L's nodes reading the values in[0..L->nin) and writing the value named `out`. */
int onnx_layer(OnnxGraph *g, Net *net, Layer *L, const char *const *in, const char *out,
               QbErr *err);

#endif
