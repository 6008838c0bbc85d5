/* What a generated block of a document shows: its directive names a source and optional
 * filters, separated by " | " (inside a Markdown table cell " \| ", which the table does not
 * split the cell at):
 *
 *   include PATH        the file's text
 *   qbench ARGS...      this qbench binary run with ARGS (split at spaces, no quoting), its
 *                       standard output; it must exit 0
 *   error qbench ARGS   the same, which must fail (exit 1 or 2): its error message
 *   ... | match REGEX   the lines matching the POSIX extended REGEX (the rest of the stage,
 *                       spaces included; a literal bar is written [|]): of each, its
 *                       parenthesised groups joined by ", ", or its whole match when REGEX
 *                       has none; no match is an error
 *   ... | lines REGEX   the lines matching REGEX, whole
 *   ... | fenced        the text inside a ``` code fence
 *
 * Paths are relative to the current directory (the repository root under make). */
#ifndef QB_DOCS_DIRECTIVE_H
#define QB_DOCS_DIRECTIVE_H

#include "core/err.h"

/* Runs `directive` into a malloc'd, NUL-terminated *out. Errors name the directive's part
 * that failed and why. */
int directive_run(const char *directive, char **out, QbErr *err);

#endif
