#include "chain.h"

#include <stdlib.h>
#include <string.h>

#include "core/grow.h"
#include "schema.h"

static int in_list(const int *list, int n, int v)
{
    for (int i = 0; i < n; i++)
        if (list[i] == v)
            return i;
    return -1;
}

static void bits_text(const int *bits, int n, char *out, size_t cap)
{
    size_t at = 0;
    out[0] = '\0';
    for (int i = 0; i < n && at < cap; i++)
        at += (size_t)snprintf(out + at, cap - at, i ? ", %d" : "%d", bits[i]);
}

static int read_scheme(YDoc *d, const YNode *n, const char *field, const Experiment *e,
                       ExpChain *c, QbErr *err)
{
    char known[1024];
    if (ydoc_str(d, n, field, c->scheme, sizeof c->scheme, err) < 0)
        return -1;
    if (!strcmp(c->scheme, "fp"))
        return ydoc_fail(d, n, field, err, "full precision is where a chain starts (train.from), "
                                           "not a link; expected a quantized scheme");
    if (!scheme_find(c->scheme)) {
        scheme_unknown(c->scheme, 0, known, sizeof known);
        return ydoc_fail(d, n, field, err, "%s", known);
    }
    for (int i = 0; i < e->nschemes; i++)
        if (!strcmp(e->schemes[i], c->scheme))
            return 0;
    return ydoc_fail(d, n, field, err, "scheme '%s' is not in matrix.schemes", c->scheme);
}

/* A cell of this scheme and bit-width that is already a link of a chain before c. */
static int earlier_chain(const Experiment *e, const ExpChain *c, const char *scheme, int bits)
{
    for (int i = 0; &e->chains[i] != c; i++)
        if (!strcmp(e->chains[i].scheme, scheme) &&
            in_list(e->chains[i].bits, e->chains[i].nbits, bits) >= 0)
            return i;
    return -1;
}

static int check_link_bits(YDoc *d, const YNode *n, const char *field, const Experiment *e,
                           const ExpChain *c, int k, QbErr *err)
{
    char list[64];
    int b = c->bits[k], prev = in_list(c->bits, k, b), other = earlier_chain(e, c, c->scheme, b);
    bits_text(e->bits, e->nbits, list, sizeof list);
    if (in_list(e->bits, e->nbits, b) < 0)
        return ydoc_fail(d, n, field, err, "%d bits is not in matrix.bits (%s)", b, list);
    if (prev >= 0)
        return ydoc_fail(d, n, field, err, "%d bits is already link %d of this chain: a chain "
                                           "that comes back to a bit-width is a cycle", b, prev + 1);
    if (other >= 0)
        return ydoc_fail(d, n, field, err, "%s at %d bits is already a link of progressive[%d]: "
                                           "a cell starts from one parent", c->scheme, b, other);
    for (int i = 0; i < e->nnets; i++)
        if (experiment_excluded(e, e->nets[i], c->scheme, b))
            return ydoc_fail(d, n, field, err, "%s at %d bits is excluded for %s "
                                               "(matrix.exclude): every link must be a cell",
                             c->scheme, b, e->nets[i]);
    return 0;
}

static int read_bits(YDoc *d, const YNode *n, const char *field, const Experiment *e,
                     ExpChain *c, QbErr *err)
{
    if (ydoc_want_seq(d, n, field, err) < 0)
        return -1;
    if (ydoc_seq_count(n) < 2 || GROW_RESERVE(c->bits, c->cap_bits, ydoc_seq_count(n)) < 0)
        return ydoc_fail(d, n, field, err, "expected at least 2 bit-widths in training order, "
                                           "e.g. [4, 3, 2]");
    for (int k = 0; k < ydoc_seq_count(n); k++) {
        char path[256];
        long long b;
        const YNode *x = ydoc_seq_at(d, n, k);
        ydoc_index(path, sizeof path, field, k);
        if (ydoc_int(d, x, path, 2, EXP_BITS_WIDEST, &b, err) < 0)
            return -1;
        c->bits[c->nbits++] = (int)b;
        if (check_link_bits(d, x, path, e, c, k, err) < 0)
            return -1;
    }
    return 0;
}

/* links: {B: {train: {...}, quant: {...}}}, each resolved onto the profile's base. */
static int read_links(YDoc *d, const YNode *m, const char *field, Experiment *e, int chain,
                      QbErr *err)
{
    static const char *const keys[] = {"train", "quant", NULL};
    const ExpChain *c = &e->chains[chain];
    if (ydoc_want_map(d, m, field, err) < 0)
        return -1;
    for (int i = 0; i < ydoc_map_count(m); i++) {
        char path[256], sub[300], list[64], *end;
        const char *key = ydoc_map_key(d, m, i);
        const YNode *v = ydoc_map_value(d, m, i), *n;
        long b = strtol(key, &end, 10);
        ydoc_field(path, sizeof path, field, key);
        bits_text(c->bits, c->nbits, list, sizeof list);
        if (*end || in_list(c->bits, c->nbits, (int)b) < 0)
            return ydoc_fail(d, v, path, err, "expected one of this chain's bit-widths (%s)", list);
        if (ydoc_want_map(d, v, path, err) < 0 || ydoc_check_keys(d, v, path, keys, err) < 0)
            return -1;
        ExpLinkConfig *l = GROW_PUSH(e->link_configs, e->nlink_configs, e->cap_link_configs);
        if (!l)
            return ydoc_fail(d, v, path, err, "too many links with their own settings");
        l->chain = chain;
        l->bits = (int)b;
        l->cfg = e->base;
        ydoc_field(sub, sizeof sub, path, "train");
        if ((n = ydoc_map_get(d, v, "train")) && ydoc_map_get(d, n, "from"))
            return ydoc_fail(d, ydoc_map_get(d, n, "from"), sub, err,
                             "a link starts from train.from (the first link) or from the previous "
                             "link's checkpoint; it has no `from` of its own");
        if (n && schema_apply(d, n, SCHEMA_TRAIN, sub, &l->cfg, err) < 0)
            return -1;
        ydoc_field(sub, sizeof sub, path, "quant");
        if ((n = ydoc_map_get(d, v, "quant")) && schema_apply(d, n, SCHEMA_QUANT, sub, &l->cfg, err) < 0)
            return -1;
    }
    return 0;
}

static int read_chain(YDoc *d, const YNode *n, const char *field, Experiment *e, QbErr *err)
{
    static const char *const keys[] = {"scheme", "bits", "start", "links", NULL};
    static const char *const required[] = {"scheme", "bits", NULL};
    char path[256];
    if (ydoc_want_map(d, n, field, err) < 0 || ydoc_check_keys(d, n, field, keys, err) < 0 ||
        ydoc_require(d, n, field, required, err) < 0)
        return -1;
    ExpChain *c = GROW_PUSH(e->chains, e->nchains, e->cap_chains);
    if (!c)
        return ydoc_fail(d, n, field, err, "too many chains");
    ydoc_field(path, sizeof path, field, "scheme");
    if (read_scheme(d, ydoc_map_get(d, n, "scheme"), path, e, c, err) < 0)
        return -1;
    ydoc_field(path, sizeof path, field, "bits");
    if (read_bits(d, ydoc_map_get(d, n, "bits"), path, e, c, err) < 0)
        return -1;
    const YNode *start = ydoc_map_get(d, n, "start");
    char from[8] = "last";
    ydoc_field(path, sizeof path, field, "start");
    if (start && ydoc_enum(d, start, path, "last|best", from, sizeof from, err) < 0)
        return -1;
    c->from_best = !strcmp(from, "best");
    const YNode *links = ydoc_map_get(d, n, "links");
    ydoc_field(path, sizeof path, field, "links");
    return links ? read_links(d, links, path, e, e->nchains - 1, err) : 0;
}

int chain_load(YDoc *d, const YNode *root, Experiment *e, QbErr *err)
{
    char field[128] = "progressive";
    const YNode *ps = ydoc_map_get(d, root, "profiles");
    char owner[32];
    const YNode *n = ydoc_extended_get(d, ps, e->profile, "progressive", NULL, owner,
                                       sizeof owner);
    if (n)
        snprintf(field, sizeof field, "profiles.%s.progressive", owner);
    else
        n = ydoc_map_get(d, root, "progressive");
    if (!n)
        return 0;
    if (ydoc_want_seq(d, n, field, err) < 0)
        return -1;
    if (ydoc_seq_count(n) < 1)
        return ydoc_fail(d, n, field, err, "expected at least one chain");
    for (int i = 0; i < ydoc_seq_count(n); i++) {
        char path[160];
        ydoc_index(path, sizeof path, field, i);
        if (read_chain(d, ydoc_seq_at(d, n, i), path, e, err) < 0)
            return -1;
    }
    return 0;
}

static const ExpChain *find_chain(const Experiment *e, const char *scheme, int bits, int *link,
                                  int *index)
{
    for (int i = 0; i < e->nchains; i++) {
        int k = strcmp(e->chains[i].scheme, scheme) ? -1
                                                    : in_list(e->chains[i].bits, e->chains[i].nbits, bits);
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
