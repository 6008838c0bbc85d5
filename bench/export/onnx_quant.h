/* A conv2d or linear layer's quantizers as standard ONNX (FORMULAS.md's fake quantization
 * written with the operators every runtime has): an input quantizer on a uniform grid as
 * QuantizeLinear -> Clip -> DequantizeLinear (one step per tensor), a weight quantizer whose
 * levels are small integers times one step per output channel (uniform codes, POT and APoT
 * levels that are dyadic) as int8 codes with a per-channel DequantizeLinear; any other weight
 * quantizer with a scale op (POST, POT beyond int8 codes) as its fake-quantized float weights,
 * with a note. An input quantizer that cannot be written so, or a quantizer with no scale op or
 * an inference-time adapter, is refused with an error naming the layer and the reason. Read
 * after a forward of the net in evaluation mode: the scale op reports the last forward's step. */
#ifndef QB_ONNX_QUANT_H
#define QB_ONNX_QUANT_H

#include "core/net.h"
#include "onnx_graph.h"

/* The value the layer computes with in place of its input x: x, or its QDQ chain. */
int oq_input(OnnxGraph *g, const Layer *L, const char *x, const char **out, QbErr *err);
/* The initializer (float weights) or DequantizeLinear output (codes) of the layer's weight. */
int oq_weight(OnnxGraph *g, Net *net, Layer *L, const char **out, QbErr *err);

#endif
