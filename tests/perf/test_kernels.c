/* `qbench bench --kernels`: one line per ResNet-20 stage shape with the three kernels' rates,
 * or the line that says the build has no direct kernels. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "core/kernels/dconv.h"
#include "tests/support/shell.h"

Test(bench_kernels, prints_every_shape_or_says_there_are_no_kernels)
{
    char out[4096];
    cr_assert_eq(qbench_run(".", "bench --kernels --iters 1", out, sizeof out), 0, "%s", out);
    if (!dconv_supported(16, 16, 3, 1, 1, 1)) {
        cr_assert(strstr(out, "no direct kernels"), "%s", out);
        return;
    }
    static const char *const shapes[] = {"16 channels 32x32", "32 channels 16x16",
                                          "64 channels  8x8", "16 channels 28x28",
                                          "32 channels 14x14", "64 channels  7x7"};
    for (size_t i = 0; i < sizeof shapes / sizeof shapes[0]; i++)
        cr_assert(strstr(out, shapes[i]), "no line for %s in:\n%s", shapes[i], out);
    double f, w, d;
    const char *line = strstr(out, "kernels 16 channels 32x32");
    cr_assert_eq(sscanf(line, "kernels 16 channels 32x32 forward %lf weight gradient %lf "
                              "data gradient %lf", &f, &w, &d), 3, "%s", line);
    cr_assert(f > 0 && w > 0 && d >= 0, "%s", line); /* d is a difference of two timings */
}
