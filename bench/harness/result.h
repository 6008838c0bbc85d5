/* Result files: results/<experiment>/<cell-id>.json, one per cell, written atomically. They
 * hold the resolved configuration and conventions, per-epoch metrics, final and best-epoch
 * metrics, the within-run training curve and the convergence rule's verdict on it, cost,
 * timing (the wall time of the cell's last invocation, the epochs' sum) and provenance
 * (qbench's git commit and dirtiness; CPU model and vendor/family/model/stepping; the ISA
 * extensions compiled in; OpenBLAS version, configuration and core type; compiler; library
 * versions; machine); they are the only input of tables and plots. */
#ifndef QB_RESULT_H
#define QB_RESULT_H

#include "run/converge.h"
#include "run/run.h"
#include "cell.h"

#define RESULT_FORMAT_VERSION 1

/* Writes the result of `cell` (status from res, or "failed" with `failure` when the run
 * itself failed) to path atomically. */
int result_write(const char *path, const Experiment *e, const Cell *cell, const RunConfig *ran,
                 const RunResult *res, const char *failure, QbErr *err);

/* What tables need from one result file. */
typedef struct {
    int ok;                      /* status "ok" */
    char status[16], reason[256];
    double final_top1, final_top5, best_top1, best_top5;
    int epochs, best_epoch;      /* best_epoch 1-based */
    double bitops, params, size_bytes, train_seconds, images_per_s;
    char cell[CELL_ID_MAX], net[32], scheme[32], profile[32];  /* its matrix position */
    int bits;
    int budget;                  /* the training-length multiplier it ran at (experiment.h) */
    long long seed;
    unsigned long long metrics_digest;  /* of every epoch's metrics and final and best, timing
                                           left out: equal for bit-identical runs */
    ConvVerdict convergence;     /* the recorded verdict (run/converge.h); not recorded in
                                    files written before training curves */
} ResultSummary;

/* Reads a result file; a malformed or half-written file is an error naming it. */
int result_read(const char *path, ResultSummary *s, QbErr *err);

/* Whether a directory of that name under a results directory is not an experiment's
 * (reference, tables, bench). */
int result_dir_reserved(const char *name);

#endif
