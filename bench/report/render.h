/* The report's internal interface: the text tables built from a grid (layout.c), their
 * Markdown and LaTeX writers (render_md.c, render_tex.c), the CSV written from the grid
 * itself (render_csv.c), and the lookups they share. */
#ifndef QB_RENDER_H
#define QB_RENDER_H

#include <stdio.h>

#include "grid.h"

#define TCOLS 14
#define TROWS 480
#define TTEXT 96

/* A rendered table: header and rows of text cells, shared by the Markdown and LaTeX writers. */
typedef struct {
    char head[TCOLS][TTEXT];
    int ncols;
    char rows[TROWS][TCOLS][TTEXT];
    int rule_after[TROWS];        /* a midrule after this row (group boundary) */
    int nrows;
    char caption[320];
} TextTable;

/* Everything one table document says around its tables. */
typedef struct {
    const Experiment *e;
    const Grid *g;                /* NULL for cost tables */
    TextTable *t;
    int ntables;
    char setting[2048];           /* profile, data, networks, schedule, seeds, metric */
    char resolution[1536];        /* the smallest paired difference the seeds resolve */
    char reference[2048];         /* the reproduction check's summary, "" without reference */
} ReportDoc;

const PaperRow *paper_find(const Experiment *e, const char *net, const char *scheme);
const char *scheme_label(const Experiment *e, const char *net, const char *scheme);
int paper_has_top5(const Experiment *e);
/* A GridCell with no runs, for positions the matrix lacks (fp in a table without fp). */
const GridCell *grid_cell_or_empty(const Grid *g, int net, int scheme, int bits);

void num_text(double v, const char *fmt, char *out);
/* The bits layout (one column per bit-width) and the ablation layout (one row per method). */
void layout_bits(const Grid *g, TextTable *t, int top5);
void layout_ablation(const Grid *g, TextTable *t);
/* ReportDoc.resolution from the grid (.reference: refcheck_summary). */
void layout_resolution(const Grid *g, char *out, size_t cap);
void setting_text(const Experiment *e, const CellList *cells, char *out, size_t cap);

void md_document(FILE *f, const ReportDoc *d);
void tex_document(FILE *f, const ReportDoc *d);
void csv_grid(FILE *f, const Grid *g);

#endif
