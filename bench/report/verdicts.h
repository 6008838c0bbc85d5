/* `qbench verdicts FILE --method METHOD`: the answer to "is my method better?" as the last
 * lines of `make compare`: METHOD's paired difference to every other scheme of the matrix
 * at every bit-width it ran, with its 95% interval and the verdict (better or worse only
 * when the interval excludes zero). The summary line also names every cell no verdict should
 * be read from: a seed at chance, or a position far below its scheme's other bit-widths
 * (the rules and their thresholds are in verdicts.c). */
#ifndef QB_VERDICTS_H
#define QB_VERDICTS_H

#include <stdio.h>

#include "harness/cell.h"

int verdicts_print(const Experiment *e, const CellList *cells, const char *results_dir,
                   const char *method, FILE *out, QbErr *err);

#endif
