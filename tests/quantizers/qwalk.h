/* The registry walk shared by the tests that serve any method: every registered method and
 * the unregistered template (quantizers/affine_template.c), in every role and bit-width it
 * accepts with default options, and for a signed input too when it quantizes one. A method
 * added to the table is tested by these unchanged. */
#ifndef QB_QWALK_H
#define QB_QWALK_H

#include "qtest.h"

#define QWALK_LEVELS_CAP 1024

typedef struct {
    const QuantizerOps *ops;
    QuantRole role;
    int bits;
    int is_signed;     /* activations: a signed input (first layer) */
    const double *lv;  /* levels() at default options, n of them */
    int n;
    char who[96];      /* "lsq activations 4 bits (signed)", for messages */
} QCase;

typedef void (*QCaseFn)(const QCase *c);
void qwalk(QCaseFn fn);

/* One case's quantizer on a rig, initialised on x and forwarded once in training mode.
 * Weights: a 3x3 conv's (5, 4, 3, 3) weight ~ N(0, 0.1²); activations: input (3, 8, 3, 3),
 * |N(0, 1)| as after a ReLU, or N(0, 1) when signed. */
typedef struct {
    QRig r;
    Quantizer *q;
    Tensor x, y;       /* x: the quantizer's input (the weight param or the net input) */
} QWalkRig;

void qwalk_open(QWalkRig *w, const QCase *c);
void qwalk_close(QWalkRig *w);

#endif
