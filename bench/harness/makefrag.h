/* The generated makefile fragment of an experiment and profile: one target per result file
 * (results/<experiment>/<cell-id>.json) whose recipe is `qbench run-cell`, a phony target for
 * all cells, and one that writes the tables. Existing result files are never rebuilt: a cell's
 * id changes when its configuration does. */
#ifndef QB_MAKEFRAG_H
#define QB_MAKEFRAG_H

#include <stdio.h>

#include "cell.h"

/* The parts of a fragment, for the writer that adds the run's targets (runfrag.h). A cell's
 * recipe is `$(CELL_RUNNER) RESULT_FILE QBENCH run-cell ...`: the runner decides where the
 * command runs (default: bench/scripts/cell-local.sh, here, log beside the result). */
/* Whether e's path, profile and settings can stand in make rules (else an error). */
int makefrag_check(const Experiment *e, QbErr *err);
/* The flags that give run-cell and report e's profile, seeds, budget and settings (" --profile
 * quick ..."; malloc'd). */
char *makefrag_options(const Experiment *e);
/* The opening comment naming the command that wrote it, and the variables' defaults. */
void makefrag_header(FILE *f, const char *generated_by, const char *options);
/* CELLS, `cells`, `table` and one rule per cell (popt: makefrag_options). */
void makefrag_cells(FILE *f, const Experiment *e, const CellList *cells, const char *popt,
                    const char *table_base);

/* One experiment (at its own profile, budget and seeds) in a fragment of several: every cell
 * gets its rule, the cells at indexes wanted[0..nwanted) are the target's prerequisites. */
typedef struct {
    const Experiment *e;
    const CellList *cells;
    const int *wanted;
    int nwanted;
} MakefragPart;

/* A fragment over several experiments (the budget ladder's, a claims round's): the rules of
 * every part and one phony `target` that needs every wanted result, with `recipe` (recipe
 * lines, each "\t...\n"; NULL for none) run after them. */
int makefrag_write_parts(const char *path, const char *generated_by, const MakefragPart *parts,
                         int nparts, const char *target, const char *recipe, QbErr *err);

/* Whether s can stand in a make rule as it is: make treats '$' and spaces specially, and
 * cell ids and paths never contain them (checked). */
int makefrag_safe(const char *s);

#endif
