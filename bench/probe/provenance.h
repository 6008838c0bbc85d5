/* The header of the probe's error files (block_error.dat, layer_error.dat), the data a claim's
 * verdict reads: the column line, "# bits B samples N", then the provenance, one
 * "# provenance KEY VALUE" line per field:
 *
 *   # provenance profile quick                      (the make PROFILE; none when not given)
 *   # provenance results results                    (the results directory; none)
 *   # provenance data fmnist                        (the data set the batches came from)
 *   # provenance net resnet20
 *   # provenance fp nets/pretrained/resnet20-fmnist.ckpt   (the full-precision net)
 *   # provenance scheme asq bits 3 cell table4/resnet20_asq_3b_s1_78e8e122d0dd
 *   # provenance scheme lsq bits 3 untrained
 *
 * One scheme line per quantized net measured: `cell EXPERIMENT/ID` when its weights and
 * quantizers are that cell's trained checkpoint, `checkpoint PATH` for a trained checkpoint
 * that is no cell's (no result file beside it), `untrained` for the full-precision weights
 * with quantizers initialised on one batch. Every line starts with '#', so gnuplot and the
 * row readers skip them. A claim uses the file only when this provenance is its own regime
 * (bench/report/probe_source.h); a file from before the provenance was recorded has none. */
#ifndef QB_PROBE_PROVENANCE_H
#define QB_PROBE_PROVENANCE_H

#include <stdio.h>

#include "harness/cell.h"
#include "dat.h"
#include "probe.h"

typedef enum { PROV_UNTRAINED, PROV_CELL, PROV_CHECKPOINT } ProvKind;

typedef struct {
    char scheme[PROBE_SCHEME_MAX];
    int bits;
    ProvKind kind;
    char experiment[64], cell[CELL_ID_MAX];   /* PROV_CELL */
    char checkpoint[PROBE_PATH_MAX];          /* PROV_CHECKPOINT */
} ProvNet;

typedef struct {
    char profile[32];                 /* "none" when the probe was given no profile */
    char results[PROBE_PATH_MAX];     /* "none" likewise */
    char data[16], net[32];
    char fp[PROBE_PATH_MAX];
    ProvNet nets[PROBE_SCHEMES_MAX];
    int nnets;
} Provenance;

/* What the reader found before the first row. */
typedef struct {
    char *columns;        /* the column line without its "# " (owned) */
    int bits, samples;
    int has_provenance;   /* 0: a file written before the provenance was recorded */
    Provenance prov;
    int next_line;        /* the line number of the first row */
} ProbeHeader;

/* Starts an error file: the column line, "# bits B samples N" and p's lines. */
void provenance_begin(DatFile *d, const char *name, const char *columns, int bits, int samples,
                      const Provenance *p);
/* p's "# provenance" lines, the scheme lines of `scheme` alone unless it is NULL: the
 * activation files (act_hist_<scheme>.dat) carry them too, so their figure says whether the
 * quantizers it shows were trained. */
void provenance_lines(DatFile *d, const Provenance *p, const char *scheme);

/* Reads the header from the start of f, leaving f at the first row. A file without
 * provenance lines is not an error (has_provenance 0); a malformed line, a field given twice
 * or missing, or an unknown '#' line is, as "path:line: what was expected". */
int provenance_read(ProbeHeader *h, FILE *f, const char *path, QbErr *err);
void provenance_header_free(ProbeHeader *h);

/* The net of scheme at bits, or NULL. */
const ProvNet *provenance_net(const Provenance *p, const char *scheme, int bits);

/* Whether two paths name the same file or directory (both resolved when they exist, else
 * compared as written). */
int paths_same(const char *a, const char *b);

#endif
