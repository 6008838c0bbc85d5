#include "compare.h"

#include <stdlib.h>
#include <string.h>

#include "core/atomic_file.h"
#include "quantizers/registry.h"
#include "quantizers/schemes.h"

#define COMPARE_MARK "@QUANTIZER@"
#define BASELINES_MARK "@BASELINES@"

/* The text with every `mark` replaced by value (malloc'd). */
static char *substitute(const char *text, const char *mark, const char *value)
{
    size_t n = 1, mlen = strlen(mark), vlen = strlen(value);
    for (const char *p = strstr(text, mark); p; p = strstr(p + mlen, mark))
        n += vlen;
    char *out = malloc(strlen(text) + n), *w = out;
    if (!out)
        return NULL;
    for (const char *p = text, *m; ; p = m + mlen) {
        m = strstr(p, mark);
        size_t len = m ? (size_t)(m - p) : strlen(p);
        memcpy(w, p, len);
        w += len;
        if (!m)
            break;
        memcpy(w, value, vlen);
        w += vlen;
    }
    *w = '\0';
    return out;
}

/* The schemes no new method is measured against: the floor, and the APoT paper's own PoT
 * comparison (the ASQ tables run PoT weights as lsq+pot). Every other scheme is a baseline,
 * one added to the scheme table later included. */
static const char *const not_baselines[] = {"uniform", "pot"};

static int baseline_scheme(const void *entry, const void *method)
{
    const Scheme *s = entry;
    return nametable_index(NAMETABLE_STRINGS(not_baselines), s->name) < 0 &&
           strcmp(s->name, method);
}

/* A method the scheme table does not run (one added since) is compared as its own scheme. */
static int baseline_method(const void *entry, const void *method)
{
    const QuantizerOps *m = entry;
    return !scheme_table_uses(m->name) && strcmp(m->name, method);
}

char *compare_baselines(const char *method)
{
    NameTable t[2] = {scheme_table(), quantizer_table()};
    t[0].keep = baseline_scheme, t[1].keep = baseline_method;
    t[0].ctx = t[1].ctx = method;
    size_t first = nametable_join(t[0], ", ", NULL, NULL, 0),
           second = nametable_join(t[1], ", ", NULL, NULL, 0);
    const char *sep = first && second ? ", " : "";
    char *out = malloc(first + strlen(sep) + second + 1);
    if (!out)
        return NULL;
    nametable_join(t[0], ", ", NULL, out, first + 1);
    strcpy(out + first, sep);
    nametable_join(t[1], ", ", NULL, out + first + strlen(sep), second + 1);
    return out;
}

int compare_file_write(const char *template_path, const char *method, const char *out,
                       QbErr *err)
{
    char *text, *file;
    size_t n;
    if (quantizer_name_check(method, err))
        return -1;
    if (file_read_all(template_path, &text, &n, err) < 0)
        return -1;
    char *baselines = compare_baselines(method);
    char *with_baselines = baselines ? substitute(text, BASELINES_MARK, baselines) : NULL;
    file = with_baselines ? substitute(with_baselines, COMPARE_MARK, method) : NULL;
    free(with_baselines);
    free(baselines);
    free(text);
    if (!file)
        return qb_fail(err, "%s: out of memory", template_path);
    int rc = atomic_write(out, file, strlen(file), err);
    free(file);
    return rc;
}
