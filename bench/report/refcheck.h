/* The reproduction check (`qbench report --reference DIR`): every cell of a run against the
 * same matrix position and seeds of a reference results directory (grid.h loads both). A
 * cell is identical when every seed both finished has bit-equal metrics: the final and best
 * ones and every epoch's, timing aside (result.h's metrics digest). Otherwise its difference
 * to the reference is within or outside the noise: with two or more paired seeds whose
 * differences spread, their 95% interval; with one seed, the one-seed tolerance (--tolerance
 * or table.tolerance when given, else measured from the reference cell's own seeds). Also
 * the text of a "− reference" cell, the CSV status names and the summary line. */
#ifndef QB_REFCHECK_H
#define QB_REFCHECK_H

#include "grid.h"

typedef enum { REF_NONE, REF_IDENTICAL, REF_WITHIN, REF_OUTSIDE, REF_UNCHECKED } RefStatus;

typedef struct {
    Paired d;          /* user − reference, paired by seed */
    double noise;      /* the seeds' 95% half-width (differences that spread) or the one-seed
                          tolerance; NAN: neither exists */
    RefStatus status;  /* NONE: no pair; UNCHECKED: no noise to judge by */
    int other_code;    /* a reference run of this position has another cell id */
} RefCheck;

/* The one-seed tolerance measured from the reference cell's seeds. A run that is not
 * bit-identical to the same seed's reference run diverged from it chaotically after its
 * first rounding difference, so the two are taken as two independent seeds (sharing the
 * seed's initialisation and data order can keep them closer, not further apart). Two seeds
 * differ with standard deviation √2·σ; σ estimated by the sample std s of the reference
 * cell's n seeds gives the 95% bound t975(n−1)·√2·s. NAN when the reference cell has fewer
 * than two finished seeds or no spread. */
double refcheck_one_seed_noise(const GridCell *ref, int top5);

void refcheck_cell(const Grid *g, const GridCell *user, const GridCell *ref, int top5,
                   RefCheck *out);
/* The CSV's ref_status: "", identical, within, outside, unchecked. */
const char *refcheck_status_name(RefStatus s);
/* The "− reference" cell: "identical", "+0.12", "-1.00 outside", "-0.20 unchecked", "–". */
void refcheck_diff_text(const Grid *g, const GridCell *user, const GridCell *ref, int top5,
                        char *out, size_t cap);
/* The summary under the table and the last line of `qbench report` ("" without a
 * reference): "... 34/34 identical to the reference." */
void refcheck_summary(const Grid *g, char *out, size_t cap);

#endif
