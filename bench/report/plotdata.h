/* Plot data from result files, for the gnuplot scripts under plots/: per scheme, top-1 (mean
 * and std over seeds) against bit-width and against BitOPs; per cell, the test top-1 and
 * training loss of every epoch. Plain whitespace-separated blocks, one per scheme or cell,
 * each opened by a header row that gnuplot's columnheader() takes as the curve's title. */
#ifndef QB_PLOTDATA_H
#define QB_PLOTDATA_H

#include "harness/cell.h"

/* Writes <dir>/<name>-bits.dat and <dir>/<name>-curves.dat (name = the experiment's name,
 * plus -<profile> unless the profile is quick). Cells without a finished result are left
 * out; blocks are separated by two blank lines (gnuplot's index). Returns the number of
 * results used, or -1. */
int plotdata_write(const Experiment *e, const CellList *cells, const char *results_dir,
                   const char *dir, QbErr *err);

#endif
