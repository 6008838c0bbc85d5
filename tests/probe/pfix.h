/* Probe test fixtures: a probe run into a fresh temporary directory (small_cnn on synthetic
 * images, so each run takes a fraction of a second) and a reader for the .dat files. */
#ifndef QB_PFIX_H
#define QB_PFIX_H

#include "probe/probe.h"

#define PFIX_CKPT "nets/pretrained/small_cnn-fmnist.ckpt"
#define PFIX_BATCH 8
#define PFIX_BINS 40
/* small_cnn's default probed layer: conv3, 64 x 32·3·3 weights, input 32x7x7 */
#define PFIX_WEIGHTS (64 * 32 * 9)
#define PFIX_INPUTS (PFIX_BATCH * 32 * 7 * 7)

/* small_cnn on synth, batch PFIX_BATCH, PFIX_BINS bins, out = a new temporary directory. */
void pfix_config(ProbeConfig *c);
/* probe_run that must succeed (prints the error otherwise). */
void pfix_run(const ProbeConfig *c, ProbeReport *r);
/* Removes the files of the report and the directory. */
void pfix_clean(const ProbeConfig *c, const ProbeReport *r);

/* A .dat file: its '#' lines (header = the first) and its rows of whitespace-separated
 * fields. */
#define DAT_MAX_ROWS 512
#define DAT_MAX_COLS 40
typedef struct {
    char header[512];
    char comment[512];   /* the second '#' line, "" when there is none */
    int nrows, ncols;    /* ncols: of the first row; every row must have as many */
    char field[DAT_MAX_ROWS][DAT_MAX_COLS][48];
} Dat;

/* Reads dir/name into a malloc'd Dat (asserts it parses and every row has the same width). */
Dat *dat_load(const char *dir, const char *name);
double dat_num(const Dat *d, int row, int col);
/* Index of the header's column `name`, asserting it exists. */
int dat_col(const Dat *d, const char *name);

#endif
