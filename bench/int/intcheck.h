/* The integer-path check behind `qbench intcheck`: one linear layer fake-quantized by the real
 * quantizers, exactly as training runs it (intlayer.c), its tensors encoded, every integer
 * path run, checked against the float layer (intref.h) and its operations counted against a
 * uniform integer layer of the same shape and bit-widths (intcheck.c); LQ-Net's binary-basis
 * path has its own check (intbasis.c). */
#ifndef QB_INTCHECK_H
#define QB_INTCHECK_H

#include <stdint.h>

#include "nets/registry.h"
#include "intdot.h"
#include "intref.h"

/* POST's table gets this many fraction bits beyond the exact method's F by default (fewer
 * when its accumulator would not fit). */
#define INT_LUT_EXTRA_BITS 8

/* What a fake-quantized linear layer (k outputs, fan-in n, batch 1) computed. */
typedef struct {
    int k, n;
    float *w_hat;   /* k·n: Qw(W) */
    float *x_hat;   /* n: Qa(x) */
    float *y;       /* k: the layer's float32 output */
    float *wscale;  /* k: alpha_c or the LSQ step s_c (a per-layer scale repeated) */
    float step;     /* the activation step of this input (ASQ: s·beta) */
} IntLayerRun;

/* Builds the layer with weight method wmethod and activation method amethod (uniform: lsq or
 * asq), sets its weights to w (k·n), initialises the quantizers on a first forward of u, then
 * forwards u·s_a: u holds activation codes in step units, so Qa reproduces them. */
int int_layer_run(const char *wmethod, const char *amethod, int wbits, int abits, int k, int n,
                  const float *w, const float *u, IntLayerRun *r, QbErr *err);
void int_layer_run_free(IntLayerRun *r);
/* What one code of group g is worth in q's last forward: the step of a uniform grid (LSQ's s,
 * ASQ's s·beta), else the scale of the normalised level set (alpha). Exact in float: the
 * scale op forms out_scale as step·Qp in double. */
float int_code_scale(const Quantizer *q, int g);
/* The layer int_layer_run checks: one linear layer "fc" (k outputs, fan-in n, batch 1) with
 * the two methods' quantizers, allocated, in training mode. -1 with err (free the net). */
int int_layer_build(Net *net, const char *wmethod, const char *amethod, int wbits, int abits,
                    int k, int n, QbErr *err);

typedef struct {
    const char *wmethod;   /* pot, post or apot */
    const char *amethod;   /* lsq or asq */
    int wbits, abits, k, n;
    int lut_frac;          /* POST table's G; < 0 for the default (INT_LUT_EXTRA_BITS) */
    uint64_t seed;
    const float *weights;  /* k·n weights, or NULL to draw them from N(0, 2/n) */
} IntCheckSpec;

/* The layer's weights: s->weights, else N(0, 2/n) (bell-shaped, He scale) from s->seed. */
void int_draw_weights(const IntCheckSpec *s, float *w);

/* One integer path's outcome. */
typedef struct {
    IntOps ops;
    long codes;        /* weights whose code does not reproduce w_hat */
    long grid;         /* channels failing the grid check */
    long floatb;       /* channels outside the float bound */
    double float_rel;  /* largest |v − Σ x_hat·w_hat| / Σ|x_hat·w_hat| */
    double layer_rel;  /* the same for the layer's float32 output (informative) */
    int acc_bits;      /* accumulator width needed, sign included */
    long nnz;          /* non-zero weights */
} IntPath;

typedef struct {
    IntBook book;
    IntPath exact, uniform;  /* the method's exact path; the uniform baseline */
    IntPath lut;             /* POST only: ops, acc_bits; its error below */
    int has_lut, lut_frac, lut_rows, lut_cols, lut_entry_bits;
    IntLutErr lut_err;
    long lut_bad;            /* channels beyond the table's error bound */
    long act_codes;          /* activations not reproduced by their codes (both layers) */
    long mismatches;         /* every count above */
    double float_bound;      /* int_ref_float_bound(n) */
} IntCheckReport;

/* Errors name the `qbench intcheck` flag at fault (--wbits, --abits, --n, --lut-frac). */
int int_check_run(const IntCheckSpec *s, IntCheckReport *r, QbErr *err);

/* The binary-basis path (intbasis.c, QINT_BINARY_BASIS: LQ-Net, FORMULAS.md §15.6). */
typedef struct {
    long w_codes, a_codes;  /* values no code of the basis reproduces bit for bit */
    long floatb;            /* channels outside the float bound */
    double float_rel;       /* largest |v − Σ x_hat·w_hat| / Σ|x_hat·w_hat| */
    long long words;        /* AND + popcount of 64-bit words */
    long long bitops;       /* one-bit products: K_w·K_a·n per output */
    long long rescale;      /* multiply-adds combining the popcounts by the basis products */
    int updates;            /* basis updates before the check: the levels are learned ones */
    int nonuniform;         /* channels whose weight levels are no uniform grid */
} IntBasisReport;

/* Both methods must declare QINT_BINARY_BASIS (for the role each quantizes). The layer's
 * weights and post-ReLU inputs are drawn from s->seed (or the weights taken from s), its
 * bases moved off their initial grid by `updates` training steps of the quantizers' own
 * update, then the evaluation forward is encoded into codes, run as popcounts and checked
 * against the float layer. Errors name the flag at fault. */
int int_basis_check(const IntCheckSpec *s, int updates, IntBasisReport *r, QbErr *err);
/* Whether ops declares the binary-basis path for role. */
int int_has_basis_path(const QuantizerOps *ops, QuantRole role);

/* A trained conv2d/linear layer to check instead of random weights (intckpt.c). */
typedef struct {
    const char *path, *net, *layer;
    NetOptions net_opts;      /* must match the checkpoint's net (input, classes, width) */
    const char *scheme;       /* attached before loading, so a checkpoint trained with it loads */
    int wbits, abits;
} IntCkptSpec;

typedef struct {
    float *w;                 /* k·n, owned: free() */
    int k, n;                 /* output channels; fan-in C/g·kh·kw */
} IntLayerWeights;

int int_layer_weights(const IntCkptSpec *s, IntLayerWeights *out, QbErr *err);

#endif
