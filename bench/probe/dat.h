/* DatFile: one plain-text .dat file for gnuplot, built in memory (a '#' line naming the
 * columns, then whitespace-separated rows) and written atomically, so a failed probe never
 * leaves half a file for a plot to read. */
#ifndef QB_PROBE_DAT_H
#define QB_PROBE_DAT_H

#include <stddef.h>

#include "core/err.h"

#define DAT_NAME_MAX 64

typedef struct {
    char name[DAT_NAME_MAX];  /* file name inside the output directory */
    char *buf;
    size_t len, cap;
} DatFile;

/* Starts `name` with the header line "# <columns>". */
void dat_begin(DatFile *d, const char *name, const char *columns);
/* Appends formatted text (rows end with "\n"). */
void dat_printf(DatFile *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Writes dir/name atomically and frees the buffer (also on failure). */
int dat_commit(DatFile *d, const char *dir, QbErr *err);
void dat_discard(DatFile *d);

#endif
