/* Plot data from result files, for the gnuplot scripts under plots/: per scheme, top-1 (mean,
 * std, min and max over seeds) against bit-width and against BitOPs; per network, scheme and
 * bit-width, the test top-1 of every epoch (mean, min and max over seeds) and the mean losses.
 * Plain whitespace-separated blocks, each opened by a header row that gnuplot's
 * columnheader() takes as the curve's title. Both files start with '#' lines naming the
 * figure's regime, which the scripts put into every title:
 *
 *   # title ASQ Table 4: ResNet-20, top-1 at 2/3/4 bits
 *   # profile quick
 *   # data Fashion-MNIST
 *   # seeds 1, 2, 3                 (the seeds with a result in the figure)
 *   # budget 1x
 *   # regime scaled replica: Fashion-MNIST, ResNet-20, ...
 *
 * then one "# block K BITS SCHEME NET LABEL" line per block (BITS 0 for full precision, -1
 * for a scheme's every width in the bits file; SCHEME and NET the scheme's and the network's
 * index in the matrix), so a script can put each bit-width in its own panel and give each
 * scheme one colour and each network one mark in every figure. */
#ifndef QB_PLOTDATA_H
#define QB_PLOTDATA_H

#include "harness/cell.h"

/* Writes <dir>/<name>-bits.dat and <dir>/<name>-curves.dat (plotdata_name) from each cell's result in results_dir, or
 * with by_position from the result placed at its matrix position and seed (the committed
 * reference: grid_load_by_position). Cells without a finished result are left out; blocks
 * are separated by two blank lines (gnuplot's index). Returns the number of results used, or
 * -1. */
/* The name of e's figures and data files: the experiment's name, plus -<profile> unless the
 * profile is quick. */
void plotdata_name(const Experiment *e, char *out, size_t cap);
int plotdata_write(const Experiment *e, const CellList *cells, const char *results_dir,
                   int by_position, const char *dir, QbErr *err);

#endif
