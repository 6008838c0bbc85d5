/* Where an experiment's table files go and when they are written, for `qbench report` (one
 * table) and `qbench tables` (every profile's): results/tables/<name> unless another base is
 * named, checked against a reference when one is given, and never an empty table over one
 * with results. */
#ifndef QB_TABLEFILE_H
#define QB_TABLEFILE_H

#include <stddef.h>

#include "harness/cell.h"

typedef struct {
    const char *results;    /* the results directory */
    const char *out;        /* the files' base (BASE.md, .tex, .csv); "" for results/tables/NAME */
    const char *reference;  /* "" or the reference to check against (refcheck.h) */
    double tolerance;       /* NAN, or a one-seed cell's allowed distance to the reference */
    int by_position;        /* results placed by matrix position (the committed reference) */
} TableFileOptions;

/* The table files of e's cells, and with a reference the reproduction summary as the last
 * line. With no result file present, an existing table is kept (and said so). */
int tablefile_write(const TableFileOptions *o, const Experiment *e, const CellList *cells,
                    QbErr *err);
/* The files' base into buf: `out` unless "", else <results>/tables/<name>; its directory is
 * created. */
int tablefile_base(const char *out, const char *results, const char *name, char *buf,
                   size_t cap, QbErr *err);
/* How many of the cells have a result file under results/<experiment>/. */
int tablefile_results_present(const char *results, const Experiment *e, const CellList *cells);

#endif
