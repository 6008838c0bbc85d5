/* libFuzzer target: the JSON reader through result_read, which loads a result file and
 * checks its format, status and metrics. */
#include <stdint.h>

#include "harness/result.h"
#include "lib/io.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[512];
    ResultSummary s;
    QbErr err = {{0}};
    fuzz_write("result.json", data, size);
    fuzz_path(path, sizeof path, "result.json");
    result_read(path, &s, &err);
    return 0;
}
