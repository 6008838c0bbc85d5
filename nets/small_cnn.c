/* A small CNN for smoke runs and tests: three conv-bn-relu stages (16/32/64 x width
 * channels, max-pooling between them), global pooling and a linear classifier. */
#include "builder.h"
#include "registry.h"

int small_cnn_build(Net *net, const NetOptions *o, QbErr *err)
{
    Builder b;
    nb_begin(&b, net, err);
    int x = NET_INPUT;
    for (int s = 0; s < 3; s++) {
        char conv[16], bn[16], pool[16];
        snprintf(conv, sizeof conv, "conv%d", s + 1);
        snprintf(bn, sizeof bn, "bn%d", s + 1);
        snprintf(pool, sizeof pool, "pool%d", s + 1);
        x = nb_conv_bn(&b, conv, bn, x, (int)((16 << s) * o->width + 0.5f), 3, 1, 1, 1, 1);
        if (s < 2)
            x = nb_maxpool(&b, pool, x, 2, 2, 0);
    }
    nb_head(&b, x, o->classes, "fc");
    return nb_end(&b);
}
