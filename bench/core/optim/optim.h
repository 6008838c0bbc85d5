/* Optimizers over parameter groups: SGD with momentum (optionally Nesterov) and Adam, each
 * group with its own learning-rate multiplier and weight decay (PyTorch semantics: decay
 * is added to the gradient). The update is one flat loop per group. */
#ifndef QB_OPTIM_H
#define QB_OPTIM_H

#include "core/net.h"

typedef enum { OPTIM_SGD, OPTIM_ADAM } OptimKind;

typedef struct {
    OptimKind kind;
    float lr_mult;
    float weight_decay;
    float momentum;     /* SGD */
    int nesterov;       /* SGD */
    float beta1, beta2, eps; /* Adam */
} GroupOptim;

typedef struct {
    GroupOptim group[PGROUP_COUNT];
    long step;          /* completed steps (Adam's bias correction; checkpointed) */
} Optimizer;

/* SGD momentum 0.9, the given weight decay on every group, lr_mult 1. */
void optim_defaults(Optimizer *o, float weight_decay);
/* One step with base learning rate lr, then the net's post-step hooks. */
void optim_step(Optimizer *o, Net *net, float lr);
/* Parses "sgd" / "adam"; returns -1 if unknown. */
int optim_kind_parse(const char *s, OptimKind *out);

#endif
