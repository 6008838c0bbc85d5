#include "prof.h"

#include <time.h>

#include "core/err.h"

#define PROF_DEPTH 8

static int enabled, depth;
static ProfKind stack[PROF_DEPTH];
static double total[PROF_KINDS], mark;

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* Charges the time since the last mark to the innermost open section. */
static void charge(void)
{
    double t = now();
    total[stack[depth]] += t - mark;
    mark = t;
}

void prof_enable(int on) { enabled = on; }

void prof_reset(void)
{
    for (int k = 0; k < PROF_KINDS; k++)
        total[k] = 0.0;
    depth = 0;
    stack[0] = PROF_OTHER;
    mark = now();
}

void prof_push(ProfKind k)
{
    if (!enabled)
        return;
    QB_ASSERT(depth + 1 < PROF_DEPTH);
    charge();
    stack[++depth] = k;
}

void prof_pop(void)
{
    if (!enabled)
        return;
    QB_ASSERT(depth > 0);
    charge();
    depth--;
}

void prof_read(double out[PROF_KINDS])
{
    if (enabled)
        charge();
    for (int k = 0; k < PROF_KINDS; k++)
        out[k] = total[k];
}

const char *prof_name(ProfKind k)
{
    static const char *const names[PROF_KINDS] = {
        "other (relu, pool, add, loss)", "conv forward", "conv backward-data",
        "conv backward-weights", "conv backward (data+weights fused)", "batch norm",
        "quantizers", "linear", "optimizer"};
    return names[k];
}
