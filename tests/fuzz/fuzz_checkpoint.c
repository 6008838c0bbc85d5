/* libFuzzer target: checkpoint_load into a small_cnn, resuming (optimizer state too) or
 * starting from weights as the first byte says. The rest is the file, with its trailing
 * CRC-32 recomputed: a mutation would otherwise almost always stop at the checksum, and the
 * point is the parser behind it. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "core/checkpoint.h"
#include "lib/fixtures.h"
#include "lib/io.h"

static Net net;
static Optimizer opt;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    fuzz_net_build(&net);
    optim_defaults(&opt, 0.0f);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    CkptMode mode = data[0] & 1 ? CKPT_WEIGHTS : CKPT_RESUME;
    size_t n = size - 1;
    unsigned char *file = malloc(n + 1);
    memcpy(file, data + 1, n);
    if (n >= 4) {
        uint32_t crc = (uint32_t)crc32(0L, file, (uInt)(n - 4));
        memcpy(file + n - 4, &crc, 4);
    }
    fuzz_write("net.ckpt", file, n);
    free(file);
    char path[512];
    CkptMeta meta = {0};
    QbErr err = {{0}};
    fuzz_path(path, sizeof path, "net.ckpt");
    if (checkpoint_load(path, &net, mode == CKPT_RESUME ? &opt : NULL, &meta, mode, &err) == 0)
        ckpt_meta_free(&meta);
    return 0;
}
