/* The net-to-model walk (onnx_export.h): layers in their stored (topological) order, each
 * layer's output value named after the layer, a final Flatten to (N, classes). */
#include "onnx_export.h"

#include <stdlib.h>
#include <string.h>

#include "onnx_graph.h"
#include "onnx_layers.h"

#define PRODUCER "qbench"

int onnx_export(Net *net, const char *path, char **notes, QbErr *err)
{
    OnnxGraph g;
    const char **value = calloc((size_t)net->nlayers, sizeof *value);
    QB_ASSERT(value);
    net->train = 0;
    memset(net->input.data, 0, tensor_numel(&net->input) * sizeof(float));
    net_forward(net);
    og_init(&g);
    int rc = 0;
    for (int i = 0; rc == 0 && i < net->nlayers; i++) {
        Layer *L = &net->layers[i];
        const char *in[2];
        for (int k = 0; k < L->nin; k++)
            in[k] = L->in[k] == NET_INPUT ? "input" : value[L->in[k]];
        value[i] = og_str(&g, "%s", L->name);
        rc = onnx_layer(&g, net, L, in, value[i], err);
    }
    if (rc == 0 && net->nlayers > 0) {
        Dims d = net->in_dims, o = net->layers[net->nlayers - 1].out_dims;
        int64_t in_dims[4] = {-1, d.c, d.h, d.w}, out_dims[2] = {-1, (int64_t)o.c * o.h * o.w};
        og_attr_int(&g, og_node(&g, "Flatten", &value[net->nlayers - 1], 1, "logits"), "axis",
                    1);
        og_io(&g, 0, "input", 4, in_dims);
        og_io(&g, 1, "logits", 2, out_dims);
        rc = og_write(&g, path, PRODUCER, err);
    } else if (rc == 0)
        rc = qb_fail(err, "%s: the network has no layers to export", path);
    *notes = rc == 0 && g.notes ? strdup(g.notes) : NULL;
    QB_ASSERT(*notes || rc || !g.notes);
    free(value);
    og_free(&g);
    return rc;
}
