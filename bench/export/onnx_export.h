/* `qbench export --onnx`'s writer: a qbench Net, with its trained parameters and quantizers,
 * as an ONNX model (opset ONNX_OPSET) that computes what the net computes in evaluation mode:
 * input "input" (N x C x H x W, float), output "logits" (N x classes). */
#ifndef QB_ONNX_EXPORT_H
#define QB_ONNX_EXPORT_H

#include "core/net.h"

/* net is allocated (any batch) and loaded; the export runs one evaluation forward on zeros
 * first, so that every quantizer's scale op reports its step. Writes path atomically; an
 * error names the layer and what has no ONNX form, and leaves nothing at path. *notes gets
 * (owned, NULL when none) what is written otherwise than as integer codes, one a line. */
int onnx_export(Net *net, const char *path, char **notes, QbErr *err);

#endif
