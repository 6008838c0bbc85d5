#include "chain.h"

#include <stdlib.h>
#include <string.h>

static const ExpChain *find_chain(const Experiment *e, const char *scheme, int bits, int *link,
                                  int *index)
{
    for (int i = 0; i < e->nchains; i++) {
        int k = strcmp(e->chains[i].scheme, scheme) ? -1
                                                    : exp_chain_index(&e->chains[i], bits);
        if (k >= 0) {
            *link = k;
            *index = i;
            return &e->chains[i];
        }
    }
    return NULL;
}

int chain_link(const Experiment *e, const char *scheme, int bits)
{
    int link, index;
    return find_chain(e, scheme, bits, &link, &index) ? link : -1;
}

int chain_parent_bits(const Experiment *e, const char *scheme, int bits)
{
    int link, index;
    const ExpChain *c = find_chain(e, scheme, bits, &link, &index);
    return c && link > 0 ? c->bits[link - 1] : 0;
}

const RunConfig *chain_base(const Experiment *e, const char *scheme, int bits)
{
    int link, index;
    if (!find_chain(e, scheme, bits, &link, &index))
        return &e->base;
    for (int i = 0; i < e->nlink_configs; i++)
        if (e->link_configs[i].chain == index && e->link_configs[i].bits == bits)
            return &e->link_configs[i].cfg;
    return &e->base;
}

int chain_from_best(const Experiment *e, const char *scheme, int bits)
{
    int link, index;
    return find_chain(e, scheme, bits, &link, &index) && e->chains[index].from_best;
}

void chain_link_cells(const Experiment *e, CellList *l)
{
    for (int i = 0; i < l->n; i++) {
        Cell *c = &l->cells[i];
        int pb = c->bits ? chain_parent_bits(e, c->scheme, c->bits) : 0;
        for (int j = 0; pb && j < l->n; j++) {
            Cell *p = &l->cells[j];
            if (p->bits == pb && p->seed == c->seed && !strcmp(p->net, c->net) &&
                !strcmp(p->scheme, c->scheme)) {
                c->parent = j;
                c->from_best = chain_from_best(e, c->scheme, c->bits);
                p->children++;
                p->best_children += c->from_best;
            }
        }
    }
}

/* The settings in which a link differs from the base, as "weight decay 3e-05, lr 0.01". */
static size_t link_changes(const RunConfig *b, const RunConfig *l, char *out, size_t cap)
{
    const struct {
        const char *what;
        double base, link;
    } f[] = {{"lr", b->lr, l->lr},
             {"epochs", b->epochs, l->epochs},
             {"weight decay", b->weight_decay, l->weight_decay},
             {"batch-norm and bias decay", b->bn_weight_decay, l->bn_weight_decay},
             {"quantizer decay", b->quant_weight_decay, l->quant_weight_decay},
             {"quantizer lr multiplier", b->quant_lr_mult, l->quant_lr_mult}};
    size_t n = 0;
    for (size_t i = 0; i < sizeof f / sizeof f[0] && n < cap; i++)
        if (f[i].base != f[i].link)
            n += (size_t)snprintf(out + n, cap - n, "%s%s %g", n ? ", " : "", f[i].what, f[i].link);
    return n;
}

void chain_describe(const Experiment *e, char *out, size_t cap)
{
    size_t n = 0;
    int best = 0;
    for (int i = 0; i < e->nchains; i++)
        best += e->chains[i].from_best;
    int mixed = best && best < e->nchains;
    out[0] = '\0';
    for (int i = 0; i < e->nchains && n < cap; i++) {
        const ExpChain *c = &e->chains[i];
        n += (size_t)snprintf(out + n, cap - n, "%s %s", i ? ";" : "Progressive:", c->scheme);
        for (int k = 0; k < c->nbits && n < cap; k++)
            n += (size_t)snprintf(out + n, cap - n, "%s%d", k ? " -> " : " ", c->bits[k]);
        n += (size_t)snprintf(out + n, cap - n, " bits%s",
                              mixed && c->from_best ? " (marked)" : "");
        for (int k = 0; k < e->nlink_configs && n < cap; k++) {
            const ExpLinkConfig *l = &e->link_configs[k];
            char changes[256];
            if (l->chain == i && link_changes(&e->base, &l->cfg, changes, sizeof changes))
                n += (size_t)snprintf(out + n, cap - n, ", at %d bits %s", l->bits, changes);
        }
    }
    if (e->nchains && n < cap)
        snprintf(out + n, cap - n, "; each link starts from the previous link's %s, the first "
                 "from the start above. ", !best ? "final checkpoint" : mixed
                 ? "final checkpoint (marked chains: its best test epoch's weights)"
                 : "weights at its best test epoch");
}
