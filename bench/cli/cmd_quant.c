/* `qbench levels` and `qbench quantize`: one quantizer on its own, for plots and for checking
 * qbench's numerics against another framework (the formulas are quantizers/FORMULAS.md's). */
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "quantizers/registry.h"
#include "core/atomic_file.h"
#include "core/data/npy.h"
#include "core/json.h"
#include "core/nametable.h"
#include "core/net.h"
#include "core/threads.h"
#include "args.h"
#include "cli.h"

/* --role is required by both levels and quantize (their flag tables say so): a weight and an
 * activation quantizer of the same method differ (sign, grid), and a silent default hides
 * which one was shown. */
static int parse_role(const char *s, QuantRole *role, QbErr *err)
{
    static const char *const roles[] = {[QROLE_WEIGHT] = "weight", [QROLE_ACT] = "act"};
    const NameTable names = NAMETABLE_STRINGS(roles);
    char known[32], hint[64];
    int i = nametable_index(names, s);
    nametable_join(names, " or ", NULL, known, sizeof known);
    if (!s[0])
        return qb_fail(err, "--role is required: %s", known), CLI_USAGE;
    if (i < 0) {
        nametable_suggest(names, s, hint, sizeof hint);
        return qb_fail(err, "--role %s: expected %s%s", s, known, hint), CLI_USAGE;
    }
    *role = (QuantRole)i;
    return 0;
}

/* NAME=VALUE pairs; those naming a parameter of the quantizer are kept for later. */
static int split_sets(const ArgList *sets, QuantOption *opts, int *nopts, QbErr *err)
{
    *nopts = 0;
    for (int i = 0; i < sets->n; i++) {
        const char *eq = strchr(sets->items[i], '=');
        if (!eq || eq == sets->items[i] || !eq[1] || *nopts == QOPT_MAX ||
            (size_t)(eq - sets->items[i]) >= QOPT_NAME_MAX || strlen(eq + 1) >= QOPT_NAME_MAX)
            return qb_fail(err, "--set %s: expected NAME=VALUE", sets->items[i]), CLI_USAGE;
        QuantOption *o = &opts[(*nopts)++];
        memcpy(o->name, sets->items[i], (size_t)(eq - sets->items[i]));
        o->name[eq - sets->items[i]] = '\0';
        snprintf(o->value, sizeof o->value, "%s", eq + 1);
    }
    return 0;
}

typedef struct {
    char method[32], role[8];
    int bits, json;
    ArgList sets;
} LevelsArgs;

static const ArgSpec levels_specs[] = {
    {"--method", ARG_STR, ARG_TEXT(LevelsArgs, method), .value = "M", .required = 1,
     .help = "the quantizer (a registered method)"},
    {"--bits", ARG_INT, ARG_AT(LevelsArgs, bits), 1, 32, .value = "B", .required = 1,
     .help = "the bit-width"},
    {"--role", ARG_STR, ARG_TEXT(LevelsArgs, role), .value = "weight|act", .required = 1,
     .help = "what it quantizes: a weight and an activation quantizer of a method differ"},
    {"--set", ARG_LIST, ARG_AT(LevelsArgs, sets), .value = "NAME=VALUE",
     .help = "one of the method's options (`qbench schema --options` lists them)"},
    {"--json", ARG_FLAG, ARG_AT(LevelsArgs, json), .help = "JSON instead of text"},
    {NULL}};

static int run_levels(int argc, char **argv, QbErr *err)
{
    LevelsArgs a = {0};
    const char *method = a.method;
    int nopts;
    QuantOption opts[QOPT_MAX];
    QuantRole role;
    int rc = args_parse(argc, argv, levels_specs, &a, err);
    if (rc || (rc = parse_role(a.role, &role, err)) || (rc = split_sets(&a.sets, opts, &nopts, err)))
        return rc;
    int bits = a.bits, json = a.json;
    Quantizer *q = quantizer_new(method, role, bits, 0, opts, nopts, err);
    if (!q)
        return -1;
    int n = q->ops->levels(bits, role, opts, nopts, NULL, 0, err);
    double *lv = n > 0 ? malloc(sizeof(double) * (size_t)n) : NULL;
    if (n > 0)
        q->ops->levels(bits, role, opts, nopts, lv, n, err);
    quantizer_delete(q);
    if (n < 0)
        return -1;
    for (int i = 0; i < n; i++)
        printf(json ? "%s%.17g" : "%s%.17g\n", json ? (i ? ", " : "[") : "", lv[i]);
    if (json)
        printf("]\n");
    free(lv);
    return 0;
}

typedef struct {
    char method[32], role[8], in[512], out[512], grad_in[512], grad_out[512], params_out[512];
    int bits, is_signed;
    ArgList sets;
} QuantizeArgs;

/* An .npy array as the quantizer's tensor: weights (K, ...) -> (K, C, kh, kw) with the tail
 * folded; activations (N, C, H, W), (N, F) or (N, C, L). */
static int npy_tensor(const char *path, const NpyArray *a, Tensor *t, QbErr *err)
{
    if (a->type != NPY_F32 || a->ndim < 1 || a->ndim > 4)
        return qb_fail(err, "%s: expected a float32 array of 1 to 4 dimensions, got %s with %d",
                       path, npy_type_name(a->type), a->ndim);
    /* at least one value bounds every dimension by the file's size; the tensor counts in int */
    if (a->count == 0 || a->count > INT_MAX) {
        char shape[256];
        npy_shape_text(shape, sizeof shape, a->ndim, a->shape);
        return qb_fail(err, "%s: %s array of shape %s; expected 1 to %d values", path,
                       a->count ? "too large an" : "empty", shape, INT_MAX);
    }
    int d[4] = {1, 1, 1, 1};
    for (int i = 0; i < a->ndim; i++)
        d[i] = (int)a->shape[i];
    *t = (Tensor){d[0], d[1], d[2], d[3], a->data};
    return 0;
}

/* The tensor of the quantizer's own called `name` ("<prefix>.wq.<name>"): a parameter, or a
 * state buffer (LQ-Net's basis); NULL when it has none. */
static float *host_tensor(Net *host, const char *name, size_t *numel)
{
    size_t n = strlen(name);
    for (int i = 0; i < host->nparams + host->nbuffers; i++) {
        const char *full = i < host->nparams ? host->params[i].name
                                             : host->buffers[i - host->nparams].name;
        size_t m = strlen(full);
        if (m <= n + 1 || strcmp(full + m - n, name) || full[m - n - 1] != '.')
            continue;
        if (i < host->nparams) {
            *numel = host->params[i].numel;
            return host->params[i].w;
        }
        *numel = host->buffers[i - host->nparams].numel;
        return host->buffers[i - host->nparams].data;
    }
    return NULL;
}

/* Parameters and state set by --set NAME=VALUE (the quantizer's own names, e.g. step, alpha,
 * basis=0.5,1): one number for every entry, or a comma-separated list repeated over the
 * tensor (one basis for every channel). Returns 1 when `o` named one (filled), 0 when it is
 * an option. */
static int set_param(Net *host, const QuantOption *o, QbErr *err, int *rc)
{
    size_t numel, nv = 0;
    float *t = host_tensor(host, o->name, &numel), v[QOPT_NAME_MAX];
    if (!t)
        return 0;
    for (const char *p = o->value; *rc == 0 && nv < QOPT_NAME_MAX; nv++) {
        char *end;
        v[nv] = strtof(p, &end);
        if (end == p || (*end && *end != ','))
            *rc = qb_fail(err, "--set %s=%s: expected a number or numbers separated by commas",
                          o->name, o->value);
        if (!*end)
            break;
        p = end + 1;
    }
    nv++;
    if (*rc == 0 && numel % nv)
        *rc = qb_fail(err, "--set %s=%s: %zu values for %zu entries; expected one value or a "
                           "list whose length divides %zu", o->name, o->value, nv, numel, numel);
    for (size_t k = 0; *rc == 0 && k < numel; k++)
        t[k] = v[k % nv];
    return 1;
}

static void json_values(JsonW *w, const char *key, const float *v, size_t n, int per_channel)
{
    if (n == 1 && !per_channel) {
        jw_num(w, key, v[0]);
        return;
    }
    jw_arr(w, key);
    for (size_t i = 0; i < n; i++)
        jw_num(w, NULL, v[i]);
    jw_arr_end(w);
}

/* {"params": {...}, "grads": {...}}, names without the "q.wq." prefix, and "state": {...}
 * for a method with state buffers (LQ-Net's basis, channel after channel). */
static int write_params(const char *path, const Net *host, const Quantizer *q, QbErr *err)
{
    JsonW w;
    const size_t skip = strlen(q->prefix) + 4; /* "<prefix>.wq." */
    jw_init(&w, 1);
    jw_obj(&w, NULL);
    for (int pass = 0; pass < 2; pass++) {
        jw_obj(&w, pass ? "grads" : "params");
        for (int i = 0; i < host->nparams; i++) {
            const Param *p = &host->params[i];
            int per_channel = q->role == QROLE_WEIGHT && p->numel == (size_t)q->shape.n;
            json_values(&w, p->name + skip, pass ? p->g : p->w, p->numel, per_channel);
        }
        jw_obj_end(&w);
    }
    if (host->nbuffers) {
        jw_obj(&w, "state");
        for (int i = 0; i < host->nbuffers; i++)
            json_values(&w, host->buffers[i].name + skip, host->buffers[i].data,
                        host->buffers[i].numel, 0);
        jw_obj_end(&w);
    }
    jw_obj_end(&w);
    int rc = atomic_write(path, w.buf, w.len, err);
    jw_free(&w);
    return rc;
}

/* Reads dy, back-propagates it, writes dx. */
static int quantize_backward(const QuantizeArgs *a, Quantizer *q, const Tensor *x, QbErr *err)
{
    NpyArray dya;
    Tensor dy;
    if (npy_read(a->grad_in, &dya, err) < 0)
        return -1;
    int rc = npy_tensor(a->grad_in, &dya, &dy, err);
    if (rc == 0 && tensor_numel(&dy) != tensor_numel(x))
        rc = qb_fail(err, "%s: %zu values, but the input has %zu", a->grad_in, tensor_numel(&dy),
                     tensor_numel(x));
    float *dxd = rc == 0 ? calloc(tensor_numel(x) + 1, sizeof(float)) : NULL;
    if (rc == 0) {
        Tensor dx = *x;
        dx.data = dxd;
        q->ops->backward(q, x, &dy, &dx, 0);
        if (a->grad_out[0])
            rc = npy_write(a->grad_out, NPY_F32, dya.ndim, dya.shape, dxd, err);
    }
    free(dxd);
    npy_free(&dya);
    return rc;
}

static int declares_option(const QuantizerOps *ops, const char *name)
{
    return quantizer_option_spec(ops, name) != NULL;
}

/* The quantizer planned on a host net that holds only its parameters, bound to its own
 * scratch arena, as a layer would have it. */
typedef struct {
    Net host;
    Arena scratch;
    float initialised;
} QuantHost;

static int host_setup(QuantHost *h, Quantizer *q, const Tensor *x, QbErr *err)
{
    memset(h, 0, sizeof *h);
    snprintf(q->prefix, sizeof q->prefix, "q");
    q->shape = *x;
    q->shape.data = NULL;
    q->initialised = &h->initialised;
    net_init(&h->host, (Dims){1, 1, 1});
    h->host.train = 1;
    if (q->ops->plan(q, &h->host, err) < 0 || net_alloc(&h->host, 1, 1, err) < 0)
        return -1;
    Arena m;
    arena_measure(&m);
    q->ops->bind(q, &h->host, &m);
    if (arena_create(&h->scratch, m.used + ARENA_ALIGN, err) < 0)
        return -1;
    q->ops->bind(q, &h->host, &h->scratch);
    return 0;
}

static const ArgSpec quantize_specs[] = {
    {"--method", ARG_STR, ARG_TEXT(QuantizeArgs, method), .value = "M", .required = 1,
     .help = "the quantizer (a registered method)"},
    {"--bits", ARG_INT, ARG_AT(QuantizeArgs, bits), 1, 32, .value = "B", .required = 1,
     .help = "the bit-width"},
    {"--role", ARG_STR, ARG_TEXT(QuantizeArgs, role), .value = "weight|act", .required = 1,
     .help = "what it quantizes: a weight and an activation quantizer of a method differ"},
    {"--in", ARG_STR, ARG_TEXT(QuantizeArgs, in), .value = "X.npy", .required = 1,
     .help = "the float32 tensor"},
    {"--out", ARG_STR, ARG_TEXT(QuantizeArgs, out), .value = "Y.npy", .required = 1,
     .help = "the quantized tensor written"},
    {"--signed", ARG_FLAG, ARG_AT(QuantizeArgs, is_signed), .help = "signed activations"},
    {"--grad-in", ARG_STR, ARG_TEXT(QuantizeArgs, grad_in), .value = "DY.npy",
     .help = "a gradient to back-propagate (with --grad-out)"},
    {"--grad-out", ARG_STR, ARG_TEXT(QuantizeArgs, grad_out), .value = "DX.npy",
     .help = "the input gradient written"},
    {"--params-out", ARG_STR, ARG_TEXT(QuantizeArgs, params_out), .value = "P.json",
     .help = "the quantizer's parameters written (step sizes, clipping values), and its state"},
    {"--set", ARG_LIST, ARG_AT(QuantizeArgs, sets), .value = "NAME=VALUE",
     .help = "one of the method's options (`qbench schema --options` lists them), or a parameter "
             "or state it fixes (step=0.05, alpha=3; a list repeats over channels: basis=0.5,1)"},
    {NULL}};

static int run_quantize(int argc, char **argv, QbErr *err)
{
    QuantizeArgs a = {0};
    QuantRole role;
    QuantOption all[QOPT_MAX], opts[QOPT_MAX], params[QOPT_MAX];
    int nall, nopts = 0, nparams = 0;
    int rc = args_parse(argc, argv, quantize_specs, &a, err);
    if (rc || (rc = parse_role(a.role, &role, err)) || (rc = split_sets(&a.sets, all, &nall, err)))
        return rc;
    if (!a.grad_in[0] != !a.grad_out[0])
        return qb_fail(err, "--grad-in and --grad-out go together"), CLI_USAGE;
    const QuantizerOps *ops = quantizer_find(a.method);
    for (int i = 0; i < nall; i++) {
        if (ops && declares_option(ops, all[i].name))
            opts[nopts++] = all[i];
        else
            params[nparams++] = all[i];
    }
    threads_set(1);
    Quantizer *q = quantizer_new(a.method, role, a.bits, a.is_signed, opts, nopts, err);
    if (!q)
        return -1;
    NpyArray xa;
    Tensor x;
    QuantHost h;
    memset(&h, 0, sizeof h);
    if ((rc = npy_read(a.in, &xa, err)) < 0) {
        quantizer_delete(q);
        return -1;
    }
    float *y = calloc(xa.count + 1, sizeof(float));
    if ((rc = npy_tensor(a.in, &xa, &x, err)) == 0 && (rc = host_setup(&h, q, &x, err)) == 0) {
        if (q->ops->init)
            q->ops->init(q, &x);
        for (int i = 0; i < nparams && rc == 0; i++)
            if (!set_param(&h.host, &params[i], err, &rc))
                rc = qb_fail(err, "--set %s: %s has no option or parameter of that name",
                             params[i].name, a.method);
        Tensor yt = x;
        yt.data = y;
        if (rc == 0)
            q->ops->forward(q, &x, &yt);
        if (rc == 0)
            rc = npy_write(a.out, NPY_F32, xa.ndim, xa.shape, y, err);
        if (rc == 0 && a.grad_in[0])
            rc = quantize_backward(&a, q, &x, err);
        if (rc == 0 && a.params_out[0])
            rc = write_params(a.params_out, &h.host, q, err);
    }
    free(y);
    npy_free(&xa);
    quantizer_delete(q);
    net_free(&h.host);
    arena_free(&h.scratch);
    return rc;
}

const CliCommand cli_levels = {
    "levels", "a quantizer's normalised level set", levels_specs, run_levels, NULL};

const CliCommand cli_quantize = {
    "quantize", "apply one quantizer to a float32 .npy tensor (and back-propagate)",
    quantize_specs, run_quantize, NULL};
