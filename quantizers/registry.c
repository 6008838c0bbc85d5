#include "registry.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/nametable.h"
#include "qcommon.h"

extern const QuantizerOps uniform_ops;
extern const QuantizerOps dorefa_ops;
extern const QuantizerOps pact_ops;
extern const QuantizerOps lsq_ops;
extern const QuantizerOps asq_ops;
extern const QuantizerOps pot_ops;
extern const QuantizerOps post_ops;
extern const QuantizerOps apot_ops;
extern const QuantizerOps dsq_ops;
extern const QuantizerOps qil_ops;
extern const QuantizerOps lqnet_ops;
extern const QuantizerOps faq_ops;
extern const QuantizerOps daq_ops;

/* The one list of methods. Adding one = its extern above and one line here. A program that
 * compiles this file into itself may append entries through QB_EXTRA_METHODS: the test
 * fixture tests/fixtures/qbench_lsqflip.c does, to give `make compare` a broken method. */
static const QuantizerOps *const methods[] = {
    &uniform_ops,
    &dorefa_ops,
    &pact_ops,
    &lsq_ops,
    &asq_ops,
    &pot_ops,
    &post_ops,
    &apot_ops,
    &dsq_ops,
    &qil_ops,
    &lqnet_ops,
    &faq_ops,
    &daq_ops,
#ifdef QB_EXTRA_METHODS
    QB_EXTRA_METHODS
#endif
};

#define NMETHODS ((int)(sizeof methods / sizeof methods[0]))

int quantizer_count(void) { return NMETHODS; }

const QuantizerOps *quantizer_at(int i) { return i >= 0 && i < NMETHODS ? methods[i] : NULL; }

NameTable quantizer_table(void) { return NAMETABLE_POINTERS(methods, QuantizerOps, name); }

const QuantizerOps *quantizer_find(const char *name)
{
    return nametable_find(quantizer_table(), name);
}

typedef struct {
    int (*keep)(const QuantizerOps *);
} MethodFilter;

static int method_kept(const void *entry, const void *ctx)
{
    return ((const MethodFilter *)ctx)->keep(entry);
}

void quantizer_names_where(int (*keep)(const QuantizerOps *), const char *last_sep, char *out,
                           size_t cap)
{
    MethodFilter f = {keep};
    NameTable t = quantizer_table();
    if (keep)
        t.keep = method_kept, t.ctx = &f;
    nametable_join(t, ", ", last_sep, out, cap);
}

void quantizer_names(char *out, size_t cap) { quantizer_names_where(NULL, NULL, out, cap); }

int quantizer_name_check(const char *name, QbErr *err)
{
    if (quantizer_find(name))
        return 0;
    char known[256], hint[160];
    quantizer_names(known, sizeof known);
    nametable_suggest(quantizer_table(), name, hint, sizeof hint);
    return qb_fail(err, "no quantizer method '%s' is registered (methods: %s)%s", name, known,
                   hint[0] ? hint : "; a new method is registered in quantizers/registry.c");
}

static NameTable option_table(const QuantizerOps *ops)
{
    return NAMETABLE_LIST(ops->options, QuantOptionSpec, name);
}

const QuantOptionSpec *quantizer_option_spec(const QuantizerOps *ops, const char *name)
{
    return nametable_find(option_table(ops), name);
}

const QuantOptionSpec *quantizer_option_any(const char *name)
{
    const QuantOptionSpec *s = NULL;
    for (int i = 0; i < NMETHODS && !s; i++)
        s = quantizer_option_spec(methods[i], name);
    return s;
}

/* An option name is listed once, by the first method declaring it. */
static int first_declared(const void *entry, const void *ctx)
{
    const QuantOptionSpec *s = entry;
    for (const QuantizerOps *const *m = methods; *m != ctx; m++)
        if (quantizer_option_spec(*m, s->name))
            return 0;
    return 1;
}

void quantizer_option_unknown(const char *name, char *out, size_t cap)
{
    NameTable ts[NMETHODS];
    const char *sep = "";
    size_t at = (size_t)snprintf(out, cap, "unknown quantizer option; expected one of: ");
    for (int i = 0; i < NMETHODS; i++) {
        ts[i] = option_table(methods[i]);
        ts[i].keep = first_declared, ts[i].ctx = methods[i];
        if (at >= cap || !nametable_size(ts[i]))
            continue;
        at += (size_t)snprintf(out + at, cap - at, "%s", sep);
        at += at < cap ? nametable_join(ts[i], ", ", NULL, out + at, cap - at) : 0;
        sep = ", ";
    }
    if (at < cap)
        nametable_suggest_any(ts, NMETHODS, name, out + at, cap - at);
}

static int option_is_number(const QuantOptionSpec *s)
{
    return strcmp(s->values, "int") == 0 || strcmp(s->values, "float") == 0;
}

/* The choices of an option declared as "a|b|c", as a table of texts in *choices (malloc'd:
 * free it), so the values are looked up and suggested as every other name is. A choice
 * longer than a value can be is cut there, where no value can reach it. */
static NameTable option_choices(const QuantOptionSpec *s, char (**choices)[QOPT_NAME_MAX])
{
    int n = 1;
    for (const char *p = s->values; *p; p++)
        n += *p == '|';
    *choices = calloc((size_t)n, sizeof **choices);
    QB_ASSERT(*choices);
    const char *p = s->values;
    for (int i = 0; i < n; i++) {
        size_t len = strcspn(p, "|");
        snprintf((*choices)[i], QOPT_NAME_MAX, "%.*s", (int)len, p);
        p += len + (p[len] == '|');
    }
    return NAMETABLE_TEXTS(*choices, n);
}

int quantizer_option_valid(const QuantOptionSpec *s, const char *v)
{
    char *end;
    errno = 0;
    if (strcmp(s->values, "int") == 0) {
        (void)strtol(v, &end, 10);
        return *v && !*end && !errno;
    }
    if (strcmp(s->values, "float") == 0) {
        (void)strtod(v, &end);
        return *v && !*end && !errno;
    }
    char(*choices)[QOPT_NAME_MAX];
    int found = nametable_index(option_choices(s, &choices), v) >= 0;
    free(choices);
    return found;
}

void quantizer_option_want(const QuantOptionSpec *s, const char *v, char *out, size_t cap)
{
    char hint[160] = "";
    if (v && !option_is_number(s)) {
        char(*choices)[QOPT_NAME_MAX];
        nametable_suggest(option_choices(s, &choices), v, hint, sizeof hint);
        free(choices);
    }
    if (v)
        snprintf(out, cap, "%s, got '%s'%s", s->values, v, hint);
    else
        snprintf(out, cap, "%s", s->values);
}

static int options_check(const QuantizerOps *ops, const QuantOption *opts, int nopts, QbErr *err)
{
    if (nopts > QOPT_MAX)
        return qb_fail(err, "%s: %d options given, at most %d", ops->name, nopts, QOPT_MAX);
    for (int i = 0; i < nopts; i++) {
        const QuantOptionSpec *s = quantizer_option_spec(ops, opts[i].name);
        if (!s) {
            char known[256], hint[160];
            nametable_join(option_table(ops), ", ", NULL, known, sizeof known);
            nametable_suggest(option_table(ops), opts[i].name, hint, sizeof hint);
            return qb_fail(err, "%s has no option '%s' (%s%s)%s", ops->name, opts[i].name,
                           *known ? "its options: " : "it takes none", known, hint);
        }
        if (!quantizer_option_valid(s, opts[i].value)) {
            char want[256];
            quantizer_option_want(s, opts[i].value, want, sizeof want);
            return qb_fail(err, "%s option %s: expected %s", ops->name, s->name, want);
        }
    }
    return 0;
}

Quantizer *quantizer_new(const char *method, QuantRole role, int bits, int is_signed,
                         const QuantOption *opts, int nopts, QbErr *err)
{
    const QuantizerOps *ops = quantizer_find(method);
    if (!ops) {
        char why[sizeof err->msg];
        nametable_unknown(quantizer_table(), "quantizer method", method, why, sizeof why);
        qb_fail(err, "%s", why);
        return NULL;
    }
    return quantizer_new_ops(ops, role, bits, is_signed, opts, nopts, err);
}

Quantizer *quantizer_new_ops(const QuantizerOps *ops, QuantRole role, int bits, int is_signed,
                             const QuantOption *opts, int nopts, QbErr *err)
{
    /* levels() carries the method's own bit and option constraints (e.g. POST at 2 bits). */
    if (qc_bits_check(ops, role, bits, err) < 0 || options_check(ops, opts, nopts, err) < 0 ||
        ops->levels(bits, role, opts, nopts, NULL, 0, err) < 0)
        return NULL;
    Quantizer *q = calloc(1, sizeof *q);
    QB_ASSERT(q);
    q->ops = ops;
    q->role = role;
    q->bits = bits;
    q->is_signed = is_signed;
    if (nopts)
        memcpy(q->opts, opts, (size_t)nopts * sizeof *opts);
    q->nopts = nopts;
    return q;
}
