/* The project speaks of itself: its documents and comments describe what qbench is and does,
 * never how its development was organised (work periods, numbered passes, tracker numbers) or
 * documents a user's clone does not have. A const table of patterns says what is refused and
 * why; `qbench docs` runs it over every tracked text file. */
#ifndef QB_DOCS_LINT_H
#define QB_DOCS_LINT_H

#include <stdio.h>

/* Reports every refused phrase of `text` (read from `path`) on `report` as "path:line:
 * 'phrase': why" and returns how many there were. */
int lint_text(const char *path, const char *text, FILE *report);

#endif
