/* The networks qbench trains, in one table: name -> builder, default input and classes.
 * Builders only build (plan shapes, register params); the caller runs net_alloc and then
 * net_init_params. */
#ifndef QB_NETS_REGISTRY_H
#define QB_NETS_REGISTRY_H

#include <stddef.h>

#include "core/nametable.h"
#include "core/net.h"

typedef struct {
    Dims input;      /* (C, H, W) of one sample */
    int classes;
    float width;     /* channel multiplier */
    char shortcut;   /* CIFAR ResNets: 'b' 1x1-conv projection (default), 'a' zero padding */
    int small_stem;  /* ResNet-18/34: 1 = 3x3 stride-1 first conv, no max-pool; -1 = auto
                        (small when the input is under 64 pixels high) */
} NetOptions;

typedef struct {
    const char *name;
    int (*build)(Net *net, const NetOptions *o, QbErr *err);
    Dims input;      /* the paper setting */
    int classes;
    const char *help;
    const char *title;  /* the network as papers name it: "ResNet-18" */
} NetEntry;

/* The CIFAR ResNets' shortcut kinds by name ("a", "b"; NetOptions.shortcut is the letter). */
extern const NameTable net_shortcut_names;

/* Defaults: 3x32x32, 10 classes, width 1, shortcut b, small_stem auto. */
void net_options_defaults(NetOptions *o);
/* net_init + the named builder. Unknown names list the known ones. */
int net_build(Net *net, const char *name, const NetOptions *o, QbErr *err);
const NetEntry *net_entry(const char *name);
/* The table's names (core/nametable.h). */
NameTable net_table(void);
/* "resnet20, resnet32, ..." into out, for messages and usage. */
void net_names(char *out, size_t cap);
/* "unknown network 'X'; expected one of: resnet20, ..." and the nearest name, into out. */
void net_unknown(const char *name, char *out, size_t cap);

/* Builders (one per file). */
int resnet_cifar_build(Net *net, int depth, const NetOptions *o, QbErr *err);
int resnet_build(Net *net, const int blocks[4], const NetOptions *o, QbErr *err);
int mobilenet_v2_build(Net *net, const NetOptions *o, QbErr *err);
int small_cnn_build(Net *net, const NetOptions *o, QbErr *err);

#endif
