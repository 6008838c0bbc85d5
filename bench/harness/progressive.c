#include "progressive.h"

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
    if (scheme_is_fp(c->scheme))
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
            exp_chain_index(&e->chains[i], bits) >= 0)
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
        if (*end || exp_chain_index(c, (int)b) < 0)
            return ydoc_fail(d, v, path, err, "expected one of this chain's bit-widths (%s)", list);
        if (ydoc_want_map(d, v, path, err) < 0 || ydoc_check_keys(d, v, path, keys, err) < 0)
            return -1;
        ExpLinkConfig *l = GROW_PUSH(e->link_configs, e->nlink_configs, e->cap_link_configs);
        if (!l)
            return ydoc_fail(d, v, path, err, "too many links with their own settings");
        l->chain = chain;
        l->bits = (int)b;
        runcfg_copy(&l->cfg, &e->base);
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
    static const char *const starts[] = {"last", "best"}; /* from_best: 0, 1 */
    const YNode *start = ydoc_map_get(d, n, "start");
    ydoc_field(path, sizeof path, field, "start");
    if (start && ydoc_enum(d, start, path, NAMETABLE_STRINGS(starts), &c->from_best, err) < 0)
        return -1;
    const YNode *links = ydoc_map_get(d, n, "links");
    ydoc_field(path, sizeof path, field, "links");
    return links ? read_links(d, links, path, e, e->nchains - 1, err) : 0;
}

int progressive_read(YDoc *d, const YNode *root, Experiment *e, QbErr *err)
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
