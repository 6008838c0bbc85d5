#include "registry.h"

#include <stdio.h>
#include <string.h>

static int build_resnet20(Net *n, const NetOptions *o, QbErr *e) { return resnet_cifar_build(n, 20, o, e); }
static int build_resnet32(Net *n, const NetOptions *o, QbErr *e) { return resnet_cifar_build(n, 32, o, e); }
static int build_resnet56(Net *n, const NetOptions *o, QbErr *e) { return resnet_cifar_build(n, 56, o, e); }

static int build_resnet18(Net *n, const NetOptions *o, QbErr *e)
{
    static const int blocks[4] = {2, 2, 2, 2};
    return resnet_build(n, blocks, o, e);
}

static int build_resnet34(Net *n, const NetOptions *o, QbErr *e)
{
    static const int blocks[4] = {3, 4, 6, 3};
    return resnet_build(n, blocks, o, e);
}

static const NetEntry nets[] = {
    {"resnet20", build_resnet20, {3, 32, 32}, 10, "CIFAR ResNet-20 (16/32/64 channels, 3x3 blocks)",
     "ResNet-20"},
    {"resnet32", build_resnet32, {3, 32, 32}, 10, "CIFAR ResNet-32", "ResNet-32"},
    {"resnet56", build_resnet56, {3, 32, 32}, 10, "CIFAR ResNet-56", "ResNet-56"},
    {"resnet18", build_resnet18, {3, 224, 224}, 1000, "torchvision ResNet-18", "ResNet-18"},
    {"resnet34", build_resnet34, {3, 224, 224}, 1000, "torchvision ResNet-34", "ResNet-34"},
    {"mobilenet_v2", mobilenet_v2_build, {3, 224, 224}, 1000, "torchvision MobileNet-V2",
     "MobileNet-V2"},
    {"small_cnn", small_cnn_build, {1, 28, 28}, 10, "3-conv smoke-test CNN", "small CNN"},
};

static const char *const shortcuts[] = {"a", "b"};
const NameTable net_shortcut_names = NAMETABLE_STRINGS_INIT(shortcuts);

void net_options_defaults(NetOptions *o)
{
    memset(o, 0, sizeof *o);
    o->input = (Dims){3, 32, 32};
    o->classes = 10;
    o->width = 1.0f;
    o->shortcut = 'b';
    o->small_stem = -1;
}

NameTable net_table(void) { return NAMETABLE(nets, NetEntry, name); }

const NetEntry *net_entry(const char *name) { return nametable_find(net_table(), name); }

void net_names(char *out, size_t cap) { nametable_join(net_table(), ", ", NULL, out, cap); }

void net_unknown(const char *name, char *out, size_t cap)
{
    nametable_unknown(net_table(), "network", name, out, cap);
}

int net_build(Net *net, const char *name, const NetOptions *o, QbErr *err)
{
    const NetEntry *e = net_entry(name);
    if (!e) {
        char why[sizeof err->msg];
        net_unknown(name, why, sizeof why);
        return qb_fail(err, "%s", why);
    }
    if (o->classes < 1 || o->width <= 0.0f || o->input.c < 1 || o->input.h < 1 || o->input.w < 1)
        return qb_fail(err, "%s: bad options: input %dx%dx%d, %d classes, width %g", name,
                       o->input.c, o->input.h, o->input.w, o->classes, o->width);
    net_init(net, o->input);
    if (e->build(net, o, err) < 0) {
        net_free(net);
        return qb_wrap(err, "%s at input %dx%dx%d: ", name, o->input.c, o->input.h, o->input.w);
    }
    return 0;
}
