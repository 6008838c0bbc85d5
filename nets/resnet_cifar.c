/* CIFAR-style ResNets (He et al. 2016, section 4.2): a 3x3 stem, three stages of (depth-2)/6
 * basic blocks at 16/32/64 x width channels, global pooling and one linear layer. The
 * stage-changing shortcut is a 1x1 conv + BN (option B, as the ASQ and APoT code build it;
 * FORMULAS.md §9.5) or parameter-free zero padding (option A). */
#include "builder.h"
#include "registry.h"

static int basic_block(Builder *b, int x, int cin, int cout, int stride, char shortcut)
{
    int y = nb_conv_bn(b, "conv1", "bn1", x, cout, 3, stride, 1, 1, 1);
    y = nb_conv_bn(b, "conv2", "bn2", y, cout, 3, 1, 1, 1, 0);
    int sc = x;
    if (stride != 1 || cin != cout) {
        sc = shortcut == 'a'
                 ? nb_shortcut_a(b, "shortcut", x, cout, stride)
                 : nb_conv_bn(b, "downsample.0", "downsample.1", x, cout, 1, stride, 0, 1, 0);
    }
    return nb_add(b, "add", y, sc, 1);
}

int resnet_cifar_build(Net *net, int depth, const NetOptions *o, QbErr *err)
{
    if ((depth - 2) % 6)
        return qb_fail(err, "CIFAR ResNet depth must be 6n+2, got %d", depth);
    if (o->shortcut != 'a' && o->shortcut != 'b')
        return qb_fail(err, "shortcut must be 'a' or 'b', got '%c'", o->shortcut);
    Builder b;
    nb_begin(&b, net, err);
    int c = (int)(16 * o->width + 0.5f);
    int x = nb_conv_bn(&b, "conv1", "bn1", NET_INPUT, c, 3, 1, 1, 1, 1);
    for (int s = 0; s < 3; s++) {
        int cout = (int)((16 << s) * o->width + 0.5f);
        for (int i = 0; i < (depth - 2) / 6; i++) {
            nb_push(&b, "layer%d", s + 1);
            nb_push(&b, "%d", i);
            x = basic_block(&b, x, c, cout, s > 0 && i == 0 ? 2 : 1, o->shortcut);
            nb_pop(&b);
            nb_pop(&b);
            c = cout;
        }
    }
    nb_head(&b, x, o->classes, "fc");
    return nb_end(&b);
}
