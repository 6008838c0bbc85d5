/* Fixtures of the report tests: fake result files written through the real result writer,
 * so tables, verdicts and claims read exactly what a run would leave. */
#ifndef QB_TEST_RFIX_H
#define QB_TEST_RFIX_H

#include "../../bench/harness/cell.h"
#include "../../bench/run/run.h"

/* Writes <results>/<experiment>/<id>.json for cell c: one epoch at top1 (top5 = top1 + 5). */
void rfix_result(const char *results, const Experiment *e, const Cell *c, double top1,
                 RunStatus status);
/* The same result at `path` (a reference directory's file). */
void rfix_result_at(const char *path, const Experiment *e, const Cell *c, double top1,
                    RunStatus status);
/* mkdir -p */
void rfix_mkdir(const char *dir);
/* The file's text (static buffer). */
const char *rfix_slurp(const char *path);
/* Loads the experiment for profile and expands it (aborting the test on error). */
void rfix_load(const char *path, const char *profile, Experiment *e, CellList *l);
/* The cell at (scheme, bits, seed) of l. */
const Cell *rfix_cell(const CellList *l, const char *scheme, int bits, long long seed);



/* An experiment on synthetic data: small_cnn, schemes lsq, asq and fp, bits 2 and 4 (no
 * asq 2-bit), the given seeds ("[1, 2, 3]") and extra table keys ("baseline: lsq"); profiles
 * smoke and other (which differ in lr, so in cell ids). */
const char *rfix_experiment(const char *name, const char *table_keys, const char *seeds);
#endif
