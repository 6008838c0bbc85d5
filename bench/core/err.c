#include "err.h"

#include <stdarg.h>
#include <string.h>

int qb_fail(QbErr *err, const char *fmt, ...)
{
    if (err) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err->msg, sizeof err->msg, fmt, ap);
        va_end(ap);
    }
    return -1;
}

int qb_wrap(QbErr *err, const char *fmt, ...)
{
    if (err) {
        char old[sizeof err->msg];
        memcpy(old, err->msg, sizeof old);
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(err->msg, sizeof err->msg, fmt, ap);
        va_end(ap);
        if (n >= 0 && (size_t)n < sizeof err->msg)
            memccpy(err->msg + n, old, '\0', sizeof err->msg - (size_t)n - 1);
        err->msg[sizeof err->msg - 1] = '\0';
    }
    return -1;
}
