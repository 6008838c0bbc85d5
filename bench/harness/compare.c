#include "compare.h"

#include <stdlib.h>
#include <string.h>

#include "core/atomic_file.h"
#include "quantizers/registry.h"

#define COMPARE_MARK "@QUANTIZER@"

/* The template's text with every mark replaced (malloc'd). */
static char *substitute(const char *text, const char *method)
{
    size_t n = 1, mark = strlen(COMPARE_MARK), name = strlen(method);
    for (const char *p = strstr(text, COMPARE_MARK); p; p = strstr(p + mark, COMPARE_MARK))
        n += name;
    char *out = malloc(strlen(text) + n), *w = out;
    if (!out)
        return NULL;
    for (const char *p = text, *m; ; p = m + mark) {
        m = strstr(p, COMPARE_MARK);
        size_t len = m ? (size_t)(m - p) : strlen(p);
        memcpy(w, p, len);
        w += len;
        if (!m)
            break;
        memcpy(w, method, name);
        w += name;
    }
    *w = '\0';
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
    file = substitute(text, method);
    free(text);
    if (!file)
        return qb_fail(err, "%s: out of memory", template_path);
    int rc = atomic_write(out, file, strlen(file), err);
    free(file);
    return rc;
}
