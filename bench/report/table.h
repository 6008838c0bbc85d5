/* Tables from result files: for an experiment (one profile) and its cells, the reproduced
 * mean ± std over seeds beside the paper's number and the difference, a full-precision
 * row, BitOPs, and a header stating profile, data set, network sizes and schedule. Written
 * as Markdown, LaTeX (booktabs) and CSV. Missing cells show as pending, failed ones as
 * failed with their reason in the notes. */
#ifndef QB_TABLE_H
#define QB_TABLE_H

#include "../harness/cell.h"

/* Reads results/<experiment>/<id>.json under results_dir for every cell and writes
 * <out_base>.md, .tex and .csv atomically. *missing receives the number of cells without a
 * result. A malformed result file is an error naming it. */
int table_write(const Experiment *e, const CellList *cells, const char *results_dir,
                const char *out_base, int *missing, QbErr *err);

#endif
