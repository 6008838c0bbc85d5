/* Quantization schemes (FORMULAS.md §8): the table mapping a scheme name to its weight and
 * activation methods, and scheme_apply, which attaches quantizers to every conv/linear layer
 * of a net under the first/last-layer policy (§1.3) and per-layer overrides. */
#ifndef QB_SCHEMES_H
#define QB_SCHEMES_H

#include <stddef.h>
#include <stdint.h>

#include "core/nametable.h"
#include "core/net.h"
#include "core/quantizer.h"

typedef struct {
    const char *name;
    const char *wmethod, *amethod;  /* registry names */
    const char *paper_row;
    /* The activation method that quant.asq_first_layer puts on the first layer's input as
     * well (ASQ's schemes: asq, FORMULAS.md §1.3); NULL: the scheme takes no such setting. */
    const char *first_input;
} Scheme;

#define SCHEME_NAME_MAX 32

/* Per-layer override; the first one whose pattern matches a layer wins. */
typedef struct {
    char pattern[LAYER_NAME_MAX];  /* exact layer name or fnmatch glob ("layer1.*") */
    int bits;                      /* 0: keep the layer's bit-widths */
    char scheme[SCHEME_NAME_MAX];  /* "": keep; "fp": leave the layer float; else a scheme */
} LayerOverride;

/* Full precision: the pseudo-scheme that quantizes nothing (an experiment's baseline row, an
 * override leaving a layer float). It is no entry of the scheme table, as no methods are looked
 * up for it; every place that names it or recognises it does so through these two. */
#define SCHEME_FP "fp"
int scheme_is_fp(const char *name);

/* The first/last-layer policies' names (SchemeOptions.first_last). */
extern const NameTable scheme_first_last_names;

typedef struct {
    /* NULL or "lsq8": first and last layer LSQ 8-bit weights and input (FORMULAS.md §1.3);
     * "fp": leave them float; "apot_ref": 8-bit max-scaled weights only (APoT's code). */
    const char *first_last;
    int asq_first_layer;           /* ASQ schemes: 8-bit signed ASQ on the first layer's input */
    int wbits, abits;              /* 0: both take scheme_apply's `bits` */
    const QuantOption *opts;       /* method options; each goes to the methods declaring it */
    int nopts;
    const LayerOverride *overrides;
    int noverrides;
    uint64_t seed;                 /* run seed, for random quantizer inits (ASQ's adapter) */
} SchemeOptions;

/* The scheme table's names (core/nametable.h); method names are schemes too (scheme_find). */
NameTable scheme_table(void);
/* The scheme called `name`, or NULL. A registered method name that is not a scheme name
 * (e.g. "post", "dorefa") acts as the scheme: that method where it applies, LSQ elsewhere. */
const Scheme *scheme_find(const char *name);
int scheme_count(void);
const Scheme *scheme_at(int i);
/* Whether the scheme's methods take `bits` (each method's own min_bits/max_bits and level
 * constraints, through quantizer_new): 0, or -1 with the method's message. */
int scheme_bits_check(const Scheme *s, int bits, QbErr *err);
/* Whether an entry of the scheme table puts the method called `method` on some layer (as its
 * weight or activation method); a method no entry uses is a scheme only by its own name. */
int scheme_table_uses(const char *method);
/* "lsq, lsq+pot, ..." into out. */
void scheme_names(char *out, size_t cap);
/* The message for a name scheme_find does not know, into out: "unknown scheme 'X'; expected
 * [fp, ]a scheme (lsq, ...) or a registered method (uniform, ...)" (each method is a scheme
 * too), and the nearest of those names when one is near ("; did you mean 'lsq'?", or that
 * names are lower case). with_fp: where "fp" (full precision) is also accepted. */
void scheme_unknown(const char *name, int with_fp, char *out, size_t cap);

/* Whether the method option called `option` can reach a layer of a net under `scheme` and o:
 * some method the scheme, the first/last-layer policy, ASQ's first-layer input, the signed-input
 * substitute or an override's scheme may put on a layer declares it. An experiment's options
 * apply to the cells they reach (the harness keeps only those in a cell's configuration), so
 * one file can set PACT's and APoT's options beside LSQ cells. */
int scheme_option_reaches(const char *scheme, const SchemeOptions *o, const char *option);

/* Attaches quantizers to every conv2d/linear layer of `net` (before net_alloc); o may be NULL
 * for the defaults. The first compute layer's input is signed when it is the net input.
 * Every option must be declared by some method in use and every override must match a
 * layer. On error (naming the scheme, layer or option) the net may be partly quantized:
 * free it. */
int scheme_apply(Net *net, const char *scheme, int bits, const SchemeOptions *o, QbErr *err);

#endif
