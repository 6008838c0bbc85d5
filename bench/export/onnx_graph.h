/* OnnxGraph: an ONNX model being built, over the C structs protoc-c generates from the
 * onnx.proto Debian ships (build/gen/onnx/onnx.pb-c.h, made at build time). It owns every
 * string, array and message it hands out and frees them together; nodes are added in
 * topological order, as a qbench Net stores its layers. og_write packs the ModelProto and
 * writes it atomically. */
#ifndef QB_ONNX_GRAPH_H
#define QB_ONNX_GRAPH_H

#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "onnx/onnx.pb-c.h"

/* The operator set the exporter writes: QuantizeLinear/DequantizeLinear per axis, Clip with
 * its bounds as inputs, Slice with steps, Pad with pads as an input. */
#define ONNX_OPSET 13
#define ONNX_IR_VERSION 7

typedef struct {
    void **owned;                /* every allocation, freed by og_free */
    int nowned, capowned;
    Onnx__NodeProto **nodes;
    int nnodes, capnodes;
    Onnx__TensorProto **inits;
    int ninits, capinits;
    Onnx__ValueInfoProto *input, *output;
    char *notes;                 /* what the model writes otherwise than as codes, one a line */
} OnnxGraph;

void og_init(OnnxGraph *g);
void og_free(OnnxGraph *g);
/* A string owned by g, formatted. */
char *og_str(OnnxGraph *g, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Appends a line to g->notes. */
void og_note(OnnxGraph *g, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Appends node `op` with nin inputs (an empty string is an omitted optional input) and one
 * output `out`; returns it for og_attr_*. */
Onnx__NodeProto *og_node(OnnxGraph *g, const char *op, const char *const *in, int nin,
                         const char *out);
void og_attr_int(OnnxGraph *g, Onnx__NodeProto *n, const char *name, int64_t v);
void og_attr_float(OnnxGraph *g, Onnx__NodeProto *n, const char *name, float v);
void og_attr_ints(OnnxGraph *g, Onnx__NodeProto *n, const char *name, const int64_t *v,
                  int count);
/* An initializer of ONNX element type `type` (ONNX__TENSOR_PROTO__DATA_TYPE__*), its data
 * copied (little-endian raw bytes, elem bytes each); returns its name. */
const char *og_tensor(OnnxGraph *g, const char *name, int type, int ndim, const int64_t *dims,
                      const void *data, size_t elem);
const char *og_floats(OnnxGraph *g, const char *name, int ndim, const int64_t *dims,
                      const float *data);
const char *og_float1(OnnxGraph *g, const char *name, float v); /* a scalar */
/* The graph's float input and output; a dimension of -1 is the batch, named "N". */
void og_io(OnnxGraph *g, int output, const char *name, int ndim, const int64_t *dims);
/* Packs the model (producer `producer`) and writes it to path atomically. */
int og_write(OnnxGraph *g, const char *path, const char *producer, QbErr *err);

#endif
