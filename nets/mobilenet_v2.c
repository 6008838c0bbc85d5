/* torchvision MobileNet-V2 (Sandler et al. 2018) with its channel rounding. The classifier's
 * dropout is left out (it does not change shapes, counts or the quantizers' view), so the
 * linear layer keeps torchvision's name "classifier.1". */
#include "builder.h"
#include "registry.h"

/* torchvision's _make_divisible(v, 8): round to a multiple of 8, never more than 10% down. */
static int make_divisible(float v)
{
    int n = (int)(v + 4.0f) / 8 * 8;
    if (n < 8)
        n = 8;
    if (n < 0.9f * v)
        n += 8;
    return n;
}

/* conv -> bn -> relu6 named "<i>.0", "<i>.1" (ConvBNReLU's inner indices). */
static int conv_bn_relu6(Builder *b, const char *at, int x, int cout, int k, int stride, int groups)
{
    char conv[48], bn[48], act[48];
    snprintf(conv, sizeof conv, "%s.0", at);
    snprintf(bn, sizeof bn, "%s.1", at);
    snprintf(act, sizeof act, "%s.2", at);
    return nb_relu6(b, act, nb_conv_bn(b, conv, bn, x, cout, k, stride, (k - 1) / 2, groups, 0));
}

static int inverted_residual(Builder *b, int x, int cin, int cout, int stride, int t)
{
    int hidden = cin * t, y = x, at = 0;
    char name[16], bn[16];
    if (t != 1) {
        snprintf(name, sizeof name, "%d", at++);
        y = conv_bn_relu6(b, name, y, hidden, 1, 1, 1);
    }
    snprintf(name, sizeof name, "%d", at++);
    y = conv_bn_relu6(b, name, y, hidden, 3, stride, hidden);
    snprintf(name, sizeof name, "%d", at++);
    snprintf(bn, sizeof bn, "%d", at);
    y = nb_conv_bn(b, name, bn, y, cout, 1, 1, 0, 1, 0);
    return stride == 1 && cin == cout ? nb_add(b, "add", x, y, 0) : y;
}

int mobilenet_v2_build(Net *net, const NetOptions *o, QbErr *err)
{
    static const int cfg[7][4] = {{1, 16, 1, 1}, {6, 24, 2, 2}, {6, 32, 3, 2}, {6, 64, 4, 2},
                                  {6, 96, 3, 1}, {6, 160, 3, 2}, {6, 320, 1, 1}};
    Builder b;
    nb_begin(&b, net, err);
    int c = make_divisible(32 * o->width), f = 0;
    int last = make_divisible(1280 * (o->width > 1.0f ? o->width : 1.0f));
    nb_push(&b, "features");
    char at[16];
    snprintf(at, sizeof at, "%d", f++);
    int x = conv_bn_relu6(&b, at, NET_INPUT, c, 3, 2, 1);
    for (int r = 0; r < 7; r++) {
        int cout = make_divisible(cfg[r][1] * o->width);
        for (int i = 0; i < cfg[r][2]; i++) {
            nb_push(&b, "%d", f++);
            nb_push(&b, "conv");
            x = inverted_residual(&b, x, c, cout, i == 0 ? cfg[r][3] : 1, cfg[r][0]);
            nb_pop(&b);
            nb_pop(&b);
            c = cout;
        }
    }
    snprintf(at, sizeof at, "%d", f);
    x = conv_bn_relu6(&b, at, x, last, 1, 1, 1);
    nb_pop(&b);
    nb_head(&b, x, o->classes, "classifier.1");
    return nb_end(&b);
}
