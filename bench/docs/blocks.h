/* Generated blocks of a Markdown document: text between a begin marker that holds a directive
 * (directive.h) and an end marker is what the directive produces, never typed by hand. A
 * block spans whole lines (the begin marker ends its line, the end marker starts one); an
 * inline block sits inside one line and holds one line of output, for a figure quoted in a
 * sentence. The markers are HTML comments, invisible when the document is rendered:
 *
 *   <!-- begin generated: DIRECTIVE -->   ...   <!-- end generated -->
 */
#ifndef QB_DOCS_BLOCKS_H
#define QB_DOCS_BLOCKS_H

#include <stdio.h>

#include "core/err.h"

#define BLOCK_BEGIN "<!-- begin generated: "
#define BLOCK_END "<!-- end generated -->"

/* Runs every block's directive of `text` (read from `path`, named in messages) and puts the
 * text with each block's content replaced by its output in a malloc'd *out. Each block whose
 * content differed is counted in *stale and reported on `report` as "path:line: stale:
 * DIRECTIVE". A malformed block or a failing directive is an error naming path:line. */
int blocks_refresh(const char *path, const char *text, char **out, int *stale, FILE *report,
                   QbErr *err);

#endif
