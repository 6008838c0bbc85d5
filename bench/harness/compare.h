/* The compare experiment of a method (`make compare QUANTIZER=NAME`): the template
 * experiments/compare.yaml.in with every @QUANTIZER@ replaced by the method's name, written
 * where the run reads it; also how a results directory named compare-NAME finds its file
 * again. */
#ifndef QB_COMPARE_H
#define QB_COMPARE_H

#include <stddef.h>

#include "core/err.h"

#define COMPARE_PREFIX "compare-"

/* Writes the template with `method` in place of @QUANTIZER@ to out (atomically). The method
 * must be a registered one. */
int compare_file_write(const char *template_path, const char *method, const char *out,
                       QbErr *err);

#endif
