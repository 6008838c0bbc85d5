#include "sched.h"

#include <math.h>
#include <string.h>

static const char *const sched_names[] = {
    [SCHED_COSINE] = "cosine",
    [SCHED_STEP] = "step",
    [SCHED_CONSTANT] = "constant",
    [SCHED_COSINE_PER_STEP] = "cosine_per_step",
};
const NameTable sched_kind_names = NAMETABLE_STRINGS_INIT(sched_names);

/* The cosine curve at t in [0, 1): base_lr at 0, min_lr at 1. */
static float cosine_at(const Schedule *s, double t)
{
    return (float)(s->min_lr + (s->base_lr - s->min_lr) * 0.5 * (1.0 + cos(M_PI * t)));
}

float sched_lr(const Schedule *s, int epoch, int iter, int iters)
{
    if (epoch < s->warmup_epochs) {
        double done = (double)epoch * iters + iter + 1;
        return (float)(s->base_lr * done / ((double)s->warmup_epochs * iters));
    }
    int span = s->epochs - s->warmup_epochs;
    switch (s->kind) {
    case SCHED_COSINE:
        return cosine_at(s, span > 0 ? (double)(epoch - s->warmup_epochs) / span : 0.0);
    case SCHED_COSINE_PER_STEP: {
        double done = (double)(epoch - s->warmup_epochs) * iters + iter;
        return cosine_at(s, span > 0 && iters > 0 ? done / ((double)span * iters) : 0.0);
    }
    case SCHED_STEP: {
        double lr = s->base_lr;
        for (int i = 0; i < s->nmilestones; i++)
            if (epoch >= s->milestones[i])
                lr *= s->gamma;
        return (float)lr;
    }
    case SCHED_CONSTANT:
        break;
    }
    return s->base_lr;
}

int sched_kind_parse(const char *name, SchedKind *out)
{
    int i = nametable_index(sched_kind_names, name);
    if (i >= 0)
        *out = (SchedKind)i;
    return i < 0 ? -1 : 0;
}

const char *sched_kind_name(SchedKind k) { return sched_names[k]; }
