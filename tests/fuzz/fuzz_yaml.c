/* libFuzzer target: the YAML experiment loader (libyaml document, typed accessors, schema),
 * without a profile and with the profile the seeds define. */
#include <stdint.h>

#include "harness/experiment.h"
#include "lib/io.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    Experiment e;
    char path[512];
    QbErr err = {{0}};
    fuzz_write("experiment.yaml", data, size);
    fuzz_path(path, sizeof path, "experiment.yaml");
    experiment_load(&e, path, "", &err);
    experiment_free(&e);
    experiment_load(&e, path, "quick", &err);
    experiment_free(&e);
    return 0;
}
