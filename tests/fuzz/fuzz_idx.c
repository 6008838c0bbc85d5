/* libFuzzer target: the fmnist idx reader (zlib, then the idx headers and bodies). The first
 * byte picks the file the rest replaces, images or labels; the other one, in the same
 * directory, stays valid. */
#include <stdint.h>

#include "core/data/dataset.h"
#include "lib/fixtures.h"
#include "lib/io.h"

static const char *const names[2] = {"t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"};
static const char *const dirs[2] = {"images", "labels"};

/* libFuzzer calls this once: dirs[k] gets a valid file of the kind k does not fuzz. */
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    for (int k = 0; k < 2; k++) {
        char dir[512], name[600];
        unsigned char valid[FUZZ_IDX_MAX];
        fuzz_mkdir(dir, sizeof dir, dirs[k]);
        snprintf(name, sizeof name, "%s/%s", dirs[k], names[!k]);
        fuzz_write(name, valid, fuzz_idx_bytes(valid, !k));
    }
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    int labels = data[0] & 1;
    char dir[512], name[600];
    snprintf(name, sizeof name, "%s/%s", dirs[labels], names[labels]);
    fuzz_write(name, data + 1, size - 1);
    fuzz_path(dir, sizeof dir, dirs[labels]);
    Dataset d;
    QbErr err = {{0}};
    if (dataset_open(&d, "fmnist", dir, DATA_TEST, &err) == 0)
        dataset_free(&d);
    return 0;
}
