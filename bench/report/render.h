/* The report's internal interface: the text tables built from a grid (layout.c), their
 * Markdown and LaTeX writers (render_md.c, render_tex.c), the CSV written from the grid
 * itself (render_csv.c), and the lookups they share. */
#ifndef QB_RENDER_H
#define QB_RENDER_H

#include <stdio.h>

#include "grid.h"
#include "regime.h"

#define TTEXT 96
typedef char TCell[TTEXT];

/* A rendered table: header and rows of text cells, shared by the Markdown and LaTeX writers;
 * the header is complete before the first row, and every row has ncols cells. Rows are
 * allocated as they are added (text_table.c). */
typedef struct {
    TCell *head;                  /* ncols cells (owned) */
    int ncols, cap_head;
    TCell **rows;                 /* nrows rows of ncols cells (owned) */
    int nrows, cap_rows;
    int *rule_after;              /* per row: a midrule after it (group boundary) */
    int nrules, cap_rules;
    char caption[320];
} TextTable;

/* Appends a header cell. */
void table_head(TextTable *t, const char *text);
/* Appends a row of empty cells and returns it. */
TCell *table_row(TextTable *t);
void table_free(TextTable *t);

/* Everything one table document says around its tables. */
typedef struct {
    const Experiment *e;
    const Grid *g;                /* NULL for cost tables */
    TextTable *t;
    int ntables;
    Regime regime;                /* the profile's regime and the paper's */
    char regime_line[2048];       /* both regimes, first in every header (regime_header) */
    char setting[2048];           /* profile, data, networks, schedule, seeds, metric */
    char legend[1024];            /* what the rows under each method compare (layout_legend) */
    char resolution[1536];        /* the smallest paired difference the seeds resolve */
    char reference[2048];         /* the reproduction check's summary, "" without reference */
    char convergence[512];        /* the convergence note (conv_note.h), "" without results */
} ReportDoc;

const PaperRow *paper_find(const Experiment *e, const char *net, const char *scheme);
const char *scheme_label(const Experiment *e, const char *net, const char *scheme);
/* The paper's number of row p at bits (0: its full-precision number); NAN without one. */
double paper_number(const PaperRow *p, int bits, int top5);
/* The paper's own method − baseline at (net, bits): the method's row minus the baseline's
 * (baseline fp: its own row, else the full-precision number of the method's row); NAN when
 * either number, or the baseline, is missing. */
double paper_paired(const Experiment *e, const char *net, const char *scheme, int bits,
                    int top5);

void num_text(double v, const char *fmt, char *out);
/* The bits layout (one column per bit-width) and the ablation layout (one row per method);
 * qbench − paper only in the paper's own regime (r). */
void layout_bits(const Grid *g, const Regime *r, TextTable *t, int top5);
void layout_ablation(const Grid *g, const Regime *r, TextTable *t);
/* ReportDoc.legend: the comparison rows (qbench − paper, or why not; paper − baseline). */
void layout_legend(const Grid *g, const Regime *r, char *out, size_t cap);
/* ReportDoc.resolution from the grid (.reference: refcheck_summary). */
void layout_resolution(const Grid *g, char *out, size_t cap);
void setting_text(const Experiment *e, const CellList *cells, char *out, size_t cap);
/* "**Regime: scaled replica** — <detail>. **Paper's regime:** <paper.regime>." */
void regime_header(const Experiment *e, const Regime *r, char *out, size_t cap);

void md_document(FILE *f, const ReportDoc *d);
void tex_document(FILE *f, const ReportDoc *d);
void csv_grid(FILE *f, const Grid *g, const Regime *r);
/* s as one CSV field: quoted, inner quotes doubled. */
void csv_text(FILE *f, const char *s);

/* <base>.md and <base>.csv written together through write(md, csv, user): each atomically,
 * and neither when write fails or the first cannot be opened. */
typedef int (*MdCsvWriter)(FILE *md, FILE *csv, void *user, QbErr *err);
int md_csv_write(const char *base, MdCsvWriter write, void *user, QbErr *err);

#endif
