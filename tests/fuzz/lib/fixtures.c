#include "fixtures.h"

#include <stdio.h>
#include <stdlib.h>

#include "../../../bench/core/rng.h"
#include "../../../bench/core/threads.h"
#include "../../../nets/registry.h"

static void put_be32(unsigned char *p, unsigned v)
{
    p[0] = (unsigned char)(v >> 24), p[1] = (unsigned char)(v >> 16);
    p[2] = (unsigned char)(v >> 8), p[3] = (unsigned char)v;
}

size_t fuzz_idx_bytes(unsigned char *out, int labels)
{
    size_t at = 0;
    put_be32(out, labels ? 0x801 : 0x803);
    put_be32(out + 4, FUZZ_IDX_COUNT);
    at = 8;
    if (!labels) {
        put_be32(out + 8, 28);
        put_be32(out + 12, 28);
        at = 16;
    }
    size_t body = labels ? FUZZ_IDX_COUNT : FUZZ_IDX_COUNT * 28 * 28;
    for (size_t i = 0; i < body; i++)
        out[at + i] = (unsigned char)(labels ? i % 10 : i * 7);
    return at + body;
}

void fuzz_net_build(Net *net)
{
    NetOptions o;
    QbErr err = {{0}};
    net_options_defaults(&o);
    o.input = (Dims){1, 8, 8};
    o.width = 0.125f;
    threads_set(1);
    if (net_build(net, "small_cnn", &o, &err) < 0 || net_alloc(net, 1, 1, &err) < 0) {
        fprintf(stderr, "fuzz: %s\n", err.msg);
        abort();
    }
    Rng r = rng_stream(1, "init");
    net_init_params(net, &r);
}
