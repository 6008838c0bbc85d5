#include "builder.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void nb_begin(Builder *b, Net *net, QbErr *err)
{
    memset(b, 0, sizeof *b);
    b->net = net;
    b->err = err;
}

void nb_push(Builder *b, const char *fmt, ...)
{
    QB_ASSERT(b->depth < NB_DEPTH);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(b->parts[b->depth++], sizeof b->parts[0], fmt, ap);
    va_end(ap);
}

void nb_pop(Builder *b)
{
    QB_ASSERT(b->depth > 0);
    b->depth--;
}

int nb_end(Builder *b) { return b->failed ? -1 : 0; }

static void full_name(const Builder *b, const char *leaf, char *out, size_t n)
{
    size_t at = 0;
    out[0] = '\0';
    for (int i = 0; i < b->depth && at < n; i++)
        at += (size_t)snprintf(out + at, n - at, "%s.", b->parts[i]);
    if (at < n)
        snprintf(out + at, n - at, "%s", leaf);
}

/* Runs an adder unless an earlier call failed; remembers a failure. */
#define NB_CALL(b, leaf, call)                                                           \
    do {                                                                                 \
        if ((b)->failed)                                                                 \
            return -1;                                                                   \
        char name[LAYER_NAME_MAX];                                                       \
        full_name(b, leaf, name, sizeof name);                                           \
        int idx_ = (call);                                                               \
        if (idx_ < 0)                                                                    \
            (b)->failed = 1;                                                             \
        return idx_;                                                                     \
    } while (0)

int nb_conv(Builder *b, const char *leaf, int in, int cout, int k, int stride, int pad, int groups)
{
    Conv2dSpec s = {cout, k, stride, pad, groups, 0};
    NB_CALL(b, leaf, layer_conv2d(b->net, name, in, s, b->err));
}

int nb_bn(Builder *b, const char *leaf, int in, int relu)
{
    NB_CALL(b, leaf, relu ? layer_bn2d_relu(b->net, name, in, b->err)
                          : layer_bn2d(b->net, name, in, b->err));
}

int nb_relu6(Builder *b, const char *leaf, int in)
{
    NB_CALL(b, leaf, layer_relu6(b->net, name, in, b->err));
}

int nb_add(Builder *b, const char *leaf, int x, int y, int relu)
{
    NB_CALL(b, leaf, relu ? layer_add_relu(b->net, name, x, y, b->err)
                          : layer_add(b->net, name, x, y, b->err));
}

int nb_shortcut_a(Builder *b, const char *leaf, int in, int cout, int stride)
{
    NB_CALL(b, leaf, layer_shortcut_a(b->net, name, in, cout, stride, b->err));
}

int nb_maxpool(Builder *b, const char *leaf, int in, int k, int stride, int pad)
{
    NB_CALL(b, leaf, layer_maxpool(b->net, name, in, k, stride, pad, b->err));
}

static int nb_gap(Builder *b, int in) { NB_CALL(b, "avgpool", layer_gap(b->net, name, in, b->err)); }
static int nb_flatten(Builder *b, int in)
{
    NB_CALL(b, "flatten", layer_flatten(b->net, name, in, b->err));
}
static int nb_linear(Builder *b, const char *leaf, int in, int out)
{
    NB_CALL(b, leaf, layer_linear(b->net, name, in, out, 1, b->err));
}

int nb_head(Builder *b, int in, int classes, const char *fc_name)
{
    return nb_linear(b, fc_name, nb_flatten(b, nb_gap(b, in)), classes);
}

int nb_conv_bn(Builder *b, const char *conv, const char *bn, int in, int cout, int k, int stride,
               int pad, int groups, int relu)
{
    return nb_bn(b, bn, nb_conv(b, conv, in, cout, k, stride, pad, groups), relu);
}
