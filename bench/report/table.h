/* Tables from result files: for an experiment (one profile) and its cells, the reproduced
 * mean ± std over seeds beside the paper's number and the difference, the paired difference
 * to the baseline row with its 95% interval, a full-precision row, BitOPs, and a header
 * stating profile, data set, network sizes and schedule; with a reference results directory,
 * the reference's numbers, the difference to them and whether it is within the noise.
 * Written as Markdown, LaTeX (booktabs) and CSV from one load of the results (grid.h). Missing
 * cells show as pending, failed ones as failed with their reason in the notes. */
#ifndef QB_TABLE_H
#define QB_TABLE_H

#include "harness/cell.h"

typedef struct {
    const char *reference;    /* a reference results directory (its *.json), or NULL */
    double tolerance;         /* one-seed noise allowance in points; NAN: table.tolerance */
    char *summary;            /* out, when not NULL: the reproduction check's summary line */
    size_t summary_cap;       /* ("" without a reference) */
    int by_position;          /* results placed by matrix position, not id (the reference) */
} TableOptions;

/* Reads results/<experiment>/<id>.json under results_dir for every cell and writes
 * <out_base>.md, .tex and .csv atomically. *missing receives the number of cells without a
 * result. A malformed result file is an error naming it. */
int table_write(const Experiment *e, const CellList *cells, const char *results_dir,
                const TableOptions *opt, const char *out_base, int *missing, QbErr *err);

#endif
