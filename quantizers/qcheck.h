/* The checks every quantizer method must pass, run in every role and bit-width the method
 * accepts, with default options and again with each value of each option it declares as a
 * choice (one option set at a time, the others at their defaults), and with a signed input
 * too when it quantizes one: its
 * level set, its forward on the grid its scale op describes, its answers to every declared
 * operation, and its input and parameter gradients against finite differences of the
 * straight-through surrogate its scale defines (qcheck_fd.c). One implementation serves
 * the registry tests (tests/quantizers/), which run it on every method, and
 * `qbench validate --method NAME --check`, which `make compare` runs on the new method
 * before it trains anything: a method that fails here would train to a number that looks
 * like a result. */
#ifndef QB_QCHECK_H
#define QB_QCHECK_H

#include "core/net.h"
#include "core/quantizer.h"

/* What to check; qcheck_method takes a mask of these. */
enum {
    QCHECK_LEVELS = 1u << 0,     /* ascending, unique, normalised; count independent of cap */
    QCHECK_FORWARD = 1u << 1,    /* outputs on the grid at the nearest level; Q(Q(x)) = Q(x) */
    QCHECK_FINITE = 1u << 2,     /* gradients finite; add == 0 assigns every input entry */
    QCHECK_OPS = 1u << 3,        /* grid, int_path and inference_cost answer consistently */
    QCHECK_INPUT_GRAD = 1u << 4, /* dL/dx against finite differences */
    QCHECK_PARAM_GRAD = 1u << 5, /* every parameter's gradient against finite differences */
    QCHECK_ALL = (1u << 6) - 1,
};

/* Runs `checks` on every case of ops. 0, or -1 with the first failure, its message naming
 * the case ("lsq activations 4 bits (signed): ...", "apot weights 3 bits with apot_clip_lr:
 * shared: ..."). *cases (NULL: not wanted) counts the (role, bits) cases that ran at default
 * options; the option values are walked over the same cases. A width that levels() refuses
 * under one option value (with a message) is skipped there. */
int qcheck_method(const QuantizerOps *ops, unsigned checks, int *cases, QbErr *err);

/* A net of one conv2d (k x k, cout outputs, stride 1, pad k/2) or, when k == 0, one linear
 * layer over input `in`, carrying wq and aq (either NULL; the layer takes them), allocated
 * for `batch` with input gradients: the quantizers planned and bound exactly as in
 * training, then driven directly. Parameters zero, init flags unset. -1 with err (free the
 * net). */
int qcheck_rig(Net *net, Dims in, int cout, int k, int batch, Quantizer *wq, Quantizer *aq,
               QbErr *err);

/* One case: a method in one role at one width under one option setting, and its levels()
 * there. */
typedef struct {
    const QuantizerOps *ops;
    QuantRole role;
    int bits;
    int is_signed;     /* activations: a signed input (a first layer's) */
    const QuantOption *opts; /* nopts options set (0: every option at its default) */
    int nopts;
    const double *lv;  /* n levels */
    int n;
    char who[160];     /* "lsq activations 4 bits (signed)", for messages */
} QCheckCase;

/* The case's quantizer on a rig, initialised on x and forwarded once in training mode.
 * Weights: a 3x3 conv's (5, 4, 3, 3) weight ~ N(0, 0.1²); activations: the input
 * (3, 8, 3, 3), |N(0, 1)| as after a ReLU, or N(0, 1) when signed. */
typedef struct {
    Net net;
    Quantizer *q;
    Tensor x, y;       /* x: the quantizer's input (the weight or the net input); y = Q(x) */
} QCheckRig;

int qcheck_open(QCheckRig *r, const QCheckCase *c, QbErr *err);
void qcheck_close(QCheckRig *r);
/* dx = Q'(x)·dy, with every parameter gradient zeroed first. */
void qcheck_backward(QCheckRig *r, const Tensor *x, const Tensor *dy, Tensor *dx);
/* x[0..n) ~ N(0, scale²), from rng_stream(seed, "test"). */
void qcheck_fill_normal(float *x, size_t n, uint64_t seed, float scale);

/* qcheck_fd.c: the gradients against finite differences (a method without a scale op,
 * DoReFa's tanh, has no surrogate: it passes with its gradients checked finite only). */
int qcheck_input_grad(const QCheckCase *c, QbErr *err);
int qcheck_param_grad(const QCheckCase *c, QbErr *err);

#endif
