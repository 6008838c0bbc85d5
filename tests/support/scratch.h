/* Scratch directories of tests: one fresh directory per use, removed with its contents. */
#ifndef QB_TEST_SCRATCH_H
#define QB_TEST_SCRATCH_H

#include <stddef.h>

/* Creates /tmp/qb-<name>-XXXXXX (mkdtemp) and puts its path in out; fails the test if it
 * cannot. */
void scratch_make(char *out, size_t cap, const char *name);
/* Removes dir and everything under it (nothing when it does not exist). */
void scratch_remove(const char *dir);

#endif
