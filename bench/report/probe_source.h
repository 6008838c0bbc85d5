/* The probe data a block-error claim reads (block_error.dat, bench/probe/provenance.h). The
 * file is used only when its provenance is the claims table's own regime: the table's profile
 * and results directory, the data set, net and full-precision starting checkpoint of the
 * claim's experiment, and as its two quantized nets the trained checkpoints of the two cells
 * the claim compares, of one seed. Anything else (another profile, untrained quantizers,
 * other cells, a file without provenance) leaves the claim missing, with the reason and the
 * command that measures it for this regime. */
#ifndef QB_REPORT_PROBE_SOURCE_H
#define QB_REPORT_PROBE_SOURCE_H

#include <stddef.h>

#include <stdio.h>

#include "grid.h"
#include "probe/provenance.h"

typedef struct {
    const char *path;            /* the data file */
    const char *profile;         /* the claims table's profile */
    const char *results;         /* the claims table's results directory */
    int by_position;             /* the committed reference (see probe_source.c) */
    const Experiment *e;         /* the claim's experiment, loaded for the profile */
    const char *net, *method, *versus;
    int bits;
    const GridCell *a, *b;       /* method's and versus's positions: the ids the table reads */
} BlockSource;

typedef struct {
    int n;                       /* blocks */
    double mean, lo, hi;         /* method's relative error − versus's, over the blocks */
    double a, b;                 /* each one's mean relative error */
} BlockDiff;

/* 1 with d filled when s->path was measured on s's regime; 0 with why (the reason, then the
 * command that measures it) otherwise, a malformed file included (its located error). */
int block_source_read(const BlockSource *s, BlockDiff *d, char *why, size_t cap);

/* For files whose rows the caller reads (layer_error.dat): 1 when s->path was measured on s's
 * regime, with *f left at its first row and h its header (release both with
 * probe_source_close); else 0 with why as above and nothing open. */
int probe_source_open(const BlockSource *s, FILE **f, ProbeHeader *h, char *why, size_t cap);
void probe_source_close(FILE *f, ProbeHeader *h);
/* The index of a named column of h's column line, or -1. */
int probe_column(const ProbeHeader *h, const char *name);

#endif
