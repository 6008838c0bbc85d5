#include "experiment.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/grow.h"
#include "nets/registry.h"
#include "progressive.h"
#include "schema.h"
#include "ydoc.h"

static const char *const top_keys[] = {"name", "title", "description", "table", "matrix",
                                       "train", "quant", "paper", "profiles", "progressive", NULL};

/* A non-empty sequence at n, with room for its entries in *items (a growable array of
 * elem-byte entries, capacity *cap); a profile's list replaces the file's. */
static int list_start(YDoc *d, const YNode *n, const char *field, void *items, int *count,
                      int *cap, size_t elem, QbErr *err)
{
    if (ydoc_want_seq(d, n, field, err) < 0)
        return -1;
    if (ydoc_seq_count(n) < 1)
        return ydoc_fail(d, n, field, err, "expected at least one entry");
    *count = 0;
    if (grow_reserve(items, cap, ydoc_seq_count(n), elem) < 0)
        return ydoc_fail(d, n, field, err, "too many entries");
    return 0;
}

static int read_list_str(YDoc *d, const YNode *n, const char *field, ExpName **out, int *count,
                         int *cap, QbErr *err)
{
    if (list_start(d, n, field, out, count, cap, sizeof **out, err) < 0)
        return -1;
    for (int i = 0; i < ydoc_seq_count(n); i++) {
        char path[256];
        ydoc_index(path, sizeof path, field, i);
        if (ydoc_str(d, ydoc_seq_at(d, n, i), path, (*out)[(*count)++], sizeof **out, err) < 0)
            return -1;
    }
    return 0;
}

static int read_list_int(YDoc *d, const YNode *n, const char *field, long long lo, long long hi,
                         long long **out, int *count, int *cap, QbErr *err)
{
    if (list_start(d, n, field, out, count, cap, sizeof **out, err) < 0)
        return -1;
    for (int i = 0; i < ydoc_seq_count(n); i++) {
        char path[256];
        long long *v = *out;
        ydoc_index(path, sizeof path, field, i);
        if (ydoc_int(d, ydoc_seq_at(d, n, i), path, lo, hi, &v[(*count)++], err) < 0)
            return -1;
        for (int j = 0; j < i; j++)
            if (v[j] == v[i])
                return ydoc_fail(d, ydoc_seq_at(d, n, i), path, err, "duplicate entry %lld",
                                 v[i]);
    }
    return 0;
}

/* scheme_unknown's message (fp allowed) into buf, returned. */
static const char *unknown_scheme(const char *name, char *buf, size_t cap)
{
    scheme_unknown(name, 1, buf, cap);
    return buf;
}

static int check_names(YDoc *d, const YNode *n, const char *field, const ExpName *names, int count,
                       int is_scheme, QbErr *err)
{
    for (int i = 0; i < count; i++) {
        char path[256], known[1024];
        ydoc_index(path, sizeof path, field, i);
        int ok = is_scheme ? scheme_is_fp(names[i]) || scheme_find(names[i]) : !!net_entry(names[i]);
        for (int j = 0; ok && j < i; j++)
            if (!strcmp(names[j], names[i]))
                return ydoc_fail(d, ydoc_seq_at(d, n, i), path, err, "duplicate entry '%s'",
                                 names[i]);
        if (ok)
            continue;
        if (!is_scheme)
            net_unknown(names[i], known, sizeof known);
        return ydoc_fail(d, ydoc_seq_at(d, n, i), path, err, "%s",
                         is_scheme ? unknown_scheme(names[i], known, sizeof known) : known);
    }
    return 0;
}

static int read_exclude(YDoc *d, const YNode *n, const char *field, Experiment *e, QbErr *err)
{
    static const char *const keys[] = {"net", "scheme", "bits", NULL};
    if (ydoc_want_seq(d, n, field, err) < 0)
        return -1;
    e->nexclude = 0;
    for (int i = 0; i < ydoc_seq_count(n); i++) {
        char path[256], sub[256];
        const YNode *x = ydoc_seq_at(d, n, i);
        ExpExclude *o = GROW_PUSH(e->exclude, e->nexclude, e->cap_exclude);
        if (!o)
            return ydoc_fail(d, x, field, err, "too many exclusions");
        ydoc_index(path, sizeof path, field, i);
        if (ydoc_want_map(d, x, path, err) < 0 || ydoc_check_keys(d, x, path, keys, err) < 0)
            return -1;
        const YNode *net = ydoc_map_get(d, x, "net"), *sch = ydoc_map_get(d, x, "scheme"),
                    *bits = ydoc_map_get(d, x, "bits");
        long long b = 0;
        ydoc_field(sub, sizeof sub, path, "net");
        if (net && ydoc_str(d, net, sub, o->net, sizeof o->net, err) < 0)
            return -1;
        ydoc_field(sub, sizeof sub, path, "scheme");
        if (sch && ydoc_str(d, sch, sub, o->scheme, sizeof o->scheme, err) < 0)
            return -1;
        ydoc_field(sub, sizeof sub, path, "bits");
        if (bits && ydoc_int(d, bits, sub, 1, EXP_BITS_WIDEST, &b, err) < 0)
            return -1;
        o->bits = (int)b;
    }
    return 0;
}

/* matrix.bits: whole widths up to EXP_BITS_WIDEST; check_bits holds each scheme to its
 * methods' declared range. */
static int read_bits_list(YDoc *d, const YNode *n, const char *field, Experiment *e, QbErr *err)
{
    long long *v = NULL;
    int nv = 0, cap = 0;
    int rc = read_list_int(d, n, field, 1, EXP_BITS_WIDEST, &v, &nv, &cap, err);
    if (rc == 0 && GROW_RESERVE(e->bits, e->cap_bits, nv) < 0)
        rc = ydoc_fail(d, n, field, err, "too many entries");
    for (int i = 0; rc == 0 && i < nv; i++)
        e->bits[i] = (int)v[i];
    e->nbits = rc == 0 ? nv : 0;
    free(v);
    return rc;
}

static int read_matrix(YDoc *d, const YNode *m, const char *field, Experiment *e, QbErr *err)
{
    static const char *const keys[] = {"nets", "schemes", "bits", "seeds", "exclude", NULL};
    char path[256];
    if (ydoc_want_map(d, m, field, err) < 0 || ydoc_check_keys(d, m, field, keys, err) < 0)
        return -1;
    const YNode *n;
    ydoc_field(path, sizeof path, field, "nets");
    if ((n = ydoc_map_get(d, m, "nets")) &&
        (read_list_str(d, n, path, &e->nets, &e->nnets, &e->cap_nets, err) < 0 ||
         check_names(d, n, path, e->nets, e->nnets, 0, err) < 0))
        return -1;
    ydoc_field(path, sizeof path, field, "schemes");
    if ((n = ydoc_map_get(d, m, "schemes")) &&
        (read_list_str(d, n, path, &e->schemes, &e->nschemes, &e->cap_schemes, err) < 0 ||
         check_names(d, n, path, e->schemes, e->nschemes, 1, err) < 0))
        return -1;
    ydoc_field(path, sizeof path, field, "bits");
    if ((n = ydoc_map_get(d, m, "bits")) && read_bits_list(d, n, path, e, err) < 0)
        return -1;
    ydoc_field(path, sizeof path, field, "seeds");
    if ((n = ydoc_map_get(d, m, "seeds")) &&
        read_list_int(d, n, path, 0, 1LL << 53, &e->seeds, &e->nseeds, &e->cap_seeds, err) < 0)
        return -1;
    ydoc_field(path, sizeof path, field, "exclude");
    if ((n = ydoc_map_get(d, m, "exclude")) && read_exclude(d, n, path, e, err) < 0)
        return -1;
    return 0;
}

/* table.tolerance: {profile: points}; only the loaded profile's entry is kept. */
static int read_tolerance(YDoc *d, const YNode *m, Experiment *e, QbErr *err)
{
    if (ydoc_want_map(d, m, "table.tolerance", err) < 0)
        return -1;
    for (int i = 0; i < ydoc_map_count(m); i++) {
        char path[128];
        double v;
        ydoc_field(path, sizeof path, "table.tolerance", ydoc_map_key(d, m, i));
        if (ydoc_float(d, ydoc_map_value(d, m, i), path, 0, 100, &v, err) < 0)
            return -1;
        if (!strcmp(ydoc_map_key(d, m, i), e->profile))
            e->tolerance = v;
    }
    return 0;
}

static int read_table(YDoc *d, const YNode *t, Experiment *e, QbErr *err)
{
    static const char *const keys[] = {"layout", "metric", "baseline", "tolerance", NULL};
    static const char *const layouts[] = {
        [LAYOUT_BITS] = "bits", [LAYOUT_ABLATION] = "ablation", [LAYOUT_COST] = "cost"};
    static const char *const metrics[] = {[METRIC_FINAL] = "final", [METRIC_BEST] = "best"};
    int k;
    if (ydoc_want_map(d, t, "table", err) < 0 || ydoc_check_keys(d, t, "table", keys, err) < 0)
        return -1;
    const YNode *n;
    if ((n = ydoc_map_get(d, t, "layout"))) {
        if (ydoc_enum(d, n, "table.layout", NAMETABLE_STRINGS(layouts), &k, err) < 0)
            return -1;
        e->layout = (TableLayout)k;
    }
    if ((n = ydoc_map_get(d, t, "metric"))) {
        if (ydoc_enum(d, n, "table.metric", NAMETABLE_STRINGS(metrics), &k, err) < 0)
            return -1;
        e->metric = (TableMetric)k;
    }
    if ((n = ydoc_map_get(d, t, "tolerance")) && read_tolerance(d, n, e, err) < 0)
        return -1;
    if ((n = ydoc_map_get(d, t, "baseline"))) {
        if (ydoc_str(d, n, "table.baseline", e->baseline, sizeof e->baseline, err) < 0)
            return -1;
        char why[1024];
        if (!scheme_is_fp(e->baseline) && !scheme_find(e->baseline))
            return ydoc_fail(d, n, "table.baseline", err, "%s",
                             unknown_scheme(e->baseline, why, sizeof why));
    }
    return 0;
}

/* Row p's numbers at bits, added (all NAN) when the row has none yet; NULL past INT_MAX. */
static PaperAtBits *paper_at_bits(PaperRow *p, int bits)
{
    for (int i = 0; i < p->nat; i++)
        if (p->at[i].bits == bits)
            return &p->at[i];
    PaperAtBits *a = GROW_PUSH(p->at, p->nat, p->cap_at);
    if (a)
        *a = (PaperAtBits){bits, NAN, NAN, NAN, NAN};
    return a;
}

static double *paper_metric(PaperAtBits *a, PaperMetric m)
{
    double *const v[] = {[PAPER_TOP1] = &a->top1, [PAPER_TOP5] = &a->top5,
                         [PAPER_PARAM_PCT] = &a->param_pct, [PAPER_COMPUTE_PCT] = &a->compute_pct};
    return v[m];
}

int paper_has_top5(const Experiment *e)
{
    for (int i = 0; i < e->npaper; i++)
        for (int k = 0; k < e->paper[i].nat; k++)
            if (!isnan(e->paper[i].at[k].top5))
                return 1;
    return 0;
}

double paper_row_at(const PaperRow *p, PaperMetric m, int bits)
{
    for (int i = 0; p && i < p->nat; i++)
        if (p->at[i].bits == bits)
            return *paper_metric(&p->at[i], m);
    return NAN;
}

/* {2: 91.0, 3: 92.0}: bit-width keys, percentages. */
static int read_bits_map(YDoc *d, const YNode *m, const char *field, PaperRow *p, PaperMetric what,
                         QbErr *err)
{
    if (ydoc_want_map(d, m, field, err) < 0)
        return -1;
    for (int i = 0; i < ydoc_map_count(m); i++) {
        char path[256], *end;
        const char *key = ydoc_map_key(d, m, i);
        const YNode *v = ydoc_map_value(d, m, i);
        long b = strtol(key, &end, 10);
        ydoc_field(path, sizeof path, field, key);
        if (*end || b < 2 || b > EXP_BITS_WIDEST)
            return ydoc_fail(d, v, path, err, "expected a bit-width key from 2 to %d",
                             EXP_BITS_WIDEST);
        PaperAtBits *a = paper_at_bits(p, (int)b);
        if (!a)
            return ydoc_fail(d, v, path, err, "too many bit-widths");
        if (ydoc_float(d, v, path, 0, 100, paper_metric(a, what), err) < 0)
            return -1;
    }
    return 0;
}

static int read_paper_row(YDoc *d, const YNode *r, const char *field, PaperRow *p, QbErr *err)
{
    static const char *const keys[] = {"label", "net", "scheme", "fp", "fp_top5", "top1", "top5",
                                       "param_pct", "compute_pct", NULL};
    static const char *const maps[] = {[PAPER_TOP1] = "top1", [PAPER_TOP5] = "top5",
                                       [PAPER_PARAM_PCT] = "param_pct",
                                       [PAPER_COMPUTE_PCT] = "compute_pct"};
    static const char *const required[] = {"label", "net", NULL};
    char path[256];
    p->fp = p->fp_top5 = NAN;
    if (ydoc_want_map(d, r, field, err) < 0 || ydoc_check_keys(d, r, field, keys, err) < 0 ||
        ydoc_require(d, r, field, required, err) < 0)
        return -1;
    const YNode *n;
    ydoc_field(path, sizeof path, field, "label");
    if (ydoc_str(d, ydoc_map_get(d, r, "label"), path, p->label, sizeof p->label, err) < 0)
        return -1;
    ydoc_field(path, sizeof path, field, "net");
    if (ydoc_str(d, ydoc_map_get(d, r, "net"), path, p->net, sizeof p->net, err) < 0)
        return -1;
    ydoc_field(path, sizeof path, field, "scheme");
    if ((n = ydoc_map_get(d, r, "scheme"))) {
        if (ydoc_str(d, n, path, p->scheme, sizeof p->scheme, err) < 0)
            return -1;
        char why[1024];
        if (!scheme_is_fp(p->scheme) && !scheme_find(p->scheme))
            return ydoc_fail(d, n, path, err, "%s", unknown_scheme(p->scheme, why, sizeof why));
    }
    ydoc_field(path, sizeof path, field, "fp");
    if ((n = ydoc_map_get(d, r, "fp")) && ydoc_float(d, n, path, 0, 100, &p->fp, err) < 0)
        return -1;
    ydoc_field(path, sizeof path, field, "fp_top5");
    if ((n = ydoc_map_get(d, r, "fp_top5")) && ydoc_float(d, n, path, 0, 100, &p->fp_top5, err) < 0)
        return -1;
    for (int m = 0; m < 4; m++) {
        ydoc_field(path, sizeof path, field, maps[m]);
        if ((n = ydoc_map_get(d, r, maps[m])) && read_bits_map(d, n, path, p, (PaperMetric)m, err) < 0)
            return -1;
    }
    return 0;
}

static int read_paper(YDoc *d, const YNode *m, Experiment *e, QbErr *err)
{
    static const char *const keys[] = {"source", "note", "regime", "rows", NULL};
    static const char *const required[] = {"source", "rows", NULL};
    if (ydoc_want_map(d, m, "paper", err) < 0 || ydoc_check_keys(d, m, "paper", keys, err) < 0 ||
        ydoc_require(d, m, "paper", required, err) < 0)
        return -1;
    if (ydoc_str(d, ydoc_map_get(d, m, "source"), "paper.source", e->paper_source,
                 sizeof e->paper_source, err) < 0)
        return -1;
    const YNode *n = ydoc_map_get(d, m, "note"), *rows = ydoc_map_get(d, m, "rows");
    if (n && ydoc_str(d, n, "paper.note", e->paper_note, sizeof e->paper_note, err) < 0)
        return -1;
    if ((n = ydoc_map_get(d, m, "regime")) &&
        ydoc_str(d, n, "paper.regime", e->paper_regime, sizeof e->paper_regime, err) < 0)
        return -1;
    if (ydoc_want_seq(d, rows, "paper.rows", err) < 0)
        return -1;
    for (int i = 0; i < ydoc_seq_count(rows); i++) {
        char path[64];
        const YNode *r = ydoc_seq_at(d, rows, i);
        PaperRow *p = GROW_PUSH(e->paper, e->npaper, e->cap_paper);
        ydoc_index(path, sizeof path, "paper.rows", i);
        if (!p)
            return ydoc_fail(d, r, path, err, "too many rows");
        if (read_paper_row(d, r, path, p, err) < 0)
            return -1;
    }
    return 0;
}

/* train / quant / matrix of the top level or of a profile. */
static int read_sections(YDoc *d, const YNode *m, const char *field, Experiment *e, QbErr *err)
{
    char path[256];
    const YNode *n;
    ydoc_field(path, sizeof path, field, "train");
    if ((n = ydoc_map_get(d, m, "train")) && schema_apply(d, n, SCHEMA_TRAIN, path, &e->base, err) < 0)
        return -1;
    ydoc_field(path, sizeof path, field, "quant");
    if ((n = ydoc_map_get(d, m, "quant")) && schema_apply(d, n, SCHEMA_QUANT, path, &e->base, err) < 0)
        return -1;
    ydoc_field(path, sizeof path, field, "matrix");
    if ((n = ydoc_map_get(d, m, "matrix")) && read_matrix(d, n, path, e, err) < 0)
        return -1;
    return 0;
}

/* One profile's sections over the file's, after those of the profile it extends (so a variant
 * of quick states only what it changes); the description is its own or its base's. */
static int read_profile(YDoc *d, const YNode *ps, const char *name, Experiment *e, int depth,
                        QbErr *err)
{
    char path[128], field[160], base[32];
    const YNode *p = ydoc_map_get(d, ps, name), *ext = ydoc_map_get(d, p, "extends");
    ydoc_field(path, sizeof path, "profiles", name);
    if (ext) {
        ydoc_field(field, sizeof field, path, "extends");
        if (ydoc_str(d, ext, field, base, sizeof base, err) < 0)
            return -1;
        if (!ydoc_map_get(d, ps, base) || depth >= ydoc_map_count(ps))
            return ydoc_fail(d, ext, field, err, ydoc_map_get(d, ps, base)
                             ? "profiles extend each other in a cycle"
                             : "expected the name of another profile of this file");
        if (read_profile(d, ps, base, e, depth + 1, err) < 0)
            return -1;
    }
    const YNode *desc = ydoc_map_get(d, p, "description");
    ydoc_field(field, sizeof field, path, "description");
    if (desc && ydoc_str(d, desc, field, e->profile_description, sizeof e->profile_description,
                         err) < 0)
        return -1;
    return read_sections(d, p, path, e, err);
}

/* The i-th profile name of ps appended to *names: a name longer than ExpName holds is a
 * located error. */
static int profile_name(YDoc *d, const YNode *ps, int i, ExpName **names, int *n, int *cap,
                        QbErr *err)
{
    char path[128];
    const char *name = ydoc_map_key(d, ps, i);
    char *slot = strlen(name) < sizeof **names ? GROW_PUSH(*names, *n, *cap) : NULL;
    ydoc_field(path, sizeof path, "profiles", name);
    if (!slot)
        return ydoc_fail(d, ydoc_map_value(d, ps, i), path, err,
                         "expected a profile name of at most %zu characters", sizeof **names - 1);
    memcpy(slot, name, strlen(name) + 1);
    return 0;
}

static int read_profiles(YDoc *d, const YNode *ps, const char *profile, Experiment *e,
                         QbErr *err)
{
    static const char *const keys[] = {"description", "extends", "train", "quant", "matrix",
                                       "progressive", NULL};
    if (ydoc_want_map(d, ps, "profiles", err) < 0)
        return -1;
    const YNode *chosen = NULL;
    for (int i = 0; i < ydoc_map_count(ps); i++) {
        char path[128];
        const char *name = ydoc_map_key(d, ps, i);
        const YNode *p = ydoc_map_value(d, ps, i);
        ydoc_field(path, sizeof path, "profiles", name);
        if (profile_name(d, ps, i, &e->profiles, &e->nprofiles, &e->cap_profiles, err) < 0 ||
            ydoc_want_map(d, p, path, err) < 0 || ydoc_check_keys(d, p, path, keys, err) < 0)
            return -1;
        if (!strcmp(name, profile))
            chosen = p;
    }
    return chosen ? read_profile(d, ps, profile, e, 0, err) : 1;
}

static int read_header(YDoc *d, const YNode *root, Experiment *e, QbErr *err)
{
    static const char *const required[] = {"name", "title", "matrix", NULL};
    if (ydoc_want_map(d, root, NULL, err) < 0 || ydoc_check_keys(d, root, NULL, top_keys, err) < 0 ||
        ydoc_require(d, root, NULL, required, err) < 0)
        return -1;
    const YNode *n = ydoc_map_get(d, root, "name");
    if (ydoc_str(d, n, "name", e->name, sizeof e->name, err) < 0)
        return -1;
    if (strspn(e->name, "abcdefghijklmnopqrstuvwxyz0123456789_-") != strlen(e->name))
        return ydoc_fail(d, n, "name", err, "expected lower-case letters, digits, '_' or '-' "
                                            "(it names the results directory)");
    if (ydoc_str(d, ydoc_map_get(d, root, "title"), "title", e->title, sizeof e->title, err) < 0)
        return -1;
    if ((n = ydoc_map_get(d, root, "description")) &&
        ydoc_str(d, n, "description", e->description, sizeof e->description, err) < 0)
        return -1;
    if ((n = ydoc_map_get(d, root, "table")) && read_table(d, n, e, err) < 0)
        return -1;
    if ((n = ydoc_map_get(d, root, "paper")) && read_paper(d, n, e, err) < 0)
        return -1;
    return 0;
}

/* The bits list or override list that set a value: the profile's, else the file's. */
static const YNode *setting_node(YDoc *d, const YNode *root, const Experiment *e,
                                 const char *section, const char *key, char *field, size_t cap)
{
    char owner[32];
    const YNode *n = ydoc_extended_get(d, ydoc_map_get(d, root, "profiles"), e->profile, section,
                                       key, owner, sizeof owner);
    if (n) {
        snprintf(field, cap, "profiles.%s.%s.%s", owner, section, key);
        return n;
    }
    snprintf(field, cap, "%s.%s", section, key);
    return ydoc_map_get(d, ydoc_map_get(d, root, section), key);
}

/* scheme s at bits, or a located error at node n (field). */
static int bits_ok(YDoc *d, const YNode *n, const char *field, const char *s, int bits, QbErr *err)
{
    if (scheme_bits_check(scheme_find(s), bits, err) == 0)
        return 0;
    char why[sizeof err->msg];
    snprintf(why, sizeof why, "%s", err->msg);
    return ydoc_fail(d, n, field, err, "scheme %s: %.400s", s, why);
}

/* Every scheme at every bit-width of the matrix (exclusions aside), and at every override's
 * bits that names no scheme of its own, against its methods' own ranges, located. */
static int check_bits(YDoc *d, const YNode *root, const Experiment *e, QbErr *err)
{
    char field[128], path[200];
    const YNode *bits = setting_node(d, root, e, "matrix", "bits", field, sizeof field);
    for (int s = 0; s < e->nschemes; s++)
        for (int b = 0; !scheme_is_fp(e->schemes[s]) && b < e->nbits; b++) {
            int excluded = 1;
            for (int n = 0; n < e->nnets && excluded; n++)
                excluded = experiment_excluded(e, e->nets[n], e->schemes[s], e->bits[b]);
            ydoc_index(path, sizeof path, field, b);
            if (!excluded && bits_ok(d, bits ? ydoc_seq_at(d, bits, b) : NULL, path,
                                     e->schemes[s], e->bits[b], err) < 0)
                return -1;
        }
    const YNode *ovs = setting_node(d, root, e, "quant", "overrides", field, sizeof field);
    for (int i = 0; i < e->base.noverrides; i++) {
        const LayerOverride *o = &e->base.overrides[i];
        char item[160];
        ydoc_index(item, sizeof item, field, i);
        ydoc_field(path, sizeof path, item, "bits");
        const YNode *n = ovs ? ydoc_map_get(d, ydoc_seq_at(d, ovs, i), "bits") : NULL;
        for (int s = 0; o->bits && !o->scheme[0] && s < e->nschemes; s++)
            if (!scheme_is_fp(e->schemes[s]) && bits_ok(d, n, path, e->schemes[s], o->bits, err) < 0)
                return -1;
    }
    return 0;
}

static int check_complete(YDoc *d, const YNode *root, Experiment *e, QbErr *err)
{
    const YNode *m = ydoc_map_get(d, root, "matrix");
    if (!e->nnets || !e->nschemes)
        return ydoc_fail(d, m, "matrix", err, "needs nets and schemes (here or in the profile)");
    int quantized = 0;
    for (int i = 0; i < e->nschemes; i++)
        quantized |= !scheme_is_fp(e->schemes[i]);
    if (quantized && !e->nbits)
        return ydoc_fail(d, m, "matrix", err, "needs bits for its quantized schemes");
    long long *first = e->nseeds ? NULL : GROW_PUSH(e->seeds, e->nseeds, e->cap_seeds);
    if (first)
        *first = 1;
    if (check_bits(d, root, e, err) < 0)
        return -1;
    for (int i = 0; e->baseline[0] && i < e->nschemes; i++)
        if (!strcmp(e->schemes[i], e->baseline))
            return 0;
    if (e->baseline[0])
        return ydoc_fail(d, ydoc_map_get(d, ydoc_map_get(d, root, "table"), "baseline"),
                         "table.baseline", err, "'%s' is not one of matrix.schemes",
                         e->baseline);
    return 0;
}

int experiment_profile_is_default(const char *profile)
{
    return strcmp(profile, EXP_DEFAULT_PROFILE) == 0;
}

int experiment_load(Experiment *e, const char *path, const char *profile, QbErr *err)
{
    memset(e, 0, sizeof *e);
    if (strlen(path) >= sizeof e->path)
        return qb_fail(err, "%.200s...: expected a path of at most %zu characters", path,
                       sizeof e->path - 1);
    if (profile && strlen(profile) >= sizeof e->profile)
        return qb_fail(err, "%s: no profile '%s': a profile name has at most %zu characters",
                       path, profile, sizeof e->profile - 1);
    e->budget = 1;
    snprintf(e->path, sizeof e->path, "%s", path);
    snprintf(e->profile, sizeof e->profile, "%s", profile ? profile : "");
    runcfg_defaults(&e->base);
    e->tolerance = NAN;
    YDoc d;
    if (ydoc_load(&d, path, err) < 0)
        return experiment_free(e), -1;
    const YNode *root = ydoc_root(&d);
    int rc = -1;
    if (!root)
        qb_fail(err, "%s: empty file; expected an experiment mapping", path);
    else if (read_header(&d, root, e, err) == 0 && read_sections(&d, root, NULL, e, err) == 0) {
        const YNode *ps = ydoc_map_get(&d, root, "profiles");
        int found = ps ? read_profiles(&d, ps, e->profile, e, err) : 1;
        if (found == 1 && e->profile[0]) {
            char list[256], hint[160];
            NameTable defined = NAMETABLE_TEXTS(e->profiles, e->nprofiles);
            nametable_join(defined, ", ", NULL, list, sizeof list);
            nametable_suggest(defined, e->profile, hint, sizeof hint);
            qb_fail(err, "%s: no profile '%s'; the file defines: %s%s", path, e->profile,
                    e->nprofiles ? list : "none", hint);
        } else if (found >= 0 && check_complete(&d, root, e, err) == 0) {
            rc = progressive_read(&d, root, e, err);
        }
    }
    ydoc_free(&d);
    if (rc < 0)
        experiment_free(e);
    return rc;
}

int experiment_profiles(const char *path, ExpName **names, int *n, QbErr *err)
{
    YDoc d;
    int cap = 0;
    *names = NULL;
    *n = 0;
    if (ydoc_load(&d, path, err) < 0)
        return -1;
    const YNode *root = ydoc_root(&d), *ps = root ? ydoc_map_get(&d, root, "profiles") : NULL;
    int rc = ps ? ydoc_want_map(&d, ps, "profiles", err) : 0;
    for (int i = 0; rc == 0 && ps && i < ydoc_map_count(ps); i++)
        rc = profile_name(&d, ps, i, names, n, &cap, err);
    ydoc_free(&d);
    if (rc < 0)
        GROW_FREE(*names, *n, cap);
    return rc;
}

int experiment_setting(const char *setting, const RunField **field, const char **value,
                       QbErr *err)
{
    const char *dot = strchr(setting, '.'), *eq = strchr(setting, '=');
    char key[64];
    RunFieldSection sec = RF_TRAIN;
    if (!dot || !eq || eq < dot || (size_t)(eq - dot) > sizeof key)
        return qb_fail(err, "--set %s: expected train.KEY=VALUE or quant.KEY=VALUE", setting);
    if (!strncmp(setting, "quant.", 6))
        sec = RF_QUANT;
    else if (strncmp(setting, "train.", 6))
        return qb_fail(err, "--set %s: the section is train or quant", setting);
    snprintf(key, sizeof key, "%.*s", (int)(eq - dot - 1), dot + 1);
    *field = runcfg_field_yaml(sec, key);
    *value = eq + 1;
    if (!*field)
        return qb_fail(err, "--set %s: %s has no field '%s' (`qbench schema` lists them)",
                       setting, sec == RF_TRAIN ? "train" : "quant", key);
    if ((*field)->type == RF_SPECIAL)
        return qb_fail(err, "--set %s: %s is a list; set it in the experiment file", setting,
                       key);
    return 0;
}

int experiment_set(Experiment *e, const char *setting, QbErr *err)
{
    const RunField *f;
    const char *value;
    char want[160];
    if (experiment_setting(setting, &f, &value, err) < 0)
        return -1;
    /* the description records every setting, so a table made under them says so */
    if (strlen(e->profile_description) + strlen(setting) + 32 > sizeof e->profile_description)
        return qb_fail(err, "--set: the settings together are too long for the profile's "
                            "description to record them (at most %zu characters), at %.80s...",
                       sizeof e->profile_description - 1, setting);
    int rc = runcfg_field_set(f, &e->base, value, want, sizeof want);
    for (int i = 0; rc == 0 && i < e->nlink_configs; i++)
        rc = runcfg_field_set(f, &e->link_configs[i].cfg, value, want, sizeof want);
    if (rc < 0)
        return qb_fail(err, "--set %s: expected %s", setting, want);
    char **slot = GROW_PUSH(e->sets, e->nsets, e->cap_sets);
    if (!slot)
        return qb_fail(err, "--set %s: too many settings", setting);
    *slot = strdup(setting);
    QB_ASSERT(*slot);
    size_t n = strlen(e->profile_description);
    snprintf(e->profile_description + n, sizeof e->profile_description - n, "%s%s",
             e->nsets == 1 ? (n ? "; changed by --set: " : "changed by --set: ") : ", ",
             setting);
    return 0;
}

int experiment_seed_count(Experiment *e, int n, QbErr *err)
{
    if (n < 1 || n > EXP_SEED_COUNT_MAX || GROW_RESERVE(e->seeds, e->cap_seeds, n) < 0)
        return qb_fail(err, "--seeds %d: expected 1..%d seeds", n, EXP_SEED_COUNT_MAX);
    for (; e->nseeds < n; e->nseeds++)
        e->seeds[e->nseeds] = e->seeds[e->nseeds - 1] + 1;
    e->nseeds = e->seed_count = n;
    return 0;
}

static void budget_scale(RunConfig *c, int k)
{
    c->epochs *= k;
    c->sched.warmup_epochs *= k;
    for (int i = 0; i < c->sched.nmilestones; i++)
        c->sched.milestones[i] *= k;
}

int experiment_budget(Experiment *e, int k, QbErr *err)
{
    if (k < 1 || k > EXP_BUDGET_MAX)
        return qb_fail(err, "--budget %d: expected a whole multiple of the profile's training "
                            "length, 1..%d", k, EXP_BUDGET_MAX);
    if (e->budget != 1)
        return qb_fail(err, "--budget %d: the budget is already %dx", k, e->budget);
    if (k == 1)
        return 0;
    budget_scale(&e->base, k);
    for (int i = 0; i < e->nlink_configs; i++)
        budget_scale(&e->link_configs[i].cfg, k);
    e->budget = k;
    size_t n = strlen(e->profile_description);
    snprintf(e->profile_description + n, sizeof e->profile_description - n,
             "%strained %dx as long (--budget %d: %d epochs)", n ? "; " : "", k, k,
             e->base.epochs);
    return 0;
}

void experiment_free(Experiment *e)
{
    runcfg_free(&e->base);
    for (int i = 0; i < e->nlink_configs; i++)
        runcfg_free(&e->link_configs[i].cfg);
    for (int i = 0; i < e->npaper; i++)
        GROW_FREE(e->paper[i].at, e->paper[i].nat, e->paper[i].cap_at);
    for (int i = 0; i < e->nchains; i++)
        GROW_FREE(e->chains[i].bits, e->chains[i].nbits, e->chains[i].cap_bits);
    for (int i = 0; i < e->nsets; i++)
        free(e->sets[i]);
    GROW_FREE(e->profiles, e->nprofiles, e->cap_profiles);
    GROW_FREE(e->nets, e->nnets, e->cap_nets);
    GROW_FREE(e->schemes, e->nschemes, e->cap_schemes);
    GROW_FREE(e->bits, e->nbits, e->cap_bits);
    GROW_FREE(e->seeds, e->nseeds, e->cap_seeds);
    GROW_FREE(e->exclude, e->nexclude, e->cap_exclude);
    GROW_FREE(e->paper, e->npaper, e->cap_paper);
    GROW_FREE(e->chains, e->nchains, e->cap_chains);
    GROW_FREE(e->link_configs, e->nlink_configs, e->cap_link_configs);
    GROW_FREE(e->sets, e->nsets, e->cap_sets);
}

/* A copy of n elements of elem bytes at p (NULL when n is 0), its capacity n. */
static void *items_copy(const void *p, int n, int *cap, size_t elem)
{
    *cap = n;
    if (!n)
        return NULL;
    void *q = malloc((size_t)n * elem);
    QB_ASSERT(q);
    return memcpy(q, p, (size_t)n * elem);
}

#define ITEMS_COPY(d, s, list, n, cap) ((d)->list = items_copy((s)->list, (s)->n, &(d)->cap, \
                                                               sizeof *(s)->list))

void experiment_copy(Experiment *dst, const Experiment *src)
{
    *dst = *src;
    ITEMS_COPY(dst, src, profiles, nprofiles, cap_profiles);
    ITEMS_COPY(dst, src, nets, nnets, cap_nets);
    ITEMS_COPY(dst, src, schemes, nschemes, cap_schemes);
    ITEMS_COPY(dst, src, bits, nbits, cap_bits);
    ITEMS_COPY(dst, src, seeds, nseeds, cap_seeds);
    ITEMS_COPY(dst, src, exclude, nexclude, cap_exclude);
    ITEMS_COPY(dst, src, paper, npaper, cap_paper);
    ITEMS_COPY(dst, src, chains, nchains, cap_chains);
    ITEMS_COPY(dst, src, link_configs, nlink_configs, cap_link_configs);
    ITEMS_COPY(dst, src, sets, nsets, cap_sets);
    for (int i = 0; i < dst->npaper; i++)
        ITEMS_COPY(&dst->paper[i], &src->paper[i], at, nat, cap_at);
    for (int i = 0; i < dst->nchains; i++)
        ITEMS_COPY(&dst->chains[i], &src->chains[i], bits, nbits, cap_bits);
    runcfg_copy(&dst->base, &src->base);
    for (int i = 0; i < dst->nlink_configs; i++)
        runcfg_copy(&dst->link_configs[i].cfg, &src->link_configs[i].cfg);
    for (int i = 0; i < dst->nsets; i++) {
        dst->sets[i] = strdup(src->sets[i]);
        QB_ASSERT(dst->sets[i]);
    }
}
