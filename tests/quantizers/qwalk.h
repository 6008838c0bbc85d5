/* The registry walk shared by the tests that serve any method: the library's checks
 * (quantizers/qcheck.h) on every registered method and on the unregistered template
 * (quantizers/affine_template.c). A method added to the table is tested by these unchanged. */
#ifndef QB_QWALK_H
#define QB_QWALK_H

#include "quantizers/qcheck.h"

/* Asserts that every walked method passes `checks` (QCHECK_* bits). */
void qwalk(unsigned checks);

#endif
