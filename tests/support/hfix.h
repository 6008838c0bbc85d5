/* Shared fixtures of the harness tests: a scratch directory and a small valid experiment. */
#ifndef QB_TEST_HFIX_H
#define QB_TEST_HFIX_H

#include <stddef.h>

#include "harness/cell.h"

/* The run fragment of e's cells l with every input present (qbench rules --make), tables to
 * <table_base>. */
int hfix_fragment(const char *path, const Experiment *e, const CellList *l,
                  const char *table_base, QbErr *err);

/* A fresh scratch directory per test process (created on first use). */
const char *hfix_dir(void);
/* Writes text to <scratch>/<name> and returns the full path (static buffer per call slot). */
const char *hfix_write(const char *name, const char *text);
/* A minimal valid experiment on synthetic data (two schemes, two bit-widths, two seeds,
 * one exclusion, a smoke profile); `extra` is appended at the top level. */
const char *hfix_experiment(const char *name, const char *extra);

/* How many times `what` occurs in text. */
int hfix_count(const char *text, const char *what);
/* The whole file at path (at most cap-1 bytes) into out, NUL-terminated; fails the test when
 * it cannot be read. */
void hfix_read(const char *path, char *out, size_t cap);

/* How many cells the experiment file at path holds under profile (what a run of it trains),
 * and into *methods (when not NULL) how many of its schemes are not full precision (its
 * table's method rows): read from the file, so a method added to a table needs no test edit.
 * Fails the test when the file does not load. */
int hfix_cells_of(const char *path, const char *profile, int *methods);

/* The cell of l at (scheme, bits, seed); fails the test when there is none. */
const Cell *hfix_cell(const CellList *l, const char *scheme, int bits, long long seed);

/* The cell (scheme, bits, seed 1) of the experiment `text` (written as NAME.yaml, its name:
 * NAME), trained through `qbench run-cell` into hfix_dir()/results unless its checkpoint is
 * there already; writes into base its files' path without the extension (BASE.ckpt,
 * BASE.json). */
void hfix_trained_cell(const char *name, const char *text, const char *scheme, int bits,
                       char *base, size_t cap);

#endif
