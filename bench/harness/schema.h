/* The experiment file's `train:` and `quant:` sections, read through the settings table
 * (bench/run/runcfg.c): every YAML key, type, range and default comes from there. The
 * loader applies sections through it and `qbench schema` prints the table as the reference
 * documentation (experiments/README.md). */
#ifndef QB_SCHEMA_H
#define QB_SCHEMA_H

#include <stdio.h>

#include "run/runcfg.h"
#include "ydoc.h"

typedef RunFieldSection SchemaSection;
#define SCHEMA_TRAIN RF_TRAIN
#define SCHEMA_QUANT RF_QUANT

/* Applies every key of `map` (section `sec`, field path `field`) onto c; unknown keys and
 * bad values are located errors. */
int schema_apply(YDoc *d, const YNode *map, SchemaSection sec, const char *field, RunConfig *c,
                 QbErr *err);
/* The reference tables of both sections in Markdown, the quantizer options' last. */
void schema_markdown(FILE *f);
/* The quantizer options alone (what quant.options and the --set NAME=VALUE of train, levels
 * and quantize take): each registered method's option names, values, defaults and meaning,
 * from their QuantOptionSpec tables. */
void schema_options_markdown(FILE *f);

#endif
