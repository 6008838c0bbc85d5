/* The compare experiment of a method (`make compare QUANTIZER=NAME`): the template
 * experiments/compare.yaml.in with every @QUANTIZER@ replaced by the method's name and every
 * @BASELINES@ by the schemes it is compared with, written where the run reads it; also how a
 * results directory named compare-NAME finds its file again. */
#ifndef QB_COMPARE_H
#define QB_COMPARE_H

#include <stddef.h>

#include "core/err.h"

#define COMPARE_PREFIX "compare-"

/* The schemes `method` is compared with, as "lsq, lsq+pot, ..., dsq, qil" (malloc'd; NULL
 * when out of memory): every scheme of the scheme table but the uniform floor and the APoT
 * paper's pot, then every registered method no entry of that table uses, as the scheme of its
 * own name; never the scheme called `method`, which the template names as @QUANTIZER@. So a
 * method joins the baselines by its registry line alone. */
char *compare_baselines(const char *method);

/* Writes the template with `method` in place of @QUANTIZER@ and its baselines in place of
 * @BASELINES@ to out (atomically). The method must be a registered one. */
int compare_file_write(const char *template_path, const char *method, const char *out,
                       QbErr *err);

#endif
