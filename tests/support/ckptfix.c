/* Checkpoint fixtures (ckptfix.h). */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "core/atomic_file.h"
#include "core/err.h"
#include "tests/support/ckptfix.h"

void ckptfix_as_format_1(const char *from, const char *to)
{
    size_t n;
    char *b;
    QbErr err = {{0}};
    cr_assert_eq(file_read_all(from, &b, &n, &err), 0, "%s", err.msg);
    uint32_t len, version, at = 48;
    memcpy(&version, b + 8, 4);
    cr_assert_eq(version, 2, "%s: format %u, not 2", from, version);
    version = 1;
    for (int i = 0; i < 2; i++, at += 4 + len)
        memcpy(&len, b + at, 4);
    memcpy(&len, b + at, 4);
    memcpy(b + 8, &version, 4);
    memmove(b + at, b + at + 4 + len, n - at - 4 - len);
    n -= 4 + len;
    uint32_t crc = (uint32_t)crc32(0L, (const Bytef *)b, (uInt)(n - 4));
    memcpy(b + n - 4, &crc, 4);
    cr_assert_eq(atomic_write(to, b, n, &err), 0, "%s", err.msg);
    free(b);
}
