/* The experiment file's training and quantization fields: one table mapping each YAML key
 * of the `train:` and `quant:` sections onto RunConfig, with its type, range and help. The
 * loader applies sections through it and `qbench schema` prints it as the reference
 * documentation (experiments/README.md). */
#ifndef QB_SCHEMA_H
#define QB_SCHEMA_H

#include <stdio.h>

#include "../run/runcfg.h"
#include "ydoc.h"

typedef enum { SCHEMA_TRAIN, SCHEMA_QUANT } SchemaSection;

/* Applies every key of `map` (section `sec`, field path `field`) onto c; unknown keys and
 * bad values are located errors. */
int schema_apply(YDoc *d, const YNode *map, SchemaSection sec, const char *field, RunConfig *c,
                 QbErr *err);
/* The reference tables of both sections in Markdown. */
void schema_markdown(FILE *f);

#endif
