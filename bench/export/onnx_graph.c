/* The ONNX model builder (onnx_graph.h): protobuf-c messages filled by hand, every allocation
 * recorded so that og_free releases the whole model at once (the messages point into each
 * other, and protobuf-c's own free is for unpacked messages only). */
#include "onnx_graph.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/atomic_file.h"
#include "core/grow.h"

void og_init(OnnxGraph *g) { memset(g, 0, sizeof *g); }

void og_free(OnnxGraph *g)
{
    for (int i = 0; i < g->nowned; i++)
        free(g->owned[i]);
    GROW_FREE(g->owned, g->nowned, g->capowned);
    GROW_FREE(g->nodes, g->nnodes, g->capnodes);
    GROW_FREE(g->inits, g->ninits, g->capinits);
    memset(g, 0, sizeof *g);
}

/* Zeroed memory owned by g. */
static void *own(OnnxGraph *g, size_t n)
{
    void *p = calloc(1, n ? n : 1);
    QB_ASSERT(p);
    void **slot = GROW_PUSH(g->owned, g->nowned, g->capowned);
    QB_ASSERT(slot);
    *slot = p;
    return p;
}

char *og_str(OnnxGraph *g, const char *fmt, ...)
{
    va_list ap, aq;
    va_start(ap, fmt);
    va_copy(aq, ap);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    char *s = own(g, (size_t)n + 1);
    vsnprintf(s, (size_t)n + 1, fmt, aq);
    va_end(aq);
    return s;
}

void og_note(OnnxGraph *g, const char *fmt, ...)
{
    va_list ap;
    char *line = NULL;
    va_start(ap, fmt);
    int n = vasprintf(&line, fmt, ap);
    va_end(ap);
    QB_ASSERT(n >= 0);
    g->notes = og_str(g, "%s%s\n", g->notes ? g->notes : "", line);
    free(line);
}

Onnx__NodeProto *og_node(OnnxGraph *g, const char *op, const char *const *in, int nin,
                         const char *out)
{
    Onnx__NodeProto *n = own(g, sizeof *n);
    onnx__node_proto__init(n);
    n->op_type = og_str(g, "%s", op);
    n->name = og_str(g, "%s", out);
    n->n_input = (size_t)nin;
    n->input = own(g, (size_t)nin * sizeof(char *));
    for (int i = 0; i < nin; i++)
        n->input[i] = og_str(g, "%s", in[i]);
    n->n_output = 1;
    n->output = own(g, sizeof(char *));
    n->output[0] = og_str(g, "%s", out);
    Onnx__NodeProto **slot = GROW_PUSH(g->nodes, g->nnodes, g->capnodes);
    QB_ASSERT(slot);
    *slot = n;
    return n;
}

static Onnx__AttributeProto *attr(OnnxGraph *g, Onnx__NodeProto *n, const char *name,
                                  Onnx__AttributeProto__AttributeType type)
{
    Onnx__AttributeProto *a = own(g, sizeof *a);
    onnx__attribute_proto__init(a);
    a->name = og_str(g, "%s", name);
    a->has_type = 1;
    a->type = type;
    Onnx__AttributeProto **list = own(g, (n->n_attribute + 1) * sizeof *list);
    if (n->n_attribute)
        memcpy(list, n->attribute, n->n_attribute * sizeof *list);
    list[n->n_attribute++] = a;
    n->attribute = list;
    return a;
}

void og_attr_int(OnnxGraph *g, Onnx__NodeProto *n, const char *name, int64_t v)
{
    Onnx__AttributeProto *a = attr(g, n, name, ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INT);
    a->has_i = 1;
    a->i = v;
}

void og_attr_float(OnnxGraph *g, Onnx__NodeProto *n, const char *name, float v)
{
    Onnx__AttributeProto *a = attr(g, n, name, ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOAT);
    a->has_f = 1;
    a->f = v;
}

void og_attr_ints(OnnxGraph *g, Onnx__NodeProto *n, const char *name, const int64_t *v,
                  int count)
{
    Onnx__AttributeProto *a = attr(g, n, name, ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INTS);
    a->n_ints = (size_t)count;
    a->ints = own(g, (size_t)count * sizeof(int64_t));
    memcpy(a->ints, v, (size_t)count * sizeof(int64_t));
}

const char *og_tensor(OnnxGraph *g, const char *name, int type, int ndim, const int64_t *dims,
                      const void *data, size_t elem)
{
    Onnx__TensorProto *t = own(g, sizeof *t);
    onnx__tensor_proto__init(t);
    size_t count = 1;
    t->name = og_str(g, "%s", name);
    t->has_data_type = 1;
    t->data_type = type;
    t->n_dims = (size_t)ndim;
    t->dims = own(g, (size_t)ndim * sizeof(int64_t));
    for (int i = 0; i < ndim; i++)
        count *= (size_t)(t->dims[i] = dims[i]);
    t->has_raw_data = 1;
    t->raw_data.len = count * elem;
    t->raw_data.data = own(g, count * elem);
    memcpy(t->raw_data.data, data, count * elem); /* x86-64: already little-endian */
    Onnx__TensorProto **slot = GROW_PUSH(g->inits, g->ninits, g->capinits);
    QB_ASSERT(slot);
    *slot = t;
    return t->name;
}

const char *og_floats(OnnxGraph *g, const char *name, int ndim, const int64_t *dims,
                      const float *data)
{
    return og_tensor(g, name, ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT, ndim, dims, data,
                     sizeof(float));
}

const char *og_float1(OnnxGraph *g, const char *name, float v)
{
    return og_floats(g, name, 0, NULL, &v);
}

void og_io(OnnxGraph *g, int output, const char *name, int ndim, const int64_t *dims)
{
    Onnx__ValueInfoProto *v = own(g, sizeof *v);
    Onnx__TypeProto *t = own(g, sizeof *t);
    Onnx__TypeProto__Tensor *tt = own(g, sizeof *tt);
    Onnx__TensorShapeProto *s = own(g, sizeof *s);
    onnx__value_info_proto__init(v);
    onnx__type_proto__init(t);
    onnx__type_proto__tensor__init(tt);
    onnx__tensor_shape_proto__init(s);
    s->n_dim = (size_t)ndim;
    s->dim = own(g, (size_t)ndim * sizeof *s->dim);
    for (int i = 0; i < ndim; i++) {
        Onnx__TensorShapeProto__Dimension *d = own(g, sizeof *d);
        onnx__tensor_shape_proto__dimension__init(d);
        if (dims[i] < 0) {
            d->value_case = ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_PARAM;
            d->dim_param = og_str(g, "N");
        } else {
            d->value_case = ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE;
            d->dim_value = dims[i];
        }
        s->dim[i] = d;
    }
    tt->has_elem_type = 1;
    tt->elem_type = ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT;
    tt->shape = s;
    t->value_case = ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE;
    t->tensor_type = tt;
    v->name = og_str(g, "%s", name);
    v->type = t;
    *(output ? &g->output : &g->input) = v;
}

int og_write(OnnxGraph *g, const char *path, const char *producer, QbErr *err)
{
    QB_ASSERT(g->input && g->output);
    Onnx__GraphProto graph;
    Onnx__ModelProto model;
    Onnx__OperatorSetIdProto opset;
    Onnx__OperatorSetIdProto *opsets[1] = {&opset};
    onnx__graph_proto__init(&graph);
    onnx__model_proto__init(&model);
    onnx__operator_set_id_proto__init(&opset);
    opset.domain = "";
    opset.has_version = 1;
    opset.version = ONNX_OPSET;
    graph.name = "qbench";
    graph.n_node = (size_t)g->nnodes;
    graph.node = g->nodes;
    graph.n_initializer = (size_t)g->ninits;
    graph.initializer = g->inits;
    graph.n_input = 1;
    graph.input = &g->input;
    graph.n_output = 1;
    graph.output = &g->output;
    model.has_ir_version = 1;
    model.ir_version = ONNX_IR_VERSION;
    model.n_opset_import = 1;
    model.opset_import = opsets;
    model.producer_name = (char *)producer;
    model.graph = &graph;
    size_t n = onnx__model_proto__get_packed_size(&model);
    uint8_t *buf = malloc(n ? n : 1);
    QB_ASSERT(buf);
    onnx__model_proto__pack(&model, buf);
    int rc = atomic_write(path, buf, n, err);
    free(buf);
    return rc;
}
