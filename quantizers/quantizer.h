/* The quantizer interface: every method (uniform, PACT, LSQ, POT, POST, APoT, ASQ) is one
 * QuantizerOps table in its own file; conv2d and linear layers hold a weight and an
 * activation quantizer and call only what is declared here. Formulas: shared spec
 * ../shared/spec/quantizers.md (cited as "spec §n"). */
#ifndef QB_QUANTIZER_H
#define QB_QUANTIZER_H

#include <stdint.h>

#include "../bench/core/arena.h"
#include "../bench/core/err.h"
#include "../bench/core/tensor.h"

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

typedef struct {
    const char *name;
    unsigned roles;                 /* bit mask of (1u << QROLE_*) */
    int min_bits[2], max_bits[2];   /* per role */
    int signed_act;                 /* activations: also quantizes a signed input */
    int version;                    /* bump when the numerics change: it enters cell ids */
    const QuantOptionSpec *options; /* NULL-name terminated, may be NULL */
    /* Build time: allocate q->state, register parameters (group PGROUP_QUANT) and
     * buffers with the net under q->prefix; check q->opts. */
    int (*plan)(Quantizer *q, struct Net *net, QbErr *err);
    /* Alloc time, run twice like LayerOps.bind: param views and batch-sized scratch. */
    void (*bind)(Quantizer *q, struct Net *net, Arena *act);
    /* First training call only: set parameters from data (spec's init rule). */
    void (*init)(Quantizer *q, const Tensor *x);
    /* y = Q(x). Weights: x is (K, C/g, kh, kw), per-channel means per K. Activations:
     * x is (N, C, H, W). May save what backward needs in its own scratch. */
    void (*forward)(Quantizer *q, const Tensor *x, Tensor *y);
    /* dx (+)= dQ/dx * dy (assign when add == 0) and accumulate parameter gradients.
     * dx is NULL when no input gradient is wanted (the net input). */
    void (*backward)(Quantizer *q, const Tensor *x, const Tensor *dy, Tensor *dx, int add);
    /* After each optimizer step (spec §1.5: keep scales positive). May be NULL. */
    void (*post_step)(Quantizer *q);
    /* Normalised level set (weights in [-1,1], activations in [0,1]), ascending.
     * Writes at most cap entries and returns the full count (out may be NULL with cap 0),
     * or -1 with err when bits/options are unsupported. */
    int (*levels)(int bits, QuantRole role, const QuantOption *opts, int nopts, double *out,
                  int cap, QbErr *err);
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

/* Looks up an option value, or NULL. */
const char *quantizer_opt(const Quantizer *q, const char *name);

#endif
