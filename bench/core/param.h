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

/* One group's contiguous storage: every update is one flat loop over it. */
typedef struct {
    size_t n;
    float *w, *g, *state;
} ParamGroup;

#endif
