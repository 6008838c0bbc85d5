/* Questions asked of a loaded Experiment: where a chain has a link, whether the matrix
 * excludes a cell. Apart from the loader (experiment.c), so the progressive-chain reader
 * (progressive.c), which the loader calls, can ask them without depending back on it. */
#include "experiment.h"

#include <string.h>

int exp_chain_index(const ExpChain *c, int bits)
{
    for (int i = 0; i < c->nbits; i++)
        if (c->bits[i] == bits)
            return i;
    return -1;
}

int experiment_excluded(const Experiment *e, const char *net, const char *scheme, int bits)
{
    for (int i = 0; i < e->nexclude; i++) {
        const ExpExclude *x = &e->exclude[i];
        if ((!x->net[0] || !strcmp(x->net, net)) && (!x->scheme[0] || !strcmp(x->scheme, scheme)) &&
            (!x->bits || x->bits == bits))
            return 1;
    }
    return 0;
}
