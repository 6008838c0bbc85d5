/* What a set of rendered tables shows, per experiment: the regime it was measured in, the
 * smallest differences its seeds resolve, each claim of experiments/claims.yaml with its
 * verdict, and the resolved paired differences no claim names. It reads the tables' CSV files
 * (the same data their Markdown shows, written by `qbench report`) and the claims table's CSV,
 * so the findings of the committed reference (results/reference/README.md) cannot drift from
 * its tables. */
#ifndef QB_FINDINGS_H
#define QB_FINDINGS_H

#include <stdio.h>

#include "core/err.h"

/* Markdown onto `out`: one section per experiment file beside `claims_path` whose table
 * <tables_dir>/<name>.csv exists (profile `profile`), then the claims outside any table.
 * Links point at tables/<name>.md, relative to tables_dir's parent. Errors name the file. */
int findings_write(const char *claims_path, const char *tables_dir, const char *profile,
                   FILE *out, QbErr *err);

#endif
