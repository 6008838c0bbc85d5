#include "scratch.h"

#include <criterion/criterion.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>

void scratch_make(char *out, size_t cap, const char *name)
{
    cr_assert_lt((size_t)snprintf(out, cap, "/tmp/qb-%s-XXXXXX", name), cap, "name too long");
    cr_assert_not_null(mkdtemp(out), "mkdtemp %s", out);
}

static int remove_one(const char *path, const struct stat *st, int kind, struct FTW *ftw)
{
    (void)st, (void)kind, (void)ftw;
    return remove(path);
}

void scratch_remove(const char *dir)
{
    nftw(dir, remove_one, 16, FTW_DEPTH | FTW_PHYS);
}
