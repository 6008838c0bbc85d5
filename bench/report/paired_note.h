/* The note under a table that explains the marks of its paired intervals (paired.h): ‡ where
 * a shown interval was cut at ±100 points, "no spread" where a cell's per-seed differences
 * were all equal. A table that shows neither gets no note. */
#ifndef QB_PAIRED_NOTE_H
#define QB_PAIRED_NOTE_H

#include "grid.h"

/* Appends the note, each sentence after a space, to the text at out (cap bytes). */
void paired_note_append(const Grid *g, char *out, size_t cap);

#endif
