/* QuantHooks: what a conv2d or linear layer needs to run fake-quantized. The layer stays
 * one kind; when quantizers are attached it computes with Qw(W) and Qa(x) and routes both
 * gradients back through them (FORMULAS.md §1.1). The core sees only the QuantizerOps interface. */
#ifndef QB_QHOOKS_H
#define QB_QHOOKS_H

#include "core/quantizer.h"
#include "core/net.h"

typedef struct QuantHooks {
    Quantizer *wq, *aq;  /* owned: freed by qhooks_destroy */
    int w_param;         /* the layer's weight param index */
    float *wq_data;      /* Qw(W), weight-sized */
    float *dwq;          /* dL/dQw(W), weight-sized */
    Tensor xq, dxq;      /* Qa(x) and dL/dQa(x), batch-sized */
} QuantHooks;

/* Takes ownership of wq and aq (either may be NULL) and runs their plans. */
int qhooks_attach(QuantHooks *h, Net *net, Layer *L, Tensor wshape, Quantizer *wq,
                  Quantizer *aq, QbErr *err);
void qhooks_bind(QuantHooks *h, Net *net, Layer *L, Arena *act);
/* The weight and input the layer computes with (quantized or the originals). */
const float *qhooks_weight_forward(QuantHooks *h, Net *net);
const Tensor *qhooks_input_forward(QuantHooks *h, Net *net, Layer *L);
/* Where the layer writes dL/dW: the param grad directly when unquantized (accumulate), or
 * dwq, which qhooks_weight_backward then routes through Qw. */
float *qhooks_weight_grad(QuantHooks *h, Net *net, int *add);
void qhooks_weight_backward(QuantHooks *h, Net *net);
/* Where the layer writes dL/d(input): L->dx[0] directly, or dxq routed by
 * qhooks_input_backward. *add says whether to accumulate. */
Tensor *qhooks_input_grad(QuantHooks *h, Layer *L, int *add);
void qhooks_input_backward(QuantHooks *h, Layer *L);
void qhooks_post_step(QuantHooks *h);
void qhooks_cost_bits(const QuantHooks *h, LayerCost *lc);
void qhooks_destroy(QuantHooks *h);

/* How many quantizers of the net have a calibrate hook and are not yet initialised
 * (quantizer.h); *first names the first one's layer when there is one (first may be NULL). */
int net_calibrations_pending(const Net *net, const char **first);

/* L's hooks when its kind takes quantizers (LayerOps.hooks), else NULL. */
QuantHooks *layer_hooks(const Layer *L);

#endif
