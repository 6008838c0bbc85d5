#include "dat.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "core/atomic_file.h"

void dat_begin(DatFile *d, const char *name, const char *columns)
{
    *d = (DatFile){0};
    QB_ASSERT(snprintf(d->name, sizeof d->name, "%s", name) < (int)sizeof d->name);
    dat_printf(d, "# %s\n", columns);
}

void dat_printf(DatFile *d, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    QB_ASSERT(n >= 0);
    if (d->len + (size_t)n + 1 > d->cap) {
        size_t cap = d->cap ? d->cap : 4096;
        while (cap < d->len + (size_t)n + 1)
            cap *= 2;
        d->buf = realloc(d->buf, cap);
        QB_ASSERT(d->buf);
        d->cap = cap;
    }
    va_start(ap, fmt);
    vsnprintf(d->buf + d->len, d->cap - d->len, fmt, ap);
    va_end(ap);
    d->len += (size_t)n;
}

int dat_commit(DatFile *d, const char *dir, QbErr *err)
{
    char path[1024];
    int rc = snprintf(path, sizeof path, "%s/%s", dir, d->name) >= (int)sizeof path
                 ? qb_fail(err, "%s/%s: path too long", dir, d->name)
                 : atomic_write(path, d->buf, d->len, err);
    dat_discard(d);
    return rc;
}

void dat_discard(DatFile *d)
{
    free(d->buf);
    d->buf = NULL;
    d->len = d->cap = 0;
}
