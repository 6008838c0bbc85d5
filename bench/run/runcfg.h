/* RunConfig: one training run fully resolved (model, data, schedule, quantization, outputs).
 * The CLI fills it from flags, the harness from a YAML cell; run.c executes it. */
#ifndef QB_RUNCFG_H
#define QB_RUNCFG_H

#include <stdint.h>

#include "../core/quantizer.h"
#include "../../quantizers/schemes.h"
#include "../core/optim/optim.h"
#include "../core/optim/sched.h"
#include "../core/tensor.h"

#define RUN_PATH_MAX 512
#define RUN_OVERRIDES_MAX 16

typedef struct {
    /* model */
    char net[32];
    Dims input;          /* 0 = the data set's */
    int classes;         /* 0 = the data set's */
    float width;
    char shortcut[4];    /* CIFAR ResNets: "a" or "b" */
    /* data */
    char data[16];       /* fmnist, cifar10, npy, synth */
    char data_dir[RUN_PATH_MAX];
    int crop_pad;        /* random crop padding; 0 = off */
    int flip;            /* random horizontal flip */
    int train_subset;    /* train on this many samples (fixed seeded choice); 0: all */
    /* schedule */
    int epochs, batch;           /* evaluation uses the same batch size */
    OptimKind optimizer;
    float lr, momentum, weight_decay;
    int nesterov;
    Schedule sched;      /* base_lr and epochs copied from lr and epochs */
    float label_smoothing;
    float bn_weight_decay;     /* weight decay of BN gamma/beta and biases */
    float quant_lr_mult;       /* learning-rate multiplier of quantizer parameters */
    float quant_weight_decay;  /* weight decay of quantizer parameters (spec 1.7: 1e-4) */
    uint64_t seed;
    int threads;
    /* quantization: scheme "" = full precision */
    char scheme[32];
    int wbits, abits;
    char first_last[16]; /* lsq8 (default), fp, apot_ref */
    int asq_first_layer; /* ASQ schemes: ASQ on the first layer's input too (spec 1.3) */
    QuantOption qopts[QOPT_MAX];
    int nqopts;
    LayerOverride overrides[RUN_OVERRIDES_MAX]; /* mixed precision (schemes.h) */
    int noverrides;
    char from[RUN_PATH_MAX];   /* start from these weights (a full-precision checkpoint) */
    /* outputs */
    char ckpt[RUN_PATH_MAX];   /* checkpoint written every epoch; resumed from when present */
    int resume;
    int progress;              /* 1: a progress bar (terminal); 0: one line per epoch */
} RunConfig;

/* The defaults of `qbench train` (documented in its --help). */
void runcfg_defaults(RunConfig *c);

#endif
