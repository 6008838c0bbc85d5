/* Progressive schedules (`progressive:`): which cells start from which. A chain names a
 * scheme of the matrix and bit-widths in training order; the first link starts from
 * train.from, every other link from the previous link's final checkpoint (same network and
 * seed). A link may carry its own train/quant settings. This file owns the questions asked of
 * a loaded experiment's chains and the parent/child links between expanded cells;
 * progressive.h owns the syntax and its validation, chainrun.h what a chain means for the
 * result files. */
#ifndef QB_CHAIN_H
#define QB_CHAIN_H

#include "cell.h"

/* The link index of (scheme, bits) in its chain (0 = the first link), or -1 when no chain
 * has it. */
int chain_link(const Experiment *e, const char *scheme, int bits);
/* The bit-width the (scheme, bits) cells start from; 0 when they start from train.from. */
int chain_parent_bits(const Experiment *e, const char *scheme, int bits);
/* Whether the (scheme, bits) cells start from their parent's best epoch (start: best). */
int chain_from_best(const Experiment *e, const char *scheme, int bits);
/* The configuration cells of (scheme, bits) are built on: their link's own, or the base. */
const RunConfig *chain_base(const Experiment *e, const char *scheme, int bits);

/* One sentence for a table's header: every chain in order and what its links change, e.g.
 * "Progressive: apot 4 -> 3 -> 2 bits, each link from the previous link's final checkpoint
 * (the first from the start above); at 2 bits weight decay 3e-05. "; "" without chains. */
void chain_describe(const Experiment *e, char *out, size_t cap);

/* Sets every cell's parent (the cell of the same network, scheme and seed at the previous
 * link's bit-width) and whether it starts from the parent's best epoch, and counts every
 * cell's children. */
void chain_link_cells(const Experiment *e, CellList *l);

#endif
