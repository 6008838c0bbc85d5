#include "schemes.h"

#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/layers/layers.h"
#include "core/nametable.h"
#include "registry.h"

/* FORMULAS.md §8. Methods are looked up by name at run time, so a scheme may name a method that a
 * build does not contain yet; using it is then an "unknown method" error. */
static const Scheme schemes[] = {
    {"lsq", "lsq", "lsq", "ASQ Table 5 Baseline (LSQ for weights and activations)", NULL},
    {"lsq+pot", "pot", "lsq", "ASQ Table 5 Baseline+POT (weights)", NULL},
    {"lsq+post", "post", "lsq", "ASQ Table 5 Baseline+POST (weights)", NULL},
    {"asq", "lsq", "asq", "ASQ Tables 2-4 ASQ (Scheme 1); Table 5 Baseline+ASQ",
     "asq"},
    {"asq+post", "post", "asq", "ASQ Tables 2-4 ASQ+POST (Scheme 2); Table 5 +POST+ASQ",
     "asq"},
    {"apot", "apot", "apot", "APoT rows", NULL},
    {"pot", "pot", "pot", "APoT paper's PoT comparison", NULL},
    {"pact", "dorefa", "pact", "PACT rows (DoReFa weights)", NULL},
    {"uniform", "uniform", "uniform", "floor: min-max uniform", NULL},
};

#define NSCHEMES ((int)(sizeof schemes / sizeof schemes[0]))
#define FIRST_LAST_BITS 8 /* FORMULAS.md §1.3 */

int scheme_count(void) { return NSCHEMES; }

const Scheme *scheme_at(int i) { return i >= 0 && i < NSCHEMES ? &schemes[i] : NULL; }

/* A registered method that is not a scheme name is a scheme too: the method wherever it
 * applies (weights, activations or both), LSQ elsewhere. So a new quantizer can be compared
 * with the baselines (make compare) without a scheme line. */
typedef struct {
    Scheme scheme;
    char name[SCHEME_NAME_MAX];
} MethodScheme;

static const Scheme *method_scheme(const char *name)
{
    static MethodScheme pool[16];
    static int npool;
    const QuantizerOps *m = quantizer_find(name);
    if (!m || strlen(name) >= SCHEME_NAME_MAX)
        return NULL;
    for (int i = 0; i < npool; i++)
        if (strcmp(pool[i].name, name) == 0)
            return &pool[i].scheme;
    if (npool == 16)
        return NULL;
    MethodScheme *ms = &pool[npool++];
    snprintf(ms->name, sizeof ms->name, "%s", name);
    ms->scheme.name = ms->name;
    ms->scheme.wmethod = m->roles & (1u << QROLE_WEIGHT) ? m->name : "lsq";
    ms->scheme.amethod = m->roles & (1u << QROLE_ACT) ? m->name : "lsq";
    ms->scheme.paper_row = "a method compared against the baselines";
    return &ms->scheme;
}

int scheme_is_fp(const char *name) { return strcmp(name, SCHEME_FP) == 0; }

NameTable scheme_table(void) { return NAMETABLE(schemes, Scheme, name); }

const Scheme *scheme_find(const char *name)
{
    const Scheme *s = nametable_find(scheme_table(), name);
    return s ? s : method_scheme(name);
}

int scheme_bits_check(const Scheme *s, int bits, QbErr *err)
{
    const char *methods[] = {s->wmethod, s->amethod};
    for (int role = QROLE_WEIGHT; role <= QROLE_ACT; role++) {
        Quantizer *q = quantizer_new(methods[role], (QuantRole)role, bits, 0, NULL, 0, err);
        if (!q)
            return -1;
        quantizer_delete(q);
    }
    return 0;
}

int scheme_table_uses(const char *method)
{
    for (int i = 0; i < NSCHEMES; i++)
        if (!strcmp(schemes[i].wmethod, method) || !strcmp(schemes[i].amethod, method))
            return 1;
    return 0;
}

void scheme_names(char *out, size_t cap) { nametable_join(scheme_table(), ", ", NULL, out, cap); }

void scheme_unknown(const char *name, int with_fp, char *out, size_t cap)
{
    static const char *const full_precision[] = {SCHEME_FP};
    NameTable tables[] = {NAMETABLE_STRINGS(full_precision), scheme_table(), quantizer_table()};
    char known[256], methods[256], hint[160];
    scheme_names(known, sizeof known);
    quantizer_names(methods, sizeof methods);
    nametable_suggest_any(tables + !with_fp, 2 + with_fp, name, hint, sizeof hint);
    snprintf(out, cap, "unknown scheme '%s'; expected %sa scheme (%s) or a registered method "
                       "(%s)%s", name, with_fp ? SCHEME_FP ", " : "", known, methods, hint);
}

/* What one compute layer gets; a NULL method leaves that tensor float. */
typedef struct {
    const char *wm, *am;
    int wbits, abits;
    int asigned;
    int apot_ref;   /* the weight quantizer takes uniform_weight_scale: apot_ref */
} LayerAssign;

typedef enum { FL_LSQ8, FL_FP, FL_APOT_REF } FirstLast;

static const char *const first_last_policies[] = {
    [FL_LSQ8] = "lsq8",
    [FL_FP] = SCHEME_FP, /* the first and last layers at full precision */
    [FL_APOT_REF] = "apot_ref",
};
const NameTable scheme_first_last_names = NAMETABLE_STRINGS_INIT(first_last_policies);

static int first_last_parse(const char *s, FirstLast *out, QbErr *err)
{
    int i = nametable_index(scheme_first_last_names, s ? s : first_last_policies[FL_LSQ8]);
    if (i < 0) {
        char why[sizeof err->msg];
        nametable_unknown(scheme_first_last_names, "first_last policy", s, why, sizeof why);
        return qb_fail(err, "%s", why);
    }
    *out = (FirstLast)i;
    return 0;
}

static int scheme_lookup(const char *name, const Scheme **out, QbErr *err)
{
    *out = scheme_find(name);
    if (*out)
        return 0;
    char why[sizeof err->msg];
    scheme_unknown(name, 0, why, sizeof why);
    return qb_fail(err, "%s", why);
}

/* FORMULAS.md §1.3: LSQ 8-bit weights and input, or float, or APoT's 8-bit max-scaled weights. */
static LayerAssign edge_assign(FirstLast fl)
{
    LayerAssign a = {0};
    a.wbits = a.abits = FIRST_LAST_BITS;
    if (fl == FL_LSQ8)
        a.wm = a.am = "lsq";
    else if (fl == FL_APOT_REF) {
        a.wm = "uniform";
        a.apot_ref = 1;
    }
    return a;
}

/* The first override matching the layer, or -1. */
static int override_find(const SchemeOptions *o, const char *layer)
{
    for (int i = 0; i < o->noverrides; i++)
        if (fnmatch(o->overrides[i].pattern, layer, 0) == 0)
            return i;
    return -1;
}

static int override_apply(const LayerOverride *ov, LayerAssign *a, QbErr *err)
{
    if (scheme_is_fp(ov->scheme)) {
        a->wm = a->am = NULL;
        return 0;
    }
    if (ov->scheme[0]) {
        const Scheme *s;
        if (scheme_lookup(ov->scheme, &s, err) < 0)
            return qb_wrap(err, "override '%s': ", ov->pattern);
        a->wm = s->wmethod;
        a->am = s->amethod;
        a->apot_ref = 0;
    }
    if (ov->bits)
        a->wbits = a->abits = ov->bits;
    return 0;
}

typedef struct {
    const Scheme *scheme;
    FirstLast fl;
    int first, last;   /* layer indices of the first and last compute layers */
    int wbits, abits;
} ApplyCtx;

/* Whether a producer's output is never negative: a rectifying kind's, or pooled or
 * reshaped from one (LayerOps.out_sign). */
static int output_nonnegative(const Net *net, int idx)
{
    for (; idx != NET_INPUT; idx = net->layers[idx].in[0]) {
        LayerSign s = net->layers[idx].ops->out_sign;
        if (s != LAYER_SIGN_OF_INPUT)
            return s == LAYER_SIGN_NONNEG;
    }
    return 0;
}

/* FORMULAS.md §1.2 makes post-ReLU activations unsigned and the image signed; an input that can be
 * negative anywhere else (MobileNet-V2's linear bottlenecks, which feed the next block's
 * expansion conv) gets a signed quantizer too, rather than having its negative half clipped
 * to zero. A method that quantizes only unsigned inputs (PACT, POT, POST, APoT) is replaced
 * there by LSQ at the same bits, signed. */
static void signed_input_fix(const Net *net, const Layer *L, LayerAssign *a)
{
    a->asigned = !output_nonnegative(net, L->in[0]);
    const QuantizerOps *m = a->am ? quantizer_find(a->am) : NULL;
    if (a->asigned && m && !m->signed_act)
        a->am = "lsq";
}

static int assign_layer(const ApplyCtx *c, const Net *net, int li, const SchemeOptions *o,
                        int *used, LayerAssign *a, QbErr *err)
{
    const Layer *L = &net->layers[li];
    if (li == c->first || li == c->last) {
        *a = edge_assign(c->fl);
        if (li == c->first && o->asq_first_layer)
            a->am = c->scheme->first_input;
    } else {
        *a = (LayerAssign){c->scheme->wmethod, c->scheme->amethod, c->wbits, c->abits, 0, 0};
    }
    int k = override_find(o, L->name);
    if (k >= 0) {
        used[k] = 1;
        if (override_apply(&o->overrides[k], a, err) < 0)
            return qb_wrap(err, "layer %s: ", L->name);
    }
    signed_input_fix(net, L, a);
    return 0;
}

static int declares(const QuantizerOps *ops, const char *opt)
{
    return quantizer_option_spec(ops, opt) != NULL;
}

/* The options a method receives: the policy's own first (so they win), then the user's that
 * the method declares. */
static int options_for(const QuantizerOps *ops, const LayerAssign *a, const SchemeOptions *o,
                       QuantOption *out)
{
    int n = 0;
    if (a->apot_ref && declares(ops, "uniform_weight_scale"))
        out[n++] = (QuantOption){"uniform_weight_scale", "apot_ref"};
    for (int i = 0; i < o->nopts && n < QOPT_MAX; i++)
        if (declares(ops, o->opts[i].name))
            out[n++] = o->opts[i];
    return n;
}

static Quantizer *quantizer_for(const char *method, QuantRole role, const LayerAssign *a,
                                const SchemeOptions *o, QbErr *err)
{
    if (!method)
        return NULL;
    QuantOption opts[QOPT_MAX];
    const QuantizerOps *ops = quantizer_find(method);
    int n = ops ? options_for(ops, a, o, opts) : 0;
    int bits = role == QROLE_WEIGHT ? a->wbits : a->abits;
    Quantizer *q = quantizer_new(method, role, bits, role == QROLE_ACT && a->asigned, opts, n, err);
    if (q)
        q->seed = o->seed;
    return q;
}

static int attach(Net *net, int li, const LayerAssign *a, const SchemeOptions *o, QbErr *err)
{
    if (!a->wm && !a->am)
        return 0;
    Quantizer *wq = quantizer_for(a->wm, QROLE_WEIGHT, a, o, err);
    if (a->wm && !wq)
        return -1;
    Quantizer *aq = quantizer_for(a->am, QROLE_ACT, a, o, err);
    if (a->am && !aq) {
        quantizer_delete(wq);
        return -1;
    }
    return layer_quantize(net, li, wq, aq, err);
}

/* Whether the method called m declares opt, or a method the layer policy puts in m's place
 * on a signed input (signed_input_fix) does. */
static int method_takes(const char *m, const char *opt)
{
    const QuantizerOps *ops = m ? quantizer_find(m) : NULL;
    if (!ops)
        return 0;
    return declares(ops, opt) || (!ops->signed_act && ops->roles & (1u << QROLE_ACT) &&
                                  method_takes("lsq", opt));
}

int scheme_option_reaches(const char *scheme, const SchemeOptions *o, const char *option)
{
    const Scheme *s = scheme_find(scheme);
    FirstLast fl = FL_LSQ8;
    QbErr ignored;
    if (!s || first_last_parse(o->first_last, &fl, &ignored) < 0)
        return 0;
    LayerAssign edge = edge_assign(fl);
    const char *methods[] = {s->wmethod, s->amethod, edge.wm, edge.am,
                             o->asq_first_layer ? s->first_input : NULL};
    int reaches = 0;
    for (size_t i = 0; i < sizeof methods / sizeof methods[0]; i++)
        reaches |= method_takes(methods[i], option);
    for (int k = 0; k < o->noverrides && !reaches; k++) {
        const Scheme *ov = o->overrides[k].scheme[0] ? scheme_find(o->overrides[k].scheme) : NULL;
        reaches = ov && (method_takes(ov->wmethod, option) || method_takes(ov->amethod, option));
    }
    return reaches;
}

/* Every option must reach some method in use, or it would be silently ignored. */
static int options_check(const SchemeOptions *o, const LayerAssign *as, int n, QbErr *err)
{
    for (int i = 0; i < o->nopts; i++) {
        int taken = 0;
        for (int k = 0; k < n && !taken; k++) {
            const char *m[2] = {as[k].wm, as[k].am};
            for (int r = 0; r < 2; r++)
                taken |= m[r] && quantizer_find(m[r]) && declares(quantizer_find(m[r]), o->opts[i].name);
        }
        if (!taken)
            return qb_fail(err, "option %s is not declared by any quantizer method in use",
                           o->opts[i].name);
    }
    return 0;
}

static int takes_first_input(const void *scheme, const void *ctx)
{
    (void)ctx;
    return ((const Scheme *)scheme)->first_input != NULL;
}

static int ctx_init(ApplyCtx *c, const Net *net, const char *scheme, int bits,
                    const SchemeOptions *o, QbErr *err)
{
    if (scheme_lookup(scheme, &c->scheme, err) < 0 || first_last_parse(o->first_last, &c->fl, err) < 0)
        return -1;
    if (o->asq_first_layer && !c->scheme->first_input) {
        char takers[128];
        NameTable t = scheme_table();
        t.keep = takes_first_input;
        nametable_join(t, ", ", " or ", takers, sizeof takers);
        return qb_fail(err, "asq_first_layer needs a scheme that quantizes the first layer's "
                       "input with ASQ (%s), not %s", takers, scheme);
    }
    c->wbits = o->wbits ? o->wbits : bits;
    c->abits = o->abits ? o->abits : bits;
    c->first = c->last = -1;
    for (int i = 0; i < net->nlayers; i++)
        if (layer_is_compute(&net->layers[i])) {
            if (c->first < 0)
                c->first = i;
            c->last = i;
        }
    if (c->first < 0)
        return qb_fail(err, "scheme %s: the net has no conv2d or linear layer", scheme);
    return 0;
}

/* Plans every layer before attaching anything, so a bad override or option fails cleanly. */
static int plan_all(const ApplyCtx *c, const Net *net, const SchemeOptions *o, LayerAssign *as,
                    QbErr *err)
{
    int *used = calloc((size_t)o->noverrides + 1, sizeof *used), rc = 0;
    QB_ASSERT(used);
    for (int i = 0; rc == 0 && i < net->nlayers; i++)
        if (layer_is_compute(&net->layers[i]))
            rc = assign_layer(c, net, i, o, used, &as[i], err);
    for (int k = 0; rc == 0 && k < o->noverrides; k++)
        if (!used[k])
            rc = qb_fail(err, "override '%s' matches no conv2d or linear layer",
                         o->overrides[k].pattern);
    free(used);
    return rc < 0 ? -1 : options_check(o, as, net->nlayers, err);
}

int scheme_apply(Net *net, const char *scheme, int bits, const SchemeOptions *o, QbErr *err)
{
    static const SchemeOptions defaults = {0};
    if (!o)
        o = &defaults;
    ApplyCtx c = {0};
    if (ctx_init(&c, net, scheme, bits, o, err) < 0)
        return -1;
    LayerAssign *as = calloc((size_t)net->nlayers, sizeof *as);
    QB_ASSERT(as);
    int rc = plan_all(&c, net, o, as, err);
    for (int i = 0; i < net->nlayers && rc == 0; i++)
        if (layer_is_compute(&net->layers[i]) && attach(net, i, &as[i], o, err) < 0)
            rc = qb_wrap(err, "scheme %s, layer %s: ", scheme, net->layers[i].name);
    free(as);
    return rc;
}
