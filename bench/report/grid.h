/* Grid: every result of one experiment (one profile) loaded once, by matrix position (net,
 * scheme, bit-width) and seed, with each position's counts of finished, failed and missing
 * cells. Tables, paired differences, verdicts and the reproduction check all read the grid;
 * nothing downstream opens a result file. A reference results directory loads into a second
 * grid of the same shape, matched by position and seed rather than by cell id. */
#ifndef QB_GRID_H
#define QB_GRID_H

#include "harness/cell.h"
#include "run/converge.h"
#include "paired.h"

/* A position's runs by seed slot: slot i is the matrix's seed i, and in a reference the seeds
 * the matrix lacks follow. Every cell of a grid has the same number of slots (owned by the
 * grid, grown when a reference brings another seed). */
typedef struct {
    double *top1, *top5;               /* NAN: no finished run */
    unsigned long long *digest;        /* the run's metrics digest (result.h) */
    char (*id)[CELL_ID_MAX];           /* the cell per seed; "" = none */
    signed char *conv;                 /* the finished run's ConvVerdict */
    int nslots;
    int ok, failed, missing;
    double bitops;                                   /* NAN until a finished run gives it */
    char reason[256];                                /* the last failure's */
} GridCell;

typedef struct {
    const Experiment *e;
    int *bits;                     /* the matrix's bit-widths, ascending (owned) */
    GridCell *cells;               /* [net][scheme][bit slot] (owned); fp in slot 0 */
    GridCell *ref;                 /* the same positions in the reference, or NULL (owned); its
                                      seeds outside the matrix's list follow in the slots after
                                      them (the reference's spread: refcheck.h) */
    long long *ref_other_seeds;    /* the reference's seeds the matrix lacks (owned) */
    int nref_other, cap_ref_other;
    char ref_dir[512];
    int ref_unmatched;             /* reference results at no position of this matrix */
    double tolerance;              /* one-seed noise allowance against the reference; NAN:
                                      measured from the reference's seeds (refcheck.h) */
    int missing;                   /* cells without a result file */
    char (*notes)[400];            /* every failure and the by-position note (owned) */
    int nnotes, cap_notes;
    GridCell empty;                /* a position without runs, with the matrix's seed slots */
} Grid;

/* Reads <results_dir>/<experiment>/<id>.json of every cell; a malformed result file is an
 * error naming it. */
int grid_load(Grid *g, const Experiment *e, const CellList *cells, const char *results_dir,
              QbErr *err);
/* The committed reference rendered as tables: every result file in <results_dir>/<experiment>/
 * placed by the matrix position and seed it records, not looked up by id (a reference's ids
 * follow the code that made it); a note counts the results whose id differs from this
 * build's. */
int grid_load_by_position(Grid *g, const Experiment *e, const CellList *cells,
                          const char *results_dir, QbErr *err);
/* Reads every result file directly in dir (a reference such as results/reference/table4)
 * into g->ref at the position and seed its file records, for g's profile; a seed the
 * matrix's list lacks (a SEEDS=1 run against a three-seed reference) takes a slot after the
 * list's. */
int grid_load_reference(Grid *g, const char *dir, QbErr *err);
void grid_free(Grid *g);

/* The slot of a bit-width (0 for fp's 0), or -1 when the matrix has no such width. */
int grid_slot(const Grid *g, int bits);
int grid_scheme_index(const Experiment *e, const char *scheme);
/* The position (net index, scheme index, bits); NULL when the matrix has none. */
const GridCell *grid_cell(const Grid *g, int net, int scheme, int bits);
/* The same position in the reference (NULL without one). */
const GridCell *grid_ref_cell(const Grid *g, int net, int scheme, int bits);
/* The id of the result g placed at cell c's position and seed (its own id, or by position a
 * reference's), or NULL when none is there. */
const char *grid_cell_id(const Grid *g, const Cell *c);

/* The cell at a position, or the grid's cell without runs where the matrix has none (fp in a
 * table without fp). */
const GridCell *grid_cell_or_empty(const Grid *g, int net, int scheme, int bits);

/* The finished runs whose recorded convergence verdict is v (run/converge.h). */
int grid_conv_count(const GridCell *c, ConvVerdict v);

/* Over the seeds with a finished run: mean (NAN without any), sample std (NAN below 2). */
double grid_mean(const GridCell *c, int top5);
double grid_std(const GridCell *c, int top5);

/* cell − baseline scheme's cell at the same net and bits, paired by seed (n = 0 without a
 * baseline, for the baseline itself and for fp). */
void grid_paired(const Grid *g, int net, int scheme, int bits, int top5, Paired *out);
/* a − b of any two positions, paired by seed. */
void grid_paired_cells(const Grid *g, const GridCell *a, const GridCell *b, int top5,
                       Paired *out);

#endif
