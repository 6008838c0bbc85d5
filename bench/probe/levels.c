/* levels_<bits>.dat at 3 and 4 bits: the normalised weight level sets of uniform, POT, POST
 * and APoT, straight from each method's `levels` op (default options). Rows
 * "method row level", one per level, `row` numbering the methods for the plot. */
#include <stdio.h>
#include <stdlib.h>

#include "quantizers/registry.h"
#include "figures.h"

static const char *const level_methods[] = {"uniform", "pot", "post", "apot"};
static const int level_bits[] = {3, 4};

static int method_rows(DatFile *d, const char *method, int row, int bits, QbErr *err)
{
    const QuantizerOps *ops = quantizer_find(method);
    QB_ASSERT(ops);
    int n = ops->levels(bits, QROLE_WEIGHT, NULL, 0, NULL, 0, err);
    if (n < 1)
        return qb_wrap(err, "levels of %s at %d bits: ", method, bits);
    double *lv = malloc(sizeof(double) * (size_t)n);
    QB_ASSERT(lv);
    ops->levels(bits, QROLE_WEIGHT, NULL, 0, lv, n, err);
    for (int i = 0; i < n; i++)
        dat_printf(d, "%s %d %.17g\n", method, row, lv[i]);
    free(lv);
    return 0;
}

int probe_levels(Probe *p, QbErr *err)
{
    for (size_t b = 0; b < sizeof level_bits / sizeof level_bits[0]; b++) {
        DatFile d;
        char name[DAT_NAME_MAX];
        snprintf(name, sizeof name, "levels_%d.dat", level_bits[b]);
        dat_begin(&d, name, "method row level");
        for (int m = 0; m < (int)(sizeof level_methods / sizeof level_methods[0]); m++)
            if (method_rows(&d, level_methods[m], m, level_bits[b], err) < 0) {
                dat_discard(&d);
                return -1;
            }
        if (probe_commit(p, &d, err) < 0)
            return -1;
    }
    return 0;
}
