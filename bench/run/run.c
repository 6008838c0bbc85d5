#include "run.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "nets/registry.h"
#include "quantizers/schemes.h"
#include "core/atomic_file.h"
#include "core/checkpoint.h"
#include "core/cost.h"
#include "core/data/dataset.h"
#include "core/data/loader.h"
#include "core/rng.h"
#include "core/threads.h"
#include "core/train.h"
#include "record.h"

const char *run_status_name(RunStatus s)
{
    static const char *const names[] = {"ok", "diverged", "interrupted"};
    return names[s];
}

/* Both splits; the data set decides dims and classes unless the config fixes them. */
typedef struct {
    Dataset train, test;
    Loader train_loader, test_loader;
} RunData;

int run_dataset_open(const RunConfig *c, DataSplit split, Dataset *d, QbErr *err)
{
    DataOptions opt = {0};
    opt.dims = c->input;
    opt.classes = c->classes;
    return dataset_open_opts(d, c->data, c->data_dir[0] ? c->data_dir : NULL, &opt, split, err);
}

static int data_open(const RunConfig *c, RunData *d, QbErr *err)
{
    if (run_dataset_open(c, DATA_TRAIN, &d->train, err) < 0 ||
        run_dataset_open(c, DATA_TEST, &d->test, err) < 0)
        return -1;
    LoaderConfig tl = {c->batch, 1, 1, c->crop_pad, c->flip, c->seed, c->train_subset};
    LoaderConfig el = {c->batch, 0, 0, 0, 0, c->seed, 0};
    if (loader_init(&d->train_loader, &d->train, &tl, err) < 0 ||
        loader_init(&d->test_loader, &d->test, &el, err) < 0)
        return -1;
    return 0;
}

static void data_close(RunData *d)
{
    dataset_free(&d->train);
    dataset_free(&d->test);
}

static char *config_text(const RunConfig *c)
{
    JsonW w;
    jw_init(&w, 0);
    runcfg_to_json(c, &w, NULL);
    return w.buf; /* ownership passes to the caller */
}

/* Per-epoch records travel in checkpoints as one text line each. */
static char *history_text(const RunResult *r)
{
    size_t cap = 64 + (size_t)r->n_epochs * 256, at = 0;
    char *s = malloc(cap);
    QB_ASSERT(s);
    s[0] = '\0';
    for (int i = 0; i < r->n_epochs; i++) {
        const EpochRecord *e = &r->epochs[i];
        at += (size_t)snprintf(s + at, cap - at, "%d %.9g %.17g %.17g %.17g %.17g %.17g %.17g %.17g\n",
                               e->epoch, e->lr, e->train_loss, e->train_top1, e->test_loss,
                               e->test_top1, e->test_top5, e->seconds, e->images_per_s);
    }
    return s;
}

static int history_parse(const char *path, const char *text, RunResult *r, QbErr *err)
{
    for (const char *p = text; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL) {
        EpochRecord e;
        if (sscanf(p, "%d %f %lf %lf %lf %lf %lf %lf %lf", &e.epoch, &e.lr, &e.train_loss,
                   &e.train_top1, &e.test_loss, &e.test_top1, &e.test_top5, &e.seconds,
                   &e.images_per_s) != 9)
            return qb_fail(err, "%s: corrupt metrics history in the checkpoint", path);
        r->epochs = realloc(r->epochs, sizeof(EpochRecord) * (size_t)(r->n_epochs + 1));
        QB_ASSERT(r->epochs);
        r->epochs[r->n_epochs++] = e;
    }
    return 0;
}

static void optimizer_setup(const RunConfig *c, Optimizer *o)
{
    optim_defaults(o, c->weight_decay);
    for (int g = 0; g < PGROUP_COUNT; g++) {
        o->group[g].kind = c->optimizer;
        o->group[g].momentum = c->momentum;
        o->group[g].nesterov = c->nesterov;
    }
    o->group[PGROUP_BN].weight_decay = c->bn_weight_decay;
    o->group[PGROUP_BIAS].weight_decay = c->bn_weight_decay;
    o->group[PGROUP_QUANT].weight_decay = c->quant_weight_decay;
    o->group[PGROUP_QUANT].lr_mult = c->quant_lr_mult;
}

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* Everything one run holds; freed by run_close. */
typedef struct {
    const RunConfig *cfg;
    RunData data;
    Net net;
    Optimizer opt;
    Schedule sched;
    int *labels;
    RunProgress progress;
    void *user;
    EpochStats partial;   /* the interrupted epoch's stats, restored on resume */
    int64_t step;         /* completed iterations over the whole run */
    TrainCurve curve;     /* every completed step's batch, restored on resume */
} Run;

int run_net_build(const RunConfig *c, Dims input, int classes, Net *net, QbErr *err)
{
    NetOptions o;
    net_options_defaults(&o);
    o.input = input;
    o.classes = classes;
    o.width = c->width;
    o.shortcut = c->shortcut[0];
    if (net_build(net, c->net, &o, err) < 0)
        return -1;
    if (c->scheme[0]) {
        SchemeOptions so = run_scheme_options(c);
        if (scheme_apply(net, c->scheme, c->wbits, &so, err) < 0)
            return -1;
    }
    return 0;
}

int run_net_restore(const RunConfig *c, Dims input, int classes, const char *ckpt,
                    const char *from, Net *net, QbErr *err)
{
    threads_set(c->threads);
    net_init(net, input);
    if (run_net_build(c, input, classes, net, err) < 0)
        return qb_wrap(err, "%s: %s: ", ckpt, from);
    if (net_alloc(net, c->batch, c->threads, err) < 0)
        return -1;
    return checkpoint_load(ckpt, net, NULL, NULL, CKPT_RESUME, err);
}

SchemeOptions run_scheme_options(const RunConfig *c)
{
    /* the weight width is scheme_apply's own bits argument (c->wbits); only the activation
     * width travels here */
    return (SchemeOptions){c->first_last, c->asq_first_layer, 0, c->abits, c->qopts,
                           c->nqopts, c->overrides, c->noverrides, c->seed};
}

static int model_build(Run *r, QbErr *err)
{
    const RunConfig *c = r->cfg;
    if (run_net_build(c, r->data.train.dims, r->data.train.classes, &r->net, err) < 0)
        return -1;
    if (net_alloc(&r->net, c->batch, c->threads, err) < 0)
        return -1;
    Rng init = rng_stream(c->seed, "init");
    net_init_params(&r->net, &init);
    if (c->from[0] && checkpoint_load(c->from, &r->net, NULL, NULL, CKPT_WEIGHTS, err) < 0)
        return -1;
    r->labels = calloc((size_t)c->batch, sizeof(int));
    QB_ASSERT(r->labels);
    return 0;
}

static int checkpoint_write(Run *r, const RunResult *res, int64_t epoch, QbErr *err)
{
    const RunConfig *c = r->cfg;
    if (!c->ckpt[0])
        return 0;
    char *hist = history_text(res), *conf = config_text(c), *curve = curve_text(&r->curve);
    size_t n = strlen(hist), nc = strlen(curve);
    hist = realloc(hist, n + nc + 160);
    QB_ASSERT(hist);
    memcpy(hist + n, curve, nc);
    free(curve);
    /* the partial epoch's running stats, so an interrupted epoch resumes its means too */
    snprintf(hist + n + nc, 160, "partial %.17g %.17g %.17g %ld %.17g\n", r->partial.loss,
             r->partial.top1, r->partial.top5, r->partial.samples, r->partial.seconds);
    CkptMeta m = {epoch, r->step, c->seed, conf, hist, record_text(&r->net, &r->data.test), 0};
    int rc = checkpoint_save(c->ckpt, &r->net, &r->opt, &m, err);
    free(hist);
    free(conf);
    free(m.record);
    return rc;
}

/* The weights of the epoch just recorded, when it is the best so far (run_best_epoch: the
 * first of equals), for a chain link that starts from its parent's best epoch. */
static int best_checkpoint_write(Run *r, const RunResult *res, QbErr *err)
{
    const RunConfig *c = r->cfg;
    if (!c->best_ckpt[0] || run_best_epoch(res) != res->n_epochs - 1)
        return 0;
    char *conf = config_text(c), *hist = history_text(res);
    CkptMeta m = {res->n_epochs, r->step, c->seed, conf, hist,
                  record_text(&r->net, &r->data.test), 0};
    int rc = checkpoint_save(c->best_ckpt, &r->net, NULL, &m, err);
    free(conf);
    free(hist);
    free(m.record);
    return rc;
}

/* The JSON value starting at v, up to the next ',' or '}' (at most 40 characters). */
static int json_value_len(const char *v)
{
    int n = (int)strcspn(v, ",}");
    return n > 40 ? 40 : n;
}

/* Names the first field where two compact config texts differ, with both values, so that a
 * refused resume says what changed (e.g. the thread count) instead of only that something did. */
static void config_difference(const char *ckpt_conf, const char *run_conf, char *out, size_t n)
{
    size_t i = 0;
    while (ckpt_conf[i] && ckpt_conf[i] == run_conf[i])
        i++;
    size_t colon = i;
    while (colon > 0 && !(ckpt_conf[colon] == ':' && ckpt_conf[colon - 1] == '"'))
        colon--;
    size_t key = colon > 1 ? colon - 2 : 0;
    while (key > 0 && ckpt_conf[key] != '"')
        key--;
    if (colon == 0 || ckpt_conf[colon] != ':') {
        snprintf(out, n, "they differ from byte %zu", i);
        return;
    }
    const char *a = ckpt_conf + colon + 1, *b = run_conf + colon + 1;
    snprintf(out, n, "%.*s is %.*s in the checkpoint, %.*s in this run", (int)(colon - key),
             ckpt_conf + key, json_value_len(a), a, json_value_len(b), b);
}

/* The checkpoint's training curve (cut off the metrics text, which keeps the epoch lines):
 * one of this run's plan, or, from a checkpoint written without a curve, none recorded. */
static int curve_restore(Run *r, char *metrics, int64_t step, QbErr *err)
{
    char *at = metrics ? strstr(metrics, "curve ") : NULL;
    int64_t planned = r->curve.total_steps;
    if (!at) {
        curve_init(&r->curve, step > 0 ? 0 : planned);
        return 0;
    }
    if (curve_parse(r->cfg->ckpt, at, &r->curve, err) < 0)
        return -1;
    *at = '\0';
    if (r->curve.total_steps != planned)
        return qb_fail(err, "%s: its training curve plans %lld steps, this run %lld",
                       r->cfg->ckpt, (long long)r->curve.total_steps, (long long)planned);
    return 0;
}

/* Resumes from c->ckpt when it exists: returns the epoch to continue, or -1. */
static int resume(Run *r, RunResult *res, QbErr *err)
{
    const RunConfig *c = r->cfg;
    if (!c->resume || !file_exists(c->ckpt))
        return 0;
    CkptMeta m = {0};
    if (checkpoint_load(c->ckpt, &r->net, &r->opt, &m, CKPT_RESUME, err) < 0)
        return -1;
    char *conf = config_text(c), what[160] = "no configuration recorded";
    int same = m.config && !strcmp(conf, m.config);
    if (!same && m.config)
        config_difference(m.config, conf, what, sizeof what);
    free(conf);
    char *partial = m.metrics ? strstr(m.metrics, "partial ") : NULL;
    int rc = 0;
    if (!same)
        rc = qb_fail(err, "%s: written by a different configuration (%s); delete it or run "
                          "without --resume", c->ckpt, what);
    if (rc == 0 && partial) {
        *partial = '\0';
        if (sscanf(partial + 8, "%lf %lf %lf %ld %lf", &r->partial.loss, &r->partial.top1,
                   &r->partial.top5, &r->partial.samples, &r->partial.seconds) != 5)
            rc = qb_fail(err, "%s: corrupt partial-epoch record", c->ckpt);
    }
    if (rc == 0)
        rc = curve_restore(r, m.metrics, m.step, err);
    if (rc == 0)
        rc = history_parse(c->ckpt, m.metrics, res, err);
    r->step = m.step;
    int epoch = (int)m.epoch;
    ckpt_meta_free(&m);
    return rc < 0 ? -1 : epoch;
}

static void step_hook(void *user, int epoch, int index, int batches, const EpochStats *sofar,
                      const EpochStats *batch)
{
    Run *r = user;
    if (r->curve.total_steps)
        curve_add(&r->curve, r->step, batch->loss, batch->top1);
    r->step++;
    if (r->progress)
        r->progress(r->user, r->cfg, epoch, index + 1, batches, sofar->loss, sofar->top1,
                    sofar->seconds, NULL);
}

/* One epoch: train from batch `first`, evaluate, record, checkpoint. Returns 0 to go on,
 * 1 to stop (diverged or interrupted; res->status says which), -1 on error. */
static int run_epoch(Run *r, RunResult *res, int epoch, volatile sig_atomic_t *stop, QbErr *err)
{
    BatchSource train = loader_source(&r->data.train_loader);
    BatchSource test = loader_source(&r->data.test_loader);
    int first = (int)(r->step - (int64_t)epoch * train.batches);
    Trainer t = {&r->net, &r->opt, &r->sched, r->cfg->label_smoothing, r->labels, step_hook, r,
                 stop};
    float lr0 = sched_lr(&r->sched, epoch, 0, train.batches);
    int rc = train_epoch(&t, &train, epoch, first, &r->partial, err);
    if (rc < 0)
        return -1;
    if (r->partial.diverged) {
        res->status = RUN_DIVERGED;
        snprintf(res->reason, sizeof res->reason, "non-finite training loss in epoch %d (step %lld)",
                 epoch + 1, (long long)r->step + 1);
        return 1;
    }
    if (rc == 1) {
        res->status = RUN_INTERRUPTED;
        snprintf(res->reason, sizeof res->reason, "interrupted in epoch %d at step %lld",
                 epoch + 1, (long long)r->step);
        return checkpoint_write(r, res, epoch, err) < 0 ? -1 : 1;
    }
    EpochStats ev;
    if (evaluate(&r->net, &test, r->labels, &ev, err) < 0)
        return -1;
    EpochRecord e = {epoch, lr0, r->partial.loss, r->partial.top1, ev.loss, ev.top1, ev.top5,
                     r->partial.seconds, r->partial.samples / r->partial.seconds};
    res->epochs = realloc(res->epochs, sizeof(EpochRecord) * (size_t)(res->n_epochs + 1));
    QB_ASSERT(res->epochs);
    res->epochs[res->n_epochs++] = e;
    memset(&r->partial, 0, sizeof r->partial);
    if (r->progress)
        r->progress(r->user, r->cfg, epoch, train.batches, train.batches, e.train_loss,
                    e.train_top1, e.seconds, &e);
    if (ev.diverged) {
        res->status = RUN_DIVERGED;
        snprintf(res->reason, sizeof res->reason, "non-finite test loss after epoch %d", epoch + 1);
        return 1;
    }
    if (best_checkpoint_write(r, res, err) < 0)
        return -1;
    return checkpoint_write(r, res, epoch + 1, err) < 0 ? -1 : 0;
}

static int check_data_fits(const RunConfig *c, const Dataset *d, QbErr *err)
{
    Dims want = c->input;
    if (want.c && (want.c != d->dims.c || want.h != d->dims.h || want.w != d->dims.w))
        return qb_fail(err, "input %dx%dx%d was asked for, but %s has %dx%dx%d samples", want.c,
                       want.h, want.w, d->name, d->dims.c, d->dims.h, d->dims.w);
    if (c->classes && c->classes != d->classes)
        return qb_fail(err, "%d classes were asked for, but %s has %d", c->classes, d->name,
                       d->classes);
    return 0;
}

static void run_cost(const Net *net, RunResult *res)
{
    CostTable t;
    cost_table(net, &t);
    res->params = t.params;
    res->quant_params = t.quant_params;
    res->macs = t.macs;
    res->bitops = t.bitops;
    res->size_bytes = t.size_bytes;
    cost_free(&t);
}

static void run_close(Run *r)
{
    net_free(&r->net);
    free(r->labels);
    data_close(&r->data);
}

int run_execute(const RunConfig *cfg, RunResult *res, RunProgress progress, void *user,
                volatile sig_atomic_t *stop, QbErr *err)
{
    double t0 = now_seconds();
    memset(res, 0, sizeof *res);
    Run r;
    memset(&r, 0, sizeof r);
    r.cfg = cfg;
    r.progress = progress;
    r.user = user;
    r.sched = cfg->sched;
    r.sched.base_lr = cfg->lr;
    r.sched.epochs = cfg->epochs;
    threads_set(cfg->threads); /* the loops outside the net's passes (data, evaluation) */
    res->threads = cfg->threads;
    snprintf(res->blas_core, sizeof res->blas_core, "%s", threads_blas_core());
    int rc = data_open(cfg, &r.data, err);
    if (rc == 0)
        rc = check_data_fits(cfg, &r.data.train, err);
    if (rc == 0)
        rc = model_build(&r, err);
    if (rc == 0) {
        optimizer_setup(cfg, &r.opt);
        run_cost(&r.net, res);
        curve_init(&r.curve, (int64_t)cfg->epochs * loader_source(&r.data.train_loader).batches);
    }
    int epoch = rc == 0 ? resume(&r, res, err) : -1;
    if (epoch >= 0) { /* a no-op on a resume: its quantizers are initialised */
        BatchSource train = loader_source(&r.data.train_loader);
        if (train_calibrate(&r.net, &train, r.labels, err) < 0)
            epoch = -1;
    }
    for (rc = epoch < 0 ? -1 : 0; rc == 0 && epoch < cfg->epochs; epoch++)
        rc = run_epoch(&r, res, epoch, stop, err);
    res->curve = r.curve;
    run_close(&r);
    res->wall_seconds = now_seconds() - t0;
    return rc < 0 ? -1 : 0;
}

int run_best_epoch(const RunResult *res)
{
    int best = res->n_epochs ? 0 : -1;
    for (int i = 1; i < res->n_epochs; i++)
        if (res->epochs[i].test_top1 > res->epochs[best].test_top1)
            best = i;
    return best;
}

void run_result_free(RunResult *res)
{
    free(res->epochs);
    res->epochs = NULL;
    res->n_epochs = 0;
}
