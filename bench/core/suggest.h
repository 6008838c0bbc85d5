/* "Did you mean": the nearest of a list of names to a mistyped one, for the errors that
 * name what was expected (a quantizer method, a scheme). */
#ifndef QB_SUGGEST_H
#define QB_SUGGEST_H

#include <stddef.h>

/* Into out: "; did you mean 'lsq'?" for the name of names[0..n) nearest `typed` (edit
 * distance, case-insensitive) when it is near enough (at most 1 + len/3 edits); "; <kind>
 * names are lower case: did you mean 'lsq'?" when only the case differs; "" otherwise. */
void suggest_name(const char *typed, const char *const *names, int n, const char *kind,
                  char *out, size_t cap);

#endif
