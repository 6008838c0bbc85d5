#include "estimate.h"

#include <stdlib.h>
#include <string.h>

#include "run/run.h"

/* What a step's time depends on: the network as built and its quantizers (not the bits). */
struct EstimateStep {
    char key[200];
    StepTime t;
};

int estimator_init(Estimator *s, const Experiment *e, QbErr *err)
{
    memset(s, 0, sizeof *s);
    s->e = e;
    const RunConfig *b = &e->base;
    return dataset_files(b->data, b->data_dir[0] ? b->data_dir : NULL, &s->files, err);
}

/* The data set's size: its splits read once when its files are all there. */
static int data_counts(Estimator *s, QbErr *err)
{
    int there = 1;
    for (int i = 0; i < s->files.nfiles; i++)
        there &= !s->files.missing[i];
    if (s->counted)
        return 0;
    s->counted = there ? 1 : -1;
    s->train_count = s->files.nominal_train;
    s->test_count = s->files.nominal_test;
    if (!there)
        return 0;
    const RunConfig *b = &s->e->base;
    DataOptions opt = {0};
    opt.dims = b->input;
    opt.classes = b->classes;
    Dataset d;
    for (int split = 0; split < 2; split++) {
        if (dataset_open_opts(&d, b->data, b->data_dir[0] ? b->data_dir : NULL, &opt,
                              split ? DATA_TEST : DATA_TRAIN, err) < 0)
            return -1;
        *(split ? &s->test_count : &s->train_count) = d.count;
        dataset_free(&d);
    }
    return 0;
}

void estimator_free(Estimator *s)
{
    free(s->steps);
    memset(s, 0, sizeof *s);
}

static int step_time(Estimator *s, const RunConfig *c, Dims in, int classes, StepTime **out,
                     QbErr *err)
{
    char key[200];
    snprintf(key, sizeof key, "%s|%g|%s|%dx%dx%d|%d|%s|%s", c->net, c->width, c->shortcut, in.c,
             in.h, in.w, classes, c->scheme, c->first_last);
    for (int i = 0; i < s->n; i++)
        if (!strcmp(s->steps[i].key, key))
            return *out = &s->steps[i].t, 0;
    StepTime t;
    Net net;
    int rc = run_net_build(c, in, classes, &net, err);
    if (rc == 0)
        rc = steptime_measure(&net, c->batch, 1, &t, err);
    net_free(&net);
    if (rc < 0)
        return qb_wrap(err, "timing a step of %s%s%s: ", c->net, c->scheme[0] ? " " : "",
                       c->scheme);
    s->steps = realloc(s->steps, sizeof *s->steps * (size_t)(s->n + 1));
    QB_ASSERT(s->steps);
    snprintf(s->steps[s->n].key, sizeof s->steps[s->n].key, "%s", key);
    s->steps[s->n].t = t;
    s->batch_min = !s->n || t.batch < s->batch_min ? t.batch : s->batch_min;
    s->batch_max = t.batch > s->batch_max ? t.batch : s->batch_max;
    *out = &s->steps[s->n++].t;
    return 0;
}

int estimate_run(Estimator *s, const RunConfig *cfg, const Cell *known, double *seconds,
                 QbErr *err)
{
    static const Cell none;
    known = known ? known : &none;
    if (!known->train_count && data_counts(s, err) < 0)
        return -1;
    Dims in = known->input.c ? known->input : cfg->input.c ? cfg->input : s->files.dims;
    int k = known->classes ? known->classes : cfg->classes ? cfg->classes : s->files.classes;
    double train = known->train_count ? known->train_count : s->train_count;
    double test = known->test_count ? known->test_count : s->test_count;
    StepTime *t;
    if (step_time(s, cfg, in, k, &t, err) < 0)
        return -1;
    if (cfg->train_subset && cfg->train_subset < train)
        train = cfg->train_subset;
    *seconds = cfg->epochs * (train * t->train_s + test * t->eval_s);
    return 0;
}

int estimate_cells(Estimator *s, const CellList *cells, Plan *p, QbErr *err)
{
    for (int i = 0; i < cells->n; i++) {
        const Cell *c = &cells->cells[i];
        PlanCell *pc = &p->cells[i];
        if (pc->action != PLAN_TRAIN || pc->seconds >= 0)
            continue;
        if (estimate_run(s, &c->cfg, c, &pc->seconds, err) < 0)
            return -1;
        pc->timed_here = 1;
    }
    estimator_note(s, p->timed_note, sizeof p->timed_note);
    return 0;
}

void estimator_note(const Estimator *s, char *out, size_t cap)
{
    char batch[32], size[200];
    snprintf(batch, sizeof batch, s->batch_min == s->batch_max ? "%d" : "%d-%d", s->batch_min,
             s->batch_max);
    if (s->counted < 0)
        snprintf(size, sizeof size, "%s %d training images (or its training subset) and %d test "
                 "images, the data not being here yet", s->files.nominal, s->train_count,
                 s->test_count);
    else
        snprintf(size, sizeof size, "its training images (or subset) and test images");
    snprintf(out, cap, "a training and an eval step of each network and scheme timed here now "
             "(%d step%s at the input size, batch %s, 1 thread, CPU time), times each run's "
             "epochs of %s", s->n, s->n == 1 ? "" : "s", batch, size);
}
