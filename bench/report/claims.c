/* Loading and validating experiments/claims.yaml (see claims.h). */
#include "claims.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "quantizers/registry.h"
#include "harness/ydoc.h"

static const char *const claim_keys[] = {"id", "claim", "source", "note", "quantity",
                                         "experiment", "net", "bits", "method", "versus",
                                         "claimed", "threshold", "paper", "paper_note", "data",
                                         NULL};
static const char *const claim_required[] = {"id", "claim", "source", "method", "versus",
                                             "bits", "claimed", "threshold", NULL};

/* A string field of the claim (optional when not required). */
static int claim_str(YDoc *d, const YNode *m, const char *field, const char *key, char *out,
                     size_t cap, QbErr *err)
{
    char path[256];
    const YNode *n = ydoc_map_get(d, m, key);
    ydoc_field(path, sizeof path, field, key);
    return n ? ydoc_str(d, n, path, out, cap, err) : 0;
}

static int shift_method(const char *name)
{
    const Scheme *s = scheme_find(name);
    const char *w = s ? s->wmethod : name;
    return !strcmp(w, "pot") || !strcmp(w, "post") || !strcmp(w, "apot");
}

/* method and versus: schemes of the matrix (or fp); for operation counts a shift-weight
 * method against "uniform". */
static int check_scheme(YDoc *d, const YNode *m, const char *field, const char *key,
                        const Claim *c, QbErr *err)
{
    char path[256], known[512];
    const char *name = !strcmp(key, "method") ? c->method : c->versus;
    const YNode *n = ydoc_map_get(d, m, key);
    ydoc_field(path, sizeof path, field, key);
    if (c->quantity == CLAIM_INT_OPS) {
        int ok = !strcmp(key, "method") ? shift_method(name) : !strcmp(name, "uniform");
        return ok ? 0 : ydoc_fail(d, n, path, err, "operation counts compare a method with "
                                  "shift weights (pot, post, apot or a scheme using them) "
                                  "against uniform; got '%s'", name);
    }
    if (!strcmp(name, "fp") || scheme_find(name))
        return 0;
    scheme_names(known, sizeof known);
    return ydoc_fail(d, n, path, err, "unknown scheme '%s'; expected fp or one of: %s", name,
                     known);
}

static int read_paper(YDoc *d, const YNode *m, const char *field, Claim *c, QbErr *err)
{
    static const char *const keys[] = {"method", "versus", NULL};
    char path[256], sub[256];
    const YNode *p = ydoc_map_get(d, m, "paper"), *n;
    c->paper_method = c->paper_versus = NAN;
    if (!p)
        return 0;
    ydoc_field(path, sizeof path, field, "paper");
    if (ydoc_want_map(d, p, path, err) < 0 || ydoc_check_keys(d, p, path, keys, err) < 0)
        return -1;
    ydoc_field(sub, sizeof sub, path, "method");
    if ((n = ydoc_map_get(d, p, "method")) && ydoc_float(d, n, sub, -1e12, 1e12, &c->paper_method, err) < 0)
        return -1;
    ydoc_field(sub, sizeof sub, path, "versus");
    if ((n = ydoc_map_get(d, p, "versus")) && ydoc_float(d, n, sub, -1e12, 1e12, &c->paper_versus, err) < 0)
        return -1;
    return 0;
}

static int experiment_index(ClaimSet *cs, const char *dir, const char *name, YDoc *d,
                            const YNode *n, const char *field, QbErr *err)
{
    for (int i = 0; i < cs->nexps; i++)
        if (!strcmp(cs->exps[i].name, name))
            return i;
    if (cs->nexps == CLAIM_EXPS_MAX)
        return ydoc_fail(d, n, field, err, "at most %d experiments", CLAIM_EXPS_MAX);
    char path[1024];
    snprintf(path, sizeof path, "%s/%s.yaml", dir, name);
    QbErr inner;
    if (experiment_load(&cs->exps[cs->nexps], path, cs->profile, &inner) < 0)
        return ydoc_fail(d, n, field, err, "experiment '%s' does not load: %s", name, inner.msg);
    return cs->nexps++;
}

/* The cell (net, scheme, bits) must be one the experiment's matrix measures. */
static int check_cell(YDoc *d, const YNode *n, const char *field, const Experiment *e,
                      const char *net, const char *scheme, int bits, QbErr *err)
{
    int has_net = 0, has_scheme = 0, has_bits = !strcmp(scheme, "fp");
    for (int i = 0; i < e->nnets; i++)
        has_net |= !strcmp(e->nets[i], net);
    for (int i = 0; i < e->nschemes; i++)
        has_scheme |= !strcmp(e->schemes[i], scheme);
    for (int i = 0; i < e->nbits; i++)
        has_bits |= e->bits[i] == bits;
    if (has_net && has_scheme && has_bits &&
        (!strcmp(scheme, "fp") || !experiment_excluded(e, net, scheme, bits)))
        return 0;
    return ydoc_fail(d, n, field, err, "%s %s%s%.0d%s is not a cell of %s (profile %s): no "
                     "experiment result can measure this claim", net, scheme,
                     strcmp(scheme, "fp") ? " " : "", strcmp(scheme, "fp") ? bits : 0,
                     strcmp(scheme, "fp") ? "-bit" : "", e->path, e->profile);
}

static int read_quantity(YDoc *d, const YNode *m, const char *field, Claim *c, QbErr *err)
{
    char path[256], s[16] = "top1";
    const YNode *n = ydoc_map_get(d, m, "quantity");
    ydoc_field(path, sizeof path, field, "quantity");
    if (n && ydoc_enum(d, n, path, "top1|top5|block_error|int_ops", s, sizeof s, err) < 0)
        return -1;
    c->quantity = !strcmp(s, "top1") ? CLAIM_TOP1 : !strcmp(s, "top5") ? CLAIM_TOP5
                  : !strcmp(s, "block_error") ? CLAIM_BLOCK_ERROR : CLAIM_INT_OPS;
    return 0;
}

/* experiment and net name the cells of accuracy claims, and of block-error claims (whose
 * probe data counts only when measured on those cells); operation counts need neither. */
static int read_cells(ClaimSet *cs, const char *dir, YDoc *d, const YNode *m, const char *field,
                      Claim *c, QbErr *err)
{
    char path[256], exp[64] = "";
    const YNode *en = ydoc_map_get(d, m, "experiment");
    c->exp = -1;
    if (c->quantity == CLAIM_INT_OPS)
        return en || ydoc_map_get(d, m, "net")
                   ? ydoc_fail(d, en ? en : ydoc_map_get(d, m, "net"), field, err,
                               "experiment and net belong to accuracy claims (top1, top5) and "
                               "block_error claims")
                   : 0;
    ydoc_field(path, sizeof path, field, "experiment");
    if (!en || !ydoc_map_get(d, m, "net"))
        return ydoc_fail(d, m, field, err, "an accuracy or block_error claim needs experiment "
                         "and net");
    if (claim_str(d, m, field, "experiment", exp, sizeof exp, err) < 0 ||
        claim_str(d, m, field, "net", c->net, sizeof c->net, err) < 0 ||
        (c->exp = experiment_index(cs, dir, exp, d, en, path, err)) < 0)
        return -1;
    const Experiment *e = &cs->exps[c->exp];
    ydoc_field(path, sizeof path, field, "method");
    if (check_cell(d, ydoc_map_get(d, m, "method"), path, e, c->net, c->method, c->bits, err) < 0)
        return -1;
    ydoc_field(path, sizeof path, field, "versus");
    return check_cell(d, ydoc_map_get(d, m, "versus"), path, e, c->net, c->versus, c->bits, err);
}

static int read_claim(ClaimSet *cs, const char *dir, YDoc *d, const YNode *m, const char *field,
                      Claim *c, QbErr *err)
{
    char path[256], side[16];
    long long bits;
    memset(c, 0, sizeof *c);
    if (ydoc_want_map(d, m, field, err) < 0 || ydoc_check_keys(d, m, field, claim_keys, err) < 0 ||
        ydoc_require(d, m, field, claim_required, err) < 0 || read_quantity(d, m, field, c, err) < 0)
        return -1;
    if (claim_str(d, m, field, "id", c->id, sizeof c->id, err) < 0 ||
        claim_str(d, m, field, "claim", c->text, sizeof c->text, err) < 0 ||
        claim_str(d, m, field, "source", c->source, sizeof c->source, err) < 0 ||
        claim_str(d, m, field, "note", c->note, sizeof c->note, err) < 0 ||
        claim_str(d, m, field, "paper_note", c->paper_note, sizeof c->paper_note, err) < 0 ||
        claim_str(d, m, field, "method", c->method, sizeof c->method, err) < 0 ||
        claim_str(d, m, field, "versus", c->versus, sizeof c->versus, err) < 0)
        return -1;
    snprintf(c->data, sizeof c->data, "plots/data/block_error.dat");
    if (claim_str(d, m, field, "data", c->data, sizeof c->data, err) < 0)
        return -1;
    ydoc_field(path, sizeof path, field, "bits");
    if (ydoc_int(d, ydoc_map_get(d, m, "bits"), path, 2, 8, &bits, err) < 0)
        return -1;
    c->bits = (int)bits;
    ydoc_field(path, sizeof path, field, "claimed");
    if (ydoc_enum(d, ydoc_map_get(d, m, "claimed"), path, "greater|less", side, sizeof side, err) < 0)
        return -1;
    c->greater = !strcmp(side, "greater");
    ydoc_field(path, sizeof path, field, "threshold");
    if (ydoc_float(d, ydoc_map_get(d, m, "threshold"), path, -100, 100, &c->threshold, err) < 0)
        return -1;
    if (check_scheme(d, m, field, "method", c, err) < 0 ||
        check_scheme(d, m, field, "versus", c, err) < 0 || read_paper(d, m, field, c, err) < 0)
        return -1;
    return read_cells(cs, dir, d, m, field, c, err);
}

static int read_claims(ClaimSet *cs, YDoc *d, const YNode *root, QbErr *err)
{
    static const char *const keys[] = {"description", "claims", NULL};
    static const char *const required[] = {"claims", NULL};
    char dir[512];
    snprintf(dir, sizeof dir, "%s", cs->path);
    char *slash = strrchr(dir, '/');
    if (slash)
        *slash = '\0';
    else
        snprintf(dir, sizeof dir, ".");
    if (ydoc_want_map(d, root, NULL, err) < 0 || ydoc_check_keys(d, root, NULL, keys, err) < 0 ||
        ydoc_require(d, root, NULL, required, err) < 0)
        return -1;
    const YNode *list = ydoc_map_get(d, root, "claims");
    if (ydoc_want_seq(d, list, "claims", err) < 0)
        return -1;
    if (ydoc_seq_count(list) < 1 || ydoc_seq_count(list) > CLAIMS_MAX)
        return ydoc_fail(d, list, "claims", err, "expected 1 to %d claims", CLAIMS_MAX);
    for (int i = 0; i < ydoc_seq_count(list); i++) {
        char field[64];
        ydoc_index(field, sizeof field, "claims", i);
        if (read_claim(cs, dir, d, ydoc_seq_at(d, list, i), field, &cs->claims[cs->n], err) < 0)
            return -1;
        for (int j = 0; j < cs->n; j++)
            if (!strcmp(cs->claims[j].id, cs->claims[cs->n].id))
                return ydoc_fail(d, ydoc_map_get(d, ydoc_seq_at(d, list, i), "id"), field, err,
                                 "duplicate claim id '%s'", cs->claims[j].id);
        cs->n++;
    }
    return 0;
}

int claims_load(ClaimSet *cs, const char *path, const char *profile, QbErr *err)
{
    memset(cs, 0, sizeof *cs);
    snprintf(cs->path, sizeof cs->path, "%s", path);
    snprintf(cs->profile, sizeof cs->profile, "%s", profile);
    if (!(cs->exps = calloc(CLAIM_EXPS_MAX, sizeof *cs->exps)))
        return qb_fail(err, "%s: out of memory", path);
    YDoc d;
    if (ydoc_load(&d, path, err) < 0)
        return claims_free(cs), -1;
    const YNode *root = ydoc_root(&d);
    int rc = root ? read_claims(cs, &d, root, err)
                  : qb_fail(err, "%s: empty file; expected a mapping with claims", path);
    ydoc_free(&d);
    if (rc < 0)
        claims_free(cs);
    return rc;
}

void claims_free(ClaimSet *cs)
{
    free(cs->exps);
    cs->exps = NULL;
    cs->nexps = 0;
}
