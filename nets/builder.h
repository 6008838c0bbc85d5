/* Network building blocks over the core's layer adders, with torchvision-style names made
 * from a prefix stack ("layer2" + "0" + "conv1" -> "layer2.0.conv1"). A builder records the
 * first error and turns every later call into a no-op, so builders read as straight lines
 * and check once at the end. */
#ifndef QB_NETS_BUILDER_H
#define QB_NETS_BUILDER_H

#include "core/layers/layers.h"

#define NB_DEPTH 8

typedef struct {
    Net *net;
    QbErr *err;
    int failed;
    char parts[NB_DEPTH][32];
    int depth;
} Builder;

void nb_begin(Builder *b, Net *net, QbErr *err);
void nb_push(Builder *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void nb_pop(Builder *b);
/* 0, or -1 when any call failed (err holds the first failure). */
int nb_end(Builder *b);

int nb_conv(Builder *b, const char *name, int in, int cout, int k, int stride, int pad,
            int groups);
int nb_bn(Builder *b, const char *name, int in, int relu);
int nb_relu6(Builder *b, const char *name, int in);
int nb_add(Builder *b, const char *name, int x, int y, int relu);
int nb_shortcut_a(Builder *b, const char *name, int in, int cout, int stride);
int nb_maxpool(Builder *b, const char *name, int in, int k, int stride, int pad);
/* global average pool, flatten and a linear classifier named `fc_name` */
int nb_head(Builder *b, int in, int classes, const char *fc_name);
/* conv (no bias) -> bn (-> relu when relu is set): the unit every net here is made of. */
int nb_conv_bn(Builder *b, const char *conv, const char *bn, int in, int cout, int k, int stride,
               int pad, int groups, int relu);

#endif
