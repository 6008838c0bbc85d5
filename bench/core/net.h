/* Net: layers in topological order, their parameters and buffers, and the two arenas
 * (parameters; batch-sized activations) plus the per-thread workspace. Build (plan shapes,
 * register params) -> net_alloc (size once, allocate once) -> forward/backward per step
 * -> net_free. */
#ifndef QB_NET_H
#define QB_NET_H

#include "arena.h"
#include "err.h"
#include "core/kernels/prof.h"
#include "param.h"
#include "tensor.h"

typedef struct Net Net;
typedef struct Layer Layer;
struct Rng;

/* A layer's cost at batch 1 (FORMULAS.md §9.1). `compute` marks conv and linear, whose MACs make
 * the totals; other kinds report their elementwise work in `other_ops`. */
typedef struct {
    double macs;
    double other_ops;
    int compute;
    int wbits, abits;  /* 32 when unquantized */
} LayerCost;

/* What a kind's output sign is, for code that picks a signed or unsigned range for the
 * next layer's input quantizer (quantizers/schemes.c). */
typedef enum {
    LAYER_SIGN_ANY = 0,   /* may be negative (conv, linear, BN, a plain add) */
    LAYER_SIGN_NONNEG,    /* never negative (ReLU, and the kinds that fuse one) */
    LAYER_SIGN_OF_INPUT,  /* negative only where its first input is (pooling, flatten) */
} LayerSign;

struct QuantHooks;

/* A layer kind: one const table per kind, initialised by field name, every kind listed in
 * layer_kinds[] (layers/kinds.c). */
typedef struct {
    const char *kind;
    LayerSign out_sign;
    /* The step profile's sections (`qbench bench --profile`) its forward and backward time
     * goes to; PROF_OTHER unless given. conv2d's backward refines its own with nested ones. */
    ProfKind prof[2];
    /* The kind's quantizer hooks (conv2d, linear: a weight and an input quantizer), or NULL
     * for a kind that takes no quantizers. */
    struct QuantHooks *(*hooks)(Layer *L);
    /* Build time: check L->in_dims, set L->out_dims, register params and buffers.
     * A misfit names the layer and both shapes. */
    int (*plan)(Net *net, Layer *L, QbErr *err);
    /* Alloc time, run twice (measuring arena, then real): take views of params and any
     * batch-sized saved state from `act`, and raise L->ws_floats to the per-thread
     * workspace it needs. */
    void (*bind)(Net *net, Layer *L, Arena *act);
    void (*forward)(Net *net, Layer *L);
    /* Writes the input gradients (assigning or adding, per L->dx_add) and accumulates
     * parameter gradients. */
    void (*backward)(Net *net, Layer *L);
    /* Initialises its parameters and buffers as torchvision does (may be NULL). */
    void (*init)(Net *net, Layer *L, struct Rng *rng);
    void (*cost)(const Net *net, const Layer *L, LayerCost *c);
    /* After each optimizer step (quantizer positivity guards; may be NULL). */
    void (*post_step)(Net *net, Layer *L);
    /* Frees what cfg owns beyond itself (may be NULL). */
    void (*destroy)(Layer *L);
    /* All three or none (may be NULL): a per-image layer whose producer computes it image by
     * image, as each image of the producer's output is written and still in cache, instead
     * of in a pass of its own over the batch (batch norm after a convolution). In eval,
     * eval_begin readies the constants before the producer's forward and eval_image computes
     * image n, the layer's own forward then skipped (as inference engines fold batch norm);
     * in training, train_image does the per-image part of the layer's forward (batch norm's
     * plane sums) and the forward the rest. Called from any thread. */
    void (*eval_begin)(Net *net, Layer *L);
    void (*eval_image)(Net *net, Layer *L, int n);
    void (*train_image)(Net *net, Layer *L, int n);
    /* The kind calls its consumer's per-image part (net_epilogue, net_epilogue_image). */
    int runs_epilogue;
} LayerOps;

#define LAYER_NAME_MAX 64
#define NET_INPUT (-1)

struct Layer {
    const LayerOps *ops;
    char name[LAYER_NAME_MAX];
    int nin;
    int in[2];          /* producer layer indices; NET_INPUT for the net's input */
    Dims in_dims[2];
    Dims out_dims;
    void *cfg;          /* kind-specific config and state; calloc'd by the adder, freed by net_free */
    size_t ws_floats;   /* per-thread workspace, raised by bind */
    /* Views set by net_alloc. dx[i].data is NULL when no gradient is wanted (net input). */
    Tensor x[2], dx[2];
    int dx_add[2];      /* 0: first writer in backward order assigns; 1: adds */
    Tensor y, dy;
    /* Set by net_alloc: the layer this one computes per image (its only consumer, with
     * eval_image and train_image) or -1; and whether this one is so computed by its producer.
     * Bit-identical to the separate passes. */
    int epilogue, by_producer;
};

struct Net {
    Layer *layers;
    int nlayers, cap_layers;
    Param *params;
    int nparams, cap_params;
    Buffer *buffers;
    int nbuffers, cap_buffers;
    Dims in_dims;

    /* Set by net_alloc */
    int batch;
    int threads;
    int train;          /* 1: training mode (batch statistics, quantizer init) */
    int calibrating;    /* 1: a calibration pass (train_calibrate): quantizers pass their
                           inputs through, and those with a calibrate hook see them */
    int calib_index;    /* that pass's number, 0, 1, ... */
    Arena param_arena, act_arena;
    ParamGroup groups[PGROUP_COUNT];
    float *ws;          /* threads x ws_per_thread floats */
    size_t ws_per_thread;
    Tensor input;       /* batch x in_dims: the caller fills it before net_forward */
    int want_input_grad; /* set before net_alloc: keep dL/d(input) in input_grad */
    Tensor input_grad;
    float *buffer_block;
    size_t buffer_floats;
};

void net_init(Net *net, Dims in_dims);
/* Appends a layer; runs its plan. Returns its index, or -1 with err naming the layer. */
int net_add_layer(Net *net, const LayerOps *ops, const char *name, int nin, const int *in,
                  void *cfg, QbErr *err);
/* Registers a parameter (during plan); returns its index. */
int net_add_param(Net *net, const char *name, ParamGroupId group, int ndim, const int *shape);
/* Gives parameter `idx` its own optimizer factors relative to its group's learning rate and
 * weight decay (Param.lr_factor, wd_factor; both finite and >= 0, asserted). */
void net_param_factors(Net *net, int idx, float lr_factor, float wd_factor);
/* Gives parameter `idx` its own optimizer (Param.optim), or back its group's with
 * OPTIM_OF_GROUP; with net_param_factors it sets a method's optimizer group. */
void net_param_optimizer(Net *net, int idx, OptimKind kind);
int net_add_buffer(Net *net, const char *name, size_t numel);
/* Output dims of a producer index (NET_INPUT or a layer). */
Dims net_dims_of(const Net *net, int idx);

/* Sizes and allocates both arenas and the workspace for `batch` samples. Parameters are
 * zero; builders initialise them afterwards with net_init_params. */
int net_alloc(Net *net, int batch, int threads, QbErr *err);
/* Runs the next steps on the first n <= batch samples (a short last batch). */
void net_set_batch(Net *net, int n);
/* Calls every layer's init in order with one stream (deterministic for a seed). */
void net_init_params(Net *net, struct Rng *rng);
void net_post_step(Net *net);
void net_forward(Net *net);
/* 0 when L's forward is skipped: in eval, its producer computed it (net_epilogue). */
int net_runs_forward(const Net *net, const Layer *L);
/* The layer L computes image by image after its own (L->epilogue), in eval with its
 * eval_begin already run; NULL when there is none. */
Layer *net_epilogue(Net *net, const Layer *L);
/* E's part for image n (eval_image or train_image, by the net's mode); E may be NULL. */
void net_epilogue_image(Net *net, Layer *E, int n);
/* Backward from the last layer's dy (the caller fills it, e.g. xent_forward). */
void net_backward(Net *net);
void net_zero_grad(Net *net);
const Tensor *net_output(const Net *net);
Tensor *net_output_grad(Net *net);
Param *net_param(Net *net, const char *name);
Buffer *net_buffer(Net *net, const char *name);
int layer_find(const Net *net, const char *name);
size_t net_param_count(const Net *net);
void net_free(Net *net);

/* Per-thread workspace of thread `thread` (inside an OpenMP region of a pass); a thread
 * outside the count the net was allocated for is an internal error, reported and fatal. */
float *net_workspace(Net *net, int thread);

#endif
