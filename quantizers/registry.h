/* The registry of quantizer methods: the one const table (registry.c), lookup by name, and
 * quantizer_new, which validates a method/role/bits/options request before any plan runs. */
#ifndef QB_REGISTRY_H
#define QB_REGISTRY_H

#include <stddef.h>

#include "core/nametable.h"
#include "core/quantizer.h"

/* The methods' names, for lookups, lists and suggestions (core/nametable.h). */
NameTable quantizer_table(void);
/* The method called `name`, or NULL. */
const QuantizerOps *quantizer_find(const char *name);
/* Table walk (tests, docs): index 0..quantizer_count()-1. */
int quantizer_count(void);
const QuantizerOps *quantizer_at(int i);
/* 0 when a method called `name` is registered; else -1 with an error naming what was typed,
 * every method and the nearest one (or where a new method is registered). */
int quantizer_name_check(const char *name, QbErr *err);
/* "uniform, dorefa, pact, ..." into out (for "unknown method" messages). */
void quantizer_names(char *out, size_t cap);
/* The same for the methods keep() accepts (keep NULL: all), e.g. those with a scale op; the
 * last two joined by last_sep (" or "; NULL: ", "). */
void quantizer_names_where(int (*keep)(const QuantizerOps *), const char *last_sep, char *out,
                           size_t cap);

/* The option called name among the method's, or among every registered method's; NULL when
 * none declares it. */
const QuantOptionSpec *quantizer_option_spec(const QuantizerOps *ops, const char *name);
const QuantOptionSpec *quantizer_option_any(const char *name);
/* The message for an option no method declares, into out: "unknown quantizer option;
 * expected one of: NAMES" (each name once) and the nearest name when one is near. */
void quantizer_option_unknown(const char *name, char *out, size_t cap);

/* Whether v is a valid value of option s: one of its "a|b|c", or an int or float that parses
 * completely without overflow. The one check of option values (CLI and experiment files). */
int quantizer_option_valid(const QuantOptionSpec *s, const char *v);
/* What option s takes, for a value v it does not, into out: "lsq|symmetric, got 'symetric';
 * did you mean 'symmetric'?" (the suggestion when a choice is near); its values alone when v
 * is NULL (no text was given). */
void quantizer_option_want(const QuantOptionSpec *s, const char *v, char *out, size_t cap);

/* A new, unplanned quantizer (calloc'd; layer_quantize takes ownership and runs its plan).
 * Checks that the method exists, supports `role` at `bits` (FORMULAS.md §1.8), and that every option
 * is declared by the method with a valid value; NULL with err otherwise. is_signed asks for
 * a signed activation range (a first layer's normalised input). */
Quantizer *quantizer_new(const char *method, QuantRole role, int bits, int is_signed,
                         const QuantOption *opts, int nopts, QbErr *err);
/* The same checks for a method given by its table, registered or not (the tests' walk runs
 * quantizers/affine_template.c this way). */
Quantizer *quantizer_new_ops(const QuantizerOps *ops, QuantRole role, int bits, int is_signed,
                             const QuantOption *opts, int nopts, QbErr *err);

#endif
