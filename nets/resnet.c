/* torchvision ResNet-18/34 (basic blocks), with an optional small-image stem: a 3x3
 * stride-1 first conv and no max-pool, the usual change for 32x32 inputs. */
#include "builder.h"
#include "registry.h"

static int basic_block(Builder *b, int x, int cin, int cout, int stride)
{
    int y = nb_conv_bn(b, "conv1", "bn1", x, cout, 3, stride, 1, 1, 1);
    y = nb_conv_bn(b, "conv2", "bn2", y, cout, 3, 1, 1, 1, 0);
    int sc = x;
    if (stride != 1 || cin != cout)
        sc = nb_conv_bn(b, "downsample.0", "downsample.1", x, cout, 1, stride, 0, 1, 0);
    return nb_add(b, "add", y, sc, 1);
}

int resnet_build(Net *net, const int blocks[4], const NetOptions *o, QbErr *err)
{
    Builder b;
    nb_begin(&b, net, err);
    int small = o->small_stem < 0 ? o->input.h < 64 : o->small_stem;
    int c = (int)(64 * o->width + 0.5f);
    int x = small ? nb_conv_bn(&b, "conv1", "bn1", NET_INPUT, c, 3, 1, 1, 1, 1)
                  : nb_conv_bn(&b, "conv1", "bn1", NET_INPUT, c, 7, 2, 3, 1, 1);
    if (!small)
        x = nb_maxpool(&b, "maxpool", x, 3, 2, 1);
    for (int s = 0; s < 4; s++) {
        int cout = (int)((64 << s) * o->width + 0.5f);
        for (int i = 0; i < blocks[s]; i++) {
            nb_push(&b, "layer%d", s + 1);
            nb_push(&b, "%d", i);
            x = basic_block(&b, x, c, cout, s > 0 && i == 0 ? 2 : 1);
            nb_pop(&b);
            nb_pop(&b);
            c = cout;
        }
    }
    nb_head(&b, x, o->classes, "fc");
    return nb_end(&b);
}
