/* Parameters (trainable tensors) and buffers (saved, not trained: BN running statistics,
 * quantizer state) with their parameter groups. Names follow torchvision
 * ("layer2.0.conv1.weight") so counts, overrides and checkpoints line up. */
#ifndef QB_PARAM_H
#define QB_PARAM_H

#include <stddef.h>

typedef enum {
    PGROUP_WEIGHT, /* conv and linear weights */
    PGROUP_BIAS,   /* conv and linear biases */
    PGROUP_BN,     /* batch-norm gamma and beta */
    PGROUP_QUANT,  /* quantizer steps, clips and adapter weights */
    PGROUP_COUNT
} ParamGroupId;

extern const char *const param_group_names[PGROUP_COUNT];

/* The optimizers (core/optim/optim.h steps them). A group's kind comes from the recipe
 * (`optimizer`); OPTIM_OF_GROUP, a parameter's default, means "its group's". */
typedef enum { OPTIM_OF_GROUP = -1, OPTIM_SGD, OPTIM_ADAM } OptimKind;

#define PARAM_NAME_MAX 112

typedef struct {
    char name[PARAM_NAME_MAX];
    ParamGroupId group;
    int ndim;
    int shape[4];
    size_t numel;
    /* The optimizer's factors for this parameter relative to its group's settings: it is
     * stepped with learning rate lr·lr_mult·lr_factor and weight decay weight_decay·wd_factor
     * (optim.h). 1 at registration; a quantizer gives its own parameter other values with
     * net_param_factors (the APoT CIFAR code's per-clip learning rates, FORMULAS.md §1.7). */
    float lr_factor, wd_factor;
    /* The optimizer that steps it: OPTIM_OF_GROUP (its group's) unless the method's recipe
     * trains it with another (net_param_optimizer: DAQ's Adam among SGD, FORMULAS.md §16.5),
     * with that optimizer's settings from the group (momentum; Adam's betas and eps). */
    OptimKind optim;
    /* Views into the net's param arena, valid after net_alloc. `state` holds the
     * optimizer's two slots (momentum, or Adam's m and v): state[0..numel) and
     * state[numel..2*numel). */
    float *w, *g, *state;
} Param;

typedef struct {
    char name[PARAM_NAME_MAX];
    size_t numel;
    float *data; /* valid after net_alloc */
} Buffer;

/* One group's contiguous storage: a group whose parameters all have factors 1 and the
 * group's optimizer is updated in one flat loop over it; a `factored` one in one loop per run
 * of neighbouring parameters with equal factors and optimizer. */
typedef struct {
    size_t n;
    float *w, *g, *state;
    int factored;   /* some parameter has a factor other than 1 or its own optimizer */
} ParamGroup;

#endif
