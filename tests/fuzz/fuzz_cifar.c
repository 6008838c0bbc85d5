/* libFuzzer target: the CIFAR-10 binary reader, the input being a test_batch.bin. */
#include <stdint.h>

#include "core/data/dataset.h"
#include "lib/io.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    Dataset d;
    QbErr err = {{0}};
    fuzz_write("test_batch.bin", data, size);
    if (dataset_open(&d, "cifar10", fuzz_dir(), DATA_TEST, &err) == 0)
        dataset_free(&d);
    return 0;
}
