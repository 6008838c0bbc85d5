/* Softmax cross-entropy, mean over the batch, with optional label smoothing, and top-k
 * counting. Not a layer: the training loop calls it on the net's output. */
#ifndef QB_XENT_H
#define QB_XENT_H

#include "tensor.h"

/* logits: (N, K, 1, 1). Returns the mean loss; writes dL/dlogits into dlogits (assigns).
 * With smoothing e the target is (1-e) on the label plus e/K everywhere (PyTorch). */
float xent_forward(const Tensor *logits, const int *labels, float smoothing, Tensor *dlogits);
/* How many rows have their label within the k largest logits; equal logits rank by index,
 * as argmax picks the first. */
int xent_topk_hits(const Tensor *logits, const int *labels, int k);

#endif
