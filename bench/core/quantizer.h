/* The quantizer interface, owned by the core: every method (uniform, PACT, LSQ, POT, POST,
 * APoT, ASQ) is one QuantizerOps table in its own file under quantizers/, which depends on
 * this header and never the reverse. conv2d and linear layers hold a weight and an
 * activation quantizer and call only what is declared here; so do the probe (the scale
 * op), the integer path (int_path) and the cost model (inference_cost). quantizers/README.md
 * is the method author's guide to this contract. Formulas:
 * quantizers/FORMULAS.md (cited as "FORMULAS.md §n"). */
#ifndef QB_QUANTIZER_H
#define QB_QUANTIZER_H

#include <stdint.h>

#include "arena.h"
#include "err.h"
#include "tensor.h"

struct Net;

typedef enum { QROLE_WEIGHT = 0, QROLE_ACT = 1 } QuantRole;

#define QOPT_MAX 8
#define QOPT_NAME_MAX 32

/* A method option as resolved from YAML or --set (e.g. "levels" = "codable"). */
typedef struct {
    char name[QOPT_NAME_MAX];
    char value[QOPT_NAME_MAX];
} QuantOption;

/* One option a method accepts, for validation and the generated docs. */
typedef struct {
    const char *name;
    const char *values;   /* "a|b|c" for an enum, "float" or "int" otherwise */
    const char *dflt;
    const char *help;
} QuantOptionSpec;

typedef struct Quantizer Quantizer;

/* Where one group (an output channel of a weight, a sample of an activation) stood in the
 * last forward: an input value x sits at u = (x − in_offset)/in_scale in the units of the
 * method's level set, is projected onto that set, and leaves as y = out_offset + out_scale·ℓ.
 * in_* and out_* differ only for methods that transform the input first (APoT weights:
 * in_offset = μ, in_scale = σ·α, out_scale = α). An affine grid has a non-zero offset. */
typedef struct {
    double in_scale, in_offset, out_scale, out_offset;
} QuantScale;

/* How a trained method's codes run on integer hardware (bench/int, `qbench intcheck`):
 * weights as sign + magnitude codes, activations as unsigned codes times one step. */
typedef enum {
    QINT_NONE = 0,   /* no integer path (the default) */
    QINT_UNIFORM,    /* integer codes times a step: one multiply per weight (LSQ, ASQ) */
    QINT_SHIFT,      /* each magnitude one power of two: a shift (POT) */
    QINT_SHIFT_ADD,  /* each magnitude a sum of a few powers of two: shift-adds (APoT) */
    QINT_SQRT2,      /* powers of sqrt(2): two shift accumulators or a table (POST) */
    /* Levels vᵀe of a basis over binary codes, e ∈ {−1, +1}^K for weights and {0, 1}^K for
     * activations (LQ-Net): dot products as popcounts of the codes' bit planes, combined by
     * the basis products. The method keeps the basis in the state buffer
     * "<prefix>.wq.basis" / "<prefix>.aq.basis", K floats per output channel (weights) or
     * per layer (activations), and its levels are computed in double from it. */
    QINT_BINARY_BASIS,
} QuantIntPath;

typedef struct {
    const char *name;
    unsigned roles;                 /* bit mask of (1u << QROLE_*) */
    int min_bits[2], max_bits[2];   /* per role */
    int signed_act;                 /* activations: also quantizes a signed input */
    int version;                    /* bump when the numerics change: it enters cell ids */
    const QuantOptionSpec *options; /* NULL-name terminated, may be NULL */
    QuantIntPath int_path[2];       /* per role; QINT_NONE (0) unless declared */
    /* Build time: allocate q->state, register parameters (group PGROUP_QUANT) and
     * buffers with the net under q->prefix; check q->opts. A parameter that the method's
     * recipe trains at another learning rate or weight decay than the quantizer group's
     * (train.quant_lr_mult, train.quant_weight_decay) gets its factors on both here, with
     * net_param_factors (net.h); the optimizer multiplies the group's values by them. One
     * that it trains with another optimizer (DAQ's Adam) names it with net_param_optimizer. */
    int (*plan)(Quantizer *q, struct Net *net, QbErr *err);
    /* Alloc time, run twice like LayerOps.bind: param views and batch-sized scratch. */
    void (*bind)(Quantizer *q, struct Net *net, Arena *act);
    /* First training call only: set parameters from data (FORMULAS.md §1.4's init rule). */
    void (*init)(Quantizer *q, const Tensor *x);
    /* Calibration before training (NULL: none). A fresh run whose net holds a quantizer with
     * this hook that is not yet initialised first runs calibration passes (train_calibrate):
     * evaluation-mode forwards of the full-precision network, every quantizer passing its
     * input through, over training batches 0, 1, ... of the first epoch. Such a quantizer
     * sees its input x (the weight, or the layer's input) of pass `index` and returns 1 to
     * see the next pass too, or 0 once it has set its values (parameters or buffers, so they
     * are checkpointed); the core then marks it initialised, so init never runs for it and
     * a resume never calibrates again. Outside a run (`qbench quantize`, tests) init stands
     * in. FAQ's percentile steps (FORMULAS.md §17.2). */
    int (*calibrate)(Quantizer *q, const Tensor *x, int index);
    /* y = Q(x). Weights: x is (K, C/g, kh, kw), per-channel means per K. Activations:
     * x is (N, C, H, W). May save what backward needs in its own scratch. */
    void (*forward)(Quantizer *q, const Tensor *x, Tensor *y);
    /* dx (+)= dQ/dx * dy (assign when add == 0) and accumulate parameter gradients.
     * dx is NULL when no input gradient is wanted (the net input). */
    void (*backward)(Quantizer *q, const Tensor *x, const Tensor *dy, Tensor *dx, int add);
    /* After each optimizer step (FORMULAS.md §1.5: keep scales positive). May be NULL. */
    void (*post_step)(Quantizer *q);
    /* Once per training step, after its backward and optimizer step, before post_step: update
     * state no gradient trains (checkpointed buffers; LQ-Net's basis, FORMULAS.md §15.3) from
     * what the step's training-mode forward saved. The step's forward and backward used the
     * state as it was; the parameters have moved by now, so save in the forward what the
     * update needs. An evaluation forward never leads to it, nor does a training forward
     * that no optimizer step follows (initialisation, `qbench intcheck`). May be NULL. */
    void (*step_update)(Quantizer *q);
    /* Normalised level set (weights in [-1,1], activations in [0,1]), ascending.
     * Writes at most cap entries and returns the full count (out may be NULL with cap 0),
     * or -1 with err when bits/options are unsupported. */
    int (*levels)(int bits, QuantRole role, const QuantOption *opts, int nopts, double *out,
                  int cap, QbErr *err);
    /* The planned quantizer's own level set, same contract without the error: differs from
     * levels() only where q->is_signed changes the range (a signed activation). NULL: the
     * levels() of its bits, role and options. Read it through quantizer_grid. */
    int (*grid)(const Quantizer *q, double *out, int cap);
    /* Group g's QuantScale after a forward (0 <= g < that forward's x->n). NULL when the
     * method is no scaled projection onto its levels (DoReFa's tanh) or does not say. */
    QuantScale (*scale)(const Quantizer *q, int g);
    /* Parameters and MACs per sample that the quantizer adds at inference beyond its layer
     * (ASQ: its adapter; FORMULAS.md §9.3). NULL: none (a step or clip folds into the layer). */
    void (*inference_cost)(const Quantizer *q, double *params, double *macs);
    void (*destroy)(Quantizer *q);
} QuantizerOps;

struct Quantizer {
    const QuantizerOps *ops;
    QuantRole role;
    int bits;
    int is_signed;        /* activations: signed range (a first layer's normalised input) */
    char prefix[80];      /* owning layer's name: params become "<prefix>.wq.step" etc. */
    Tensor shape;         /* shape only (data NULL): weight (K,C/g,kh,kw) or act (N,C,H,W) */
    QuantOption opts[QOPT_MAX];
    int nopts;
    float *initialised;   /* a 1-float buffer (checkpointed): a resume never re-inits */
    uint64_t seed;        /* run seed: a random init draws from rng_stream(seed, param name) */
    void *state;          /* method-owned, freed by destroy */
};

/* The value of option `name`: the one given in opts, else the method's declared default,
 * else NULL (an option the method does not declare). */
const char *quantizer_ops_opt(const QuantizerOps *ops, const QuantOption *opts, int nopts,
                              const char *name);
/* The same for a quantizer's own options. */
const char *quantizer_opt(const Quantizer *q, const char *name);
/* Writes q's level set (ops->grid, else ops->levels) into out[0..cap) and returns the full
 * count, -1 when the method refuses its own bits and options (it never does once planned). */
int quantizer_grid(const Quantizer *q, double *out, int cap);
/* Runs the method's destroy and frees q (NULL is a no-op). */
void quantizer_delete(Quantizer *q);

#endif
