/* A whole trained network in integers (`qbench intrun`): built from a fake-quantized Net in
 * evaluation mode after one forward (so its quantizers hold their trained steps and Qw(W)),
 * it runs one image at a time with no float arithmetic after the input:
 * - every conv2d/linear takes its input as the activation codes of its own input quantizer
 *   (one uniform step per layer) and its weights as sign·integer magnitude of the method's
 *   book (intdot.h: uniform codes, POT/APoT sums of powers of two, POST's √2 powers split
 *   into an even and an odd accumulator), dot products into int32 accumulators, int64 where
 *   the width rule (int_acc_bits) says 32 bits may not hold them;
 * - the accumulators leave as fixed-point values with INT_NET_FRAC fraction bits through a
 *   per-channel multiplier (intfix.h) and an integer bias; a batch norm that follows is
 *   folded into that multiplier and bias (its eval-mode affine map), a fused ReLU is a clamp;
 * - residual adds, option-A shortcuts, max pooling and ReLU are integer operations on those
 *   values; average pooling is an integer sum and a rounded integer division;
 * - the next conv/linear requantizes them to its codes with a multiplier 2^-F/s_a and a
 *   clamp; the logits are the last layer's fixed-point values, argmax in integers.
 * Approximations against the fake-quantized float network: the multipliers' 31-bit
 * mantissas, rounding to F fraction bits after each layer and pooling, round-half-up where
 * the float network rounds half to even, midpoints rounded to 2^-F; the net's input is quantized in float exactly as
 * the first layer's quantizer does. Every one is counted by the per-layer code mismatches. */
#ifndef QB_INTNET_H
#define QB_INTNET_H

#include <stdint.h>

#include "core/net.h"
#include "intdot.h"
#include "intfix.h"

#define INT_NET_FRAC 16  /* F: fraction bits of the values between layers */

/* One conv2d or linear layer in integers. */
typedef struct {
    int k, n;                    /* output channels; fan-in per output (C/g·kh·kw) */
    int kh, kw, stride, pad, groups;
    int linear;
    int wbits, abits;
    const char *wmethod, *amethod;
    int32_t *w_even, *w_odd;     /* k·n: sign·mult, split by POST's exponent parity (w_odd
                                    NULL when the book has no odd magnitudes) */
    IntFix *m_even, *m_odd;      /* k: accumulator -> value multipliers (BN folded in) */
    int64_t *bias;               /* k: in units 2^-F */
    int64_t lo, hi;              /* the output clamp (a folded ReLU) */
    float step;                  /* what one unit of an input code is worth, s_a */
    IntFix in_fix;               /* 2^-F / s_a (a uniform grid) */
    int32_t qlo, qhi;            /* the input codes' range */
    /* A non-uniform input grid (POT, APoT activations): its levels as integers in units of
     * s_a (level j = alev[j]·s_a) and the values (units 2^-F) from which each next level is
     * the nearest; nlev = 0 for a uniform grid. */
    int nlev;
    int32_t *alev;
    int64_t *athr;
    int acc_bits, wide;          /* accumulator width; wide: int64 */
    long weight_codes_bad;       /* weights no code reproduced (expected 0) */
    long long nnz;
    IntOps ops;                  /* per image */
    int32_t *codes;              /* the last run's input codes (input numel) */
    long long code_mismatch, codes_compared;
    double max_fix_err;          /* largest multiplier error bound over its outputs, LSB */
} IntLayer;

typedef enum {
    IN_COMPUTE, IN_ALIAS, IN_RELU, IN_RELU6, IN_ADD, IN_ADD_RELU, IN_MAXPOOL, IN_AVGPOOL,
    IN_GAP, IN_SHORTCUT_A,
} IntNodeKind;

typedef struct {
    IntNodeKind kind;
    int layer;                   /* the Net layer */
    int src[2];                  /* producer nodes (NET_INPUT for the image) */
    Dims in, out;
    int64_t *v;                  /* out numel, units 2^-F (an alias's is its producer's) */
    IntLayer *c;                 /* IN_COMPUTE only */
    int pk, pstride, ppad;       /* pooling window; shortcut stride in pstride */
} IntNode;

typedef struct {
    Net *net;
    IntNode *nodes;              /* one per Net layer, same order */
    int n;
    int32_t *patch;              /* the largest fan-in */
    long long elem_ops;          /* per image: adds, compares and divisions outside conv/linear */
} IntNet;

/* Builds the integer network of net (evaluation mode, one forward run). One error naming the
 * layer and what is supported when a layer's kind or quantizer has no integer form here. */
int int_net_build(IntNet *in, Net *net, QbErr *err);
void int_net_free(IntNet *in);
/* Runs image x (the net's input dims, float) and returns the logits (classes values, units
 * 2^-F; owned by in). */
const int64_t *int_net_run(IntNet *in, const float *x);
/* Compares the last run's codes at every conv/linear with the fake-quantized network's
 * (its hooks' Qa(x) of image `image` of its last forward), adding to each layer's counts. */
void int_net_compare(IntNet *in, int image);
/* Index of the largest logit (the first on ties). */
int int_net_argmax(const int64_t *v, int n);

#endif
