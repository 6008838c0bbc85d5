/* Fixtures of the report tests: fake result files written through the real result writer,
 * so tables, verdicts and claims read exactly what a run would leave. */
#ifndef QB_TEST_RFIX_H
#define QB_TEST_RFIX_H

#include "harness/cell.h"
#include "report/table.h"
#include "run/run.h"

/* Writes <results>/<experiment>/<id>.json for cell c: one epoch at top1 (top5 = top1 + 5). */
void rfix_result(const char *results, const Experiment *e, const Cell *c, double top1,
                 RunStatus status);
/* The same result at `path` (a reference directory's file). */
void rfix_result_at(const char *path, const Experiment *e, const Cell *c, double top1,
                    RunStatus status);
/* rfix_result of a finished run with its training curve (the convergence verdict's input). */
void rfix_result_curve(const char *results, const Experiment *e, const Cell *c, double top1,
                       const TrainCurve *curve);
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
/* The verdicts issue's measured example on the fixture experiment's 4-bit cells, seeds 1-3:
 * LSQ 90.09 / 91.17 / 91.23, ASQ 91.18 / 91.80 / 91.25 (paired +1.09, +0.63, +0.02: mean
 * +0.58, 95% interval [-0.75, +1.91]); fp at fp_base + seed. */
void rfix_example(const char *results, const Experiment *e, const CellList *l, double fp_base);

/* table_write into <scratch>/<name>.{md,tex,csv} (opt may be NULL); returns the Markdown
 * text, and rfix_table_file the text of another of the three (static buffers). */
const char *rfix_table(const Experiment *e, const CellList *l, const char *results,
                       const TableOptions *opt, const char *name);
const char *rfix_table_file(const char *name, const char *ext);

/* One test's experiment (rfix_experiment, profile smoke), its cells and its results
 * directory <scratch>/res-<name>. */
typedef struct {
    Experiment e;
    CellList l;
    char results[256];
} RFix;

/* The claims of `text` (a claims file <scratch>/<name>.yaml, profile smoke) written from
 * `results`; the Markdown text, the CSV into csv (static buffers). */
const char *rfix_claims(const char *name, const char *text, const char *results,
                        const char **csv);

void rfix_start(RFix *f, const char *name, const char *table_keys, const char *seeds);
void rfix_end(RFix *f);

#endif
