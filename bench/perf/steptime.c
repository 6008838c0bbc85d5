#include "steptime.h"

#include <stdlib.h>
#include <time.h>

#include "core/cost.h"
#include "core/optim/optim.h"
#include "core/rng.h"
#include "core/threads.h"
#include "core/xent.h"

/* Large enough that a step is not all fixed overhead, small enough that it takes a fraction
 * of a second. */
#define STEPTIME_MACS 1e9

/* CPU seconds of the process's threads: on a machine shared with other work they grow only
 * while the step runs, so the estimate is of this machine, not of its load right now. */
static double cpu_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static int timing_batch(const Net *net, int max_batch)
{
    CostTable ct;
    cost_table(net, &ct);
    double per_image = ct.macs > 0 ? ct.macs : 1;
    cost_free(&ct);
    int b = (int)(STEPTIME_MACS / per_image);
    b = b > max_batch ? max_batch : b;
    return b < 2 ? 2 : b;
}

int steptime_measure(Net *net, int max_batch, int threads, StepTime *out, QbErr *err)
{
    int batch = timing_batch(net, max_batch < 2 ? 2 : max_batch);
    if (net_alloc(net, batch, threads, err) < 0)
        return -1;
    threads_set(threads);
    Rng r = rng_stream(1, "steptime");
    net_init_params(net, &r);
    for (size_t i = 0; i < tensor_numel(&net->input); i++)
        net->input.data[i] = rng_normal(&r);
    int classes = (int)(tensor_numel(net_output(net)) / (size_t)batch);
    int *labels = malloc(sizeof(int) * (size_t)batch);
    QB_ASSERT(labels);
    for (int i = 0; i < batch; i++)
        labels[i] = i % classes;
    Optimizer opt;
    optim_defaults(&opt, 1e-4f);
    for (int it = 0; it < 2; it++) { /* the first warms up */
        double t0 = cpu_seconds();
        net->train = 1;
        net_zero_grad(net);
        net_forward(net);
        xent_forward(net_output(net), labels, 0.0f, net_output_grad(net));
        net_backward(net);
        optim_step(&opt, net, 1e-3f);
        double t1 = cpu_seconds();
        net->train = 0;
        net_forward(net);
        double t2 = cpu_seconds();
        out->train_s = (t1 - t0) / batch;
        out->eval_s = (t2 - t1) / batch;
    }
    out->batch = batch;
    out->threads = threads;
    free(labels);
    return 0;
}
