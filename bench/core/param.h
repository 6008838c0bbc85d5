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

/* One group's contiguous storage: a group whose parameters all have factors 1 is updated
 * in one flat loop over it; a `factored` one in one loop per run of neighbouring parameters
 * with equal factors. */
typedef struct {
    size_t n;
    float *w, *g, *state;
    int factored;   /* some parameter of the group has a factor other than 1 */
} ParamGroup;

#endif
