/* `qbench docs`: the generated blocks (blocks.h) of every Markdown document refreshed from
 * their directives, or with `check` only compared, and every text file's language checked
 * (lint.h). Without files named, the set is the repository's tracked Markdown documents and
 * text sources (`git ls-files`). */
#ifndef QB_DOCS_DOCS_H
#define QB_DOCS_DOCS_H

#include <stdio.h>

#include "core/err.h"

typedef struct {
    int files, stale, rewritten, refused; /* refused: phrases the language check refused */
} DocsTally;

/* The tracked files the check covers, malloc'd (free each and the array). */
int docs_tracked(char ***files, int *n, QbErr *err);

/* One file: a .md file's blocks refreshed (rewritten atomically when they changed, unless
 * `check`), then its language checked. Stale blocks and refused phrases are reported on
 * `report` one line each and counted in *t; only a malformed block, a failing directive or
 * an unreadable file is an error. */
int docs_file(const char *path, int check, FILE *report, DocsTally *t, QbErr *err);

#endif
