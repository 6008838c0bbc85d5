/* The interface's own helpers (quantizer.h): option values with the method's defaults, a
 * planned quantizer's level set, and freeing; nothing here knows any method. */
#include "quantizer.h"

#include <stdlib.h>
#include <string.h>

const char *quantizer_ops_opt(const QuantizerOps *ops, const QuantOption *opts, int nopts,
                              const char *name)
{
    for (int i = 0; i < nopts; i++)
        if (strcmp(opts[i].name, name) == 0)
            return opts[i].value;
    for (const QuantOptionSpec *s = ops->options; s && s->name; s++)
        if (strcmp(s->name, name) == 0)
            return s->dflt;
    return NULL;
}

const char *quantizer_opt(const Quantizer *q, const char *name)
{
    return quantizer_ops_opt(q->ops, q->opts, q->nopts, name);
}

int quantizer_grid(const Quantizer *q, double *out, int cap)
{
    if (q->ops->grid)
        return q->ops->grid(q, out, cap);
    QbErr err;
    return q->ops->levels(q->bits, q->role, q->opts, q->nopts, out, cap, &err);
}

void quantizer_delete(Quantizer *q)
{
    if (!q)
        return;
    if (q->ops->destroy)
        q->ops->destroy(q);
    free(q);
}
