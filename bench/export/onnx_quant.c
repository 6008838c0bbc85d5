/* Quantizers into QDQ subgraphs (onnx_quant.h). A grid is described by its normalised level
 * set (quantizer_grid) and the scale op's QuantScale: a level l of group g is worth
 * out_scale·l, so a level set whose members are integer multiples of one unit u is integer
 * codes l/u times the step out_scale·u. The codes are checked against the fake-quantized
 * tensor itself, bit for bit, so a model is never written with weights the network does not
 * compute with. */
#include "onnx_quant.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include "core/layers/layers.h"
#include "core/layers/qhooks.h"
#include "core/quantizer.h"

#define GRID_CAP 1024  /* more levels than any grid that fits int8 codes */
#define DYADIC_MAX 24  /* the finest power-of-two unit tried */

/* The unit u whose integer multiples are all of q's levels and the lowest and highest code
 * l/u, or a located error: equal spacing gives u = the spacing (uniform codes), else the
 * coarsest power of two that divides every level (POT, APoT). */
static int grid_unit(const Quantizer *q, const char *layer, double *unit, int *lo, int *hi,
                     QbErr *err)
{
    double lv[GRID_CAP];
    int n = quantizer_grid(q, lv, GRID_CAP);
    const char *what = q->role == QROLE_WEIGHT ? "weight" : "input";
    if (n < 2 || n > GRID_CAP)
        return qb_fail(err, "layer %s: its %s quantizer (%s, %d bits) has %d levels; ONNX "
                            "export takes at most %d", layer, what, q->ops->name, q->bits, n,
                       GRID_CAP);
    double gap = lv[1] - lv[0];
    int even = 1;
    for (int i = 2; i < n; i++)
        even &= fabs(lv[i] - lv[i - 1] - gap) <= 1e-9 * fabs(gap);
    *unit = even ? gap : 0;
    for (int e = 0; !*unit && e <= DYADIC_MAX; e++) {
        double u = ldexp(1.0, -e), worst = 0;
        for (int i = 0; i < n; i++)
            worst = fmax(worst, fabs(lv[i] / u - rint(lv[i] / u)));
        if (worst <= 1e-9) /* the first e that fits is the coarsest */
            *unit = u;
    }
    if (!*unit)
        return qb_fail(err, "layer %s: its %s quantizer (%s, %d bits) has levels that are no "
                            "integer multiples of one step (not uniform, and no power of two "
                            "down to 2^-%d divides them all); QuantizeLinear and "
                            "DequantizeLinear cannot hold them",
                       layer, what, q->ops->name, q->bits, DYADIC_MAX);
    *lo = (int)rint(lv[0] / *unit);
    *hi = (int)rint(lv[n - 1] / *unit);
    return 0;
}

/* The step of group g: out_scale·u, as the integer path forms it (a uniform grid's step is
 * out_scale / Qp in double, exactly the method's float step). */
static float group_step(const Quantizer *q, int g, double unit)
{
    double s = q->ops->scale(q, g).out_scale;
    double codes = rint(1.0 / unit);
    return (float)(fabs(1.0 / unit - codes) <= 1e-9 ? s / codes : s * unit);
}

/* A quantizer the exporter can write at all: a scaled projection, no inference-time extra. */
static int writable_quantizer(const Quantizer *q, const char *layer, QbErr *err)
{
    const char *what = q->role == QROLE_WEIGHT ? "weight" : "input";
    if (q->ops->inference_cost)
        return qb_fail(err, "layer %s: its %s quantizer (%s) computes its step at inference "
                            "(an adapter); the ONNX exporter does not write that subgraph",
                       layer, what, q->ops->name);
    if (!q->ops->scale)
        return qb_fail(err, "layer %s: its %s quantizer (%s) is no scaled projection onto its "
                            "levels (it has no scale op), so it has no ONNX form", layer, what,
                       q->ops->name);
    return 0;
}

int oq_input(OnnxGraph *g, const Layer *L, const char *x, const char **out, QbErr *err)
{
    const Quantizer *q = layer_input_quantizer(L);
    double unit;
    int qn, qp;
    *out = x;
    if (!q)
        return 0;
    if (writable_quantizer(q, L->name, err) < 0 || grid_unit(q, L->name, &unit, &qn, &qp, err) < 0)
        return -1;
    qn = -qn;
    QuantScale sc = q->ops->scale(q, 0);
    int is_u8 = qn == 0 && qp <= 255, is_i8 = qn <= 128 && qp <= 127;
    if (sc.in_scale != sc.out_scale || sc.in_offset != 0 || sc.out_offset != 0 ||
        (!is_u8 && !is_i8))
        return qb_fail(err, "layer %s: its input quantizer (%s, %d bits) is not a zero-offset "
                            "grid of at most 8 bits (codes %d..%d); QuantizeLinear cannot "
                            "hold it", L->name, q->ops->name, q->bits, -qn, qp);
    int type = is_u8 ? ONNX__TENSOR_PROTO__DATA_TYPE__UINT8 : ONNX__TENSOR_PROTO__DATA_TYPE__INT8;
    int8_t lo = (int8_t)-qn, hi8 = (int8_t)qp, zero = 0;
    uint8_t hi = (uint8_t)qp;
    const char *s = og_float1(g, og_str(g, "%s.aq.step", L->name), group_step(q, 0, unit));
    const char *zp = og_tensor(g, og_str(g, "%s.aq.zero", L->name), type, 0, NULL, &zero, 1);
    const char *lo_t = og_tensor(g, og_str(g, "%s.aq.lo", L->name), type, 0, NULL, &lo, 1);
    const char *hi_t = og_tensor(g, og_str(g, "%s.aq.hi", L->name), type, 0, NULL,
                                 is_u8 ? (const void *)&hi : (const void *)&hi8, 1);
    char *codes = og_str(g, "%s.aq.codes", L->name), *clipped = og_str(g, "%s.aq.clipped", L->name);
    og_node(g, "QuantizeLinear", (const char *[]){x, s, zp}, 3, codes);
    og_node(g, "Clip", (const char *[]){codes, lo_t, hi_t}, 3, clipped);
    *out = og_str(g, "%s.aq.out", L->name);
    og_node(g, "DequantizeLinear", (const char *[]){clipped, s, zp}, 3, *out);
    return 0;
}

/* The weight's ONNX shape from its param. */
static int weight_dims(const Param *p, int64_t *dims)
{
    for (int i = 0; i < p->ndim; i++)
        dims[i] = p->shape[i];
    return p->ndim;
}

/* Int8 codes of the fake-quantized weight wq (K groups of m), each checked to give back its
 * value exactly through the group's step; the first that does not is the error. */
static int weight_codes(const Quantizer *q, const Layer *L, const float *wq, double unit,
                        int8_t *codes, float *steps, QbErr *err)
{
    int K = q->shape.n;
    size_t m = (size_t)q->shape.c * q->shape.h * q->shape.w;
    for (int k = 0; k < K; k++) {
        QuantScale sc = q->ops->scale(q, k);
        steps[k] = group_step(q, k, unit);
        if (sc.out_offset != 0 || !(steps[k] > 0))
            return qb_fail(err, "layer %s: output channel %d's weight grid has offset %g and "
                                "step %g; DequantizeLinear needs offset 0 and a positive step",
                           L->name, k, sc.out_offset, steps[k]);
        for (size_t i = 0; i < m; i++) {
            float w = wq[(size_t)k * m + i], c = rintf(w / steps[k]);
            if (c * steps[k] != w || c < -128 || c > 127)
                return qb_fail(err, "layer %s: weight %zu of output channel %d (%.9g) is not "
                                    "an int8 code times the channel's step %.9g",
                               L->name, i, k, (double)w, (double)steps[k]);
            codes[(size_t)k * m + i] = (int8_t)c;
        }
    }
    return 0;
}

/* A weight whose levels are no int8 codes times one step per channel (POST's powers of sqrt(2),
 * POT at 4 bits and more: codes up to 2^(2^(b-1)-1)) is written as its fake-quantized float
 * values, the tensor the network computes with, and the model's notes say so. */
static int float_weight(OnnxGraph *g, const Layer *L, const Param *p, const float *wq,
                        const char **out)
{
    const Quantizer *q = layer_weight_quantizer(L);
    int64_t dims[4];
    int nd = weight_dims(p, dims);
    *out = og_floats(g, og_str(g, "%s.wq.values", L->name), nd, dims, wq);
    og_note(g, "layer %s: %s weights (%d bits) written as their fake-quantized float values "
               "(their levels are no int8 codes times one step per output channel)", L->name,
            q->ops->name, q->bits);
    return 0;
}

int oq_weight(OnnxGraph *g, Net *net, Layer *L, const char **out, QbErr *err)
{
    const Quantizer *q = layer_weight_quantizer(L);
    QuantHooks *h = L->ops->hooks(L);
    const Param *p = &net->params[h->w_param];
    int64_t dims[4];
    int nd = weight_dims(p, dims);
    double unit;
    int lo, hi;
    if (!q) {
        *out = og_floats(g, p->name, nd, dims, p->w);
        return 0;
    }
    if (writable_quantizer(q, L->name, err) < 0)
        return -1;
    QbErr ignored;
    if (grid_unit(q, L->name, &unit, &lo, &hi, &ignored) < 0 || lo < -128 || hi > 127)
        return float_weight(g, L, p, h->wq_data, out);
    int K = q->shape.n;
    int8_t *codes = malloc(p->numel);
    float *steps = malloc((size_t)K * sizeof *steps);
    int8_t *zeros = calloc((size_t)K, 1);
    QB_ASSERT(codes && steps && zeros);
    int rc = weight_codes(q, L, h->wq_data, unit, codes, steps, err);
    if (rc == 0) {
        int64_t k64 = K;
        const char *c = og_tensor(g, og_str(g, "%s.wq.codes", L->name),
                                  ONNX__TENSOR_PROTO__DATA_TYPE__INT8, nd, dims, codes, 1);
        const char *s = og_floats(g, og_str(g, "%s.wq.step", L->name), 1, &k64, steps);
        const char *z = og_tensor(g, og_str(g, "%s.wq.zero", L->name),
                                  ONNX__TENSOR_PROTO__DATA_TYPE__INT8, 1, &k64, zeros, 1);
        *out = og_str(g, "%s.wq.out", L->name);
        og_attr_int(g, og_node(g, "DequantizeLinear", (const char *[]){c, s, z}, 3, *out),
                    "axis", 0);
    }
    free(codes);
    free(steps);
    free(zeros);
    return rc;
}
