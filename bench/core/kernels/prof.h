/* Step profile: exclusive wall time per kind of work (conv forward, conv backward-data,
 * backward-weights, BN, quantizers, ...), for `qbench bench --profile`. Off by default, so a
 * training run pays one predictable branch per call. Sections nest: a push pauses the
 * enclosing section, so every second is counted once. Called only from the serial thread,
 * between parallel regions. */
#ifndef QB_PROF_H
#define QB_PROF_H

typedef enum {
    PROF_OTHER,            /* relu, pooling, residual adds, the loss */
    PROF_CONV_FWD,
    PROF_CONV_BWD_DATA,
    PROF_CONV_BWD_WEIGHTS,
    PROF_CONV_BWD_FUSED,   /* data and weight gradients in one pass (direct kernels) */
    PROF_BN,
    PROF_QUANT,            /* weight and activation fake quantizers, forward and backward */
    PROF_LINEAR,
    PROF_OPTIM,
    PROF_KINDS
} ProfKind;

void prof_enable(int on);
/* Zeroes the totals and starts the clock in PROF_OTHER. */
void prof_reset(void);
void prof_push(ProfKind k);
void prof_pop(void);
/* Seconds per kind since prof_reset. */
void prof_read(double out[PROF_KINDS]);
const char *prof_name(ProfKind k);

#endif
