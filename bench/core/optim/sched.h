/* Learning-rate schedules as pure functions of (epoch, iteration): cosine decay without
 * restarts (per epoch, or per step), step decay at milestones, each with an optional linear
 * warm-up. */
#ifndef QB_SCHED_H
#define QB_SCHED_H

#include "core/nametable.h"

typedef enum { SCHED_COSINE, SCHED_STEP, SCHED_CONSTANT, SCHED_COSINE_PER_STEP } SchedKind;

#define SCHED_MAX_MILESTONES 8

typedef struct {
    SchedKind kind;
    float base_lr;
    int epochs;
    int warmup_epochs;           /* linear from base_lr/steps to base_lr over these epochs */
    float min_lr;                /* cosine floor (eta_min) */
    int milestones[SCHED_MAX_MILESTONES];
    int nmilestones;
    float gamma;                 /* step decay factor */
} Schedule;

/* lr for iteration `iter` (0-based) of epoch `epoch` (0-based) with `iters` per epoch.
 * After warm-up, cosine and step change per epoch, as PyTorch's epoch-stepped schedulers;
 * cosine_per_step follows the same curve per iteration, so it nears min_lr at the last step
 * (a short fine-tune then ends at a small rate instead of base·(1 + cos(π(E−1)/E))/2). */
float sched_lr(const Schedule *s, int epoch, int iter, int iters);
int sched_kind_parse(const char *name, SchedKind *out);
/* The schedules' names, in SchedKind order (the settings table's accepted values). */
extern const NameTable sched_kind_names;
const char *sched_kind_name(SchedKind k);

#endif
