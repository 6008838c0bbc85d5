#include "fixtures.h"

#include <stdio.h>
#include <stdlib.h>

#include "core/rng.h"
#include "core/threads.h"
#include "nets/registry.h"
#include "tests/support/idxw.h"

size_t fuzz_idx_bytes(unsigned char *out, int labels)
{
    size_t at = idx_header(out, labels, FUZZ_IDX_COUNT, 28, 28);
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
