#include "train.h"

#include <math.h>
#include <string.h>
#include <time.h>

#include "layers/qhooks.h"
#include "xent.h"

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* Forward one batch and score it; fills the output gradient when training. */
static float step_forward(Net *net, const int *labels, int n, float smoothing, EpochStats *st)
{
    net_set_batch(net, n);
    net_forward(net);
    const Tensor *out = net_output(net);
    float loss = xent_forward(out, labels, smoothing, net_output_grad(net));
    st->loss += (double)loss * n;
    st->top1 += xent_topk_hits(out, labels, 1);
    st->top5 += xent_topk_hits(out, labels, out->c < 5 ? out->c : 5);
    st->samples += n;
    return loss;
}

/* One step's totals into the epoch's: the same sums, in the same order, as accumulating the
 * step directly (0 + x is x). */
static void stats_add(EpochStats *acc, const EpochStats *step)
{
    acc->loss += step->loss;
    acc->top1 += step->top1;
    acc->top5 += step->top5;
    acc->samples += step->samples;
}

/* Running sums are kept as totals; callers see means and percentages. */
static EpochStats stats_view(const EpochStats *acc)
{
    EpochStats v = *acc;
    if (acc->samples > 0) {
        v.loss = acc->loss / acc->samples;
        v.top1 = 100.0 * acc->top1 / acc->samples;
        v.top5 = 100.0 * acc->top5 / acc->samples;
    }
    return v;
}

int train_epoch(Trainer *t, const BatchSource *src, int epoch, int first, EpochStats *st,
                QbErr *err)
{
    Net *net = t->net;
    EpochStats acc = *st;
    if (acc.samples > 0) { /* resuming a partial epoch: back to totals */
        acc.loss *= acc.samples;
        acc.top1 = acc.top1 * acc.samples / 100.0;
        acc.top5 = acc.top5 * acc.samples / 100.0;
    }
    double t0 = now_seconds();
    net->train = 1;
    int rc = 0;
    for (int b = first; b < src->batches; b++) {
        net_set_batch(net, net->batch);
        int n = src->fill(src->user, epoch, b, &net->input, t->labels, err);
        if (n < 0)
            return -1;
        net_zero_grad(net);
        EpochStats step = {0};
        float loss = step_forward(net, t->labels, n, t->label_smoothing, &step);
        stats_add(&acc, &step);
        if (!isfinite(loss)) {
            acc.diverged = 1;
            break;
        }
        net_backward(net);
        optim_step(t->opt, net, sched_lr(t->sched, epoch, b, src->batches));
        if (t->hook) {
            EpochStats v = stats_view(&acc), own = stats_view(&step);
            v.seconds = acc.seconds + now_seconds() - t0;
            t->hook(t->hook_user, epoch, b, src->batches, &v, &own);
        }
        if (t->stop && *t->stop) {
            rc = 1;
            break;
        }
    }
    acc.seconds += now_seconds() - t0;
    *st = stats_view(&acc);
    return rc;
}

int train_calibrate(Net *net, const BatchSource *src, int *labels, QbErr *err)
{
    const char *layer = NULL;
    int was = net->train, rc = 0;
    net->train = 0;
    net->calibrating = 1;
    for (int b = 0; rc == 0 && net_calibrations_pending(net, &layer); b++) {
        if (b == src->batches) {
            rc = qb_fail(err, "layer %s: its quantizer wants more calibration batches than "
                              "the training set's %d", layer, src->batches);
            break;
        }
        net_set_batch(net, net->batch);
        int n = src->fill(src->user, 0, b, &net->input, labels, err);
        if (n < 0) {
            rc = -1;
            break;
        }
        net->calib_index = b;
        net_set_batch(net, n);
        net_forward(net);
    }
    net->calibrating = 0;
    net->train = was;
    net_set_batch(net, net->batch);
    return rc;
}

int evaluate(Net *net, const BatchSource *src, int *labels, EpochStats *st, QbErr *err)
{
    return evaluate_to(net, src, labels, st, NULL, NULL, err);
}

int evaluate_to(Net *net, const BatchSource *src, int *labels, EpochStats *st, EvalSink sink,
                void *sink_user, QbErr *err)
{
    EpochStats acc = {0};
    double t0 = now_seconds();
    int was = net->train;
    net->train = 0;
    for (int b = 0; b < src->batches; b++) {
        net_set_batch(net, net->batch);
        int n = src->fill(src->user, 0, b, &net->input, labels, err);
        if (n < 0) {
            net->train = was;
            return -1;
        }
        if (!isfinite(step_forward(net, labels, n, 0.0f, &acc)))
            acc.diverged = 1;
        if (sink)
            sink(sink_user, net_output(net), n);
    }
    net->train = was;
    net_set_batch(net, net->batch);
    acc.seconds = now_seconds() - t0;
    *st = stats_view(&acc);
    return 0;
}
