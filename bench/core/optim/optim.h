/* Optimizers over parameter groups: SGD with momentum (optionally Nesterov) and Adam, each
 * group with its own learning-rate multiplier and weight decay (PyTorch semantics: decay
 * is added to the gradient), and each parameter with its own factors on both (Param's
 * lr_factor, wd_factor; set by net_param_factors) and optionally its own optimizer kind
 * (Param.optim; net_param_optimizer). A group whose parameters all have factors 1 and the
 * group's kind is updated in one flat loop; a factored group (ParamGroup.factored) in one
 * loop per run of neighbouring parameters with equal factors and kind, with exactly the same
 * arithmetic. */
#ifndef QB_OPTIM_H
#define QB_OPTIM_H

#include "core/nametable.h"
#include "core/net.h"

typedef struct {
    OptimKind kind;     /* never OPTIM_OF_GROUP */
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
/* One step with base learning rate lr, then the net's post-step hooks. Parameter p of group
 * g moves with learning rate lr·group[g].lr_mult·p.lr_factor and weight decay
 * group[g].weight_decay·p.wd_factor, by its own kind (p.optim) when it has one, else by the
 * group's; either way with the group's momentum and Adam betas and eps. */
void optim_step(Optimizer *o, Net *net, float lr);
/* The optimizers by OptimKind: name (as settings spell it) and title (as text names it). */
typedef struct {
    const char *name, *title;
} OptimKindInfo;
extern const OptimKindInfo optim_kinds[];
/* Their names, in OptimKind order (the settings table's accepted values). */
extern const NameTable optim_kind_names;
/* Parses "sgd" / "adam"; returns -1 if unknown. */
int optim_kind_parse(const char *s, OptimKind *out);

#endif
