#include "net.h"

#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "grow.h"
#include "threads.h"

const char *const param_group_names[PGROUP_COUNT] = {"weight", "bias", "bn", "quant"};

void net_init(Net *net, Dims in_dims)
{
    memset(net, 0, sizeof *net);
    net->in_dims = in_dims;
    net->threads = 1;
}

Dims net_dims_of(const Net *net, int idx)
{
    return idx == NET_INPUT ? net->in_dims : net->layers[idx].out_dims;
}

int net_add_layer(Net *net, const LayerOps *ops, const char *name, int nin, const int *in,
                  void *cfg, QbErr *err)
{
    QB_ASSERT(nin >= 1 && nin <= 2);
    int grown = GROW_RESERVE(net->layers, net->cap_layers, net->nlayers + 1);
    QB_ASSERT(grown == 0); /* a count near INT_MAX */
    Layer *L = &net->layers[net->nlayers];
    memset(L, 0, sizeof *L);
    L->ops = ops;
    snprintf(L->name, sizeof L->name, "%s", name);
    L->nin = nin;
    L->cfg = cfg;
    for (int i = 0; i < nin; i++) {
        if (in[i] < NET_INPUT || in[i] >= net->nlayers) {
            free(cfg);
            return qb_fail(err, "layer %s: input %d refers to no earlier layer", name, in[i]);
        }
        L->in[i] = in[i];
        L->in_dims[i] = net_dims_of(net, in[i]);
    }
    net->nlayers++;
    if (ops->plan(net, L, err) < 0) {
        net->nlayers--;
        if (ops->destroy)
            ops->destroy(L);
        free(cfg);
        return qb_wrap(err, "layer %s (%s): ", name, ops->kind);
    }
    return net->nlayers - 1;
}

int net_add_param(Net *net, const char *name, ParamGroupId group, int ndim, const int *shape)
{
    int grown = GROW_RESERVE(net->params, net->cap_params, net->nparams + 1);
    QB_ASSERT(grown == 0); /* a count near INT_MAX */
    Param *p = &net->params[net->nparams];
    snprintf(p->name, sizeof p->name, "%s", name);
    p->group = group;
    p->lr_factor = p->wd_factor = 1.0f;
    p->optim = OPTIM_OF_GROUP;
    p->ndim = ndim;
    p->numel = 1;
    for (int i = 0; i < ndim; i++) {
        p->shape[i] = shape[i];
        p->numel *= (size_t)shape[i];
    }
    return net->nparams++;
}

/* Whether group gi needs the optimizer's per-run loop (ParamGroup.factored). */
static int group_factored(const Net *net, int gi)
{
    for (int i = 0; i < net->nparams; i++) {
        const Param *p = &net->params[i];
        if (p->group == (ParamGroupId)gi &&
            (p->lr_factor != 1.0f || p->wd_factor != 1.0f || p->optim != OPTIM_OF_GROUP))
            return 1;
    }
    return 0;
}

void net_param_factors(Net *net, int idx, float lr_factor, float wd_factor)
{
    QB_ASSERT(idx >= 0 && idx < net->nparams && isfinite(lr_factor) && lr_factor >= 0.0f &&
              isfinite(wd_factor) && wd_factor >= 0.0f);
    Param *p = &net->params[idx];
    p->lr_factor = lr_factor;
    p->wd_factor = wd_factor;
    net->groups[p->group].factored = group_factored(net, p->group);
}

void net_param_optimizer(Net *net, int idx, OptimKind kind)
{
    QB_ASSERT(idx >= 0 && idx < net->nparams && kind >= OPTIM_OF_GROUP && kind <= OPTIM_ADAM);
    Param *p = &net->params[idx];
    p->optim = kind;
    net->groups[p->group].factored = group_factored(net, p->group);
}

int net_add_buffer(Net *net, const char *name, size_t numel)
{
    int grown = GROW_RESERVE(net->buffers, net->cap_buffers, net->nbuffers + 1);
    QB_ASSERT(grown == 0); /* a count near INT_MAX */
    Buffer *b = &net->buffers[net->nbuffers];
    snprintf(b->name, sizeof b->name, "%s", name);
    b->numel = numel;
    return net->nbuffers++;
}

/* Parameters: per group w | g | state(2x), so each group's update is one flat loop. */
static int params_alloc(Net *net, QbErr *err)
{
    size_t total = 0, nbuf = 0;
    for (int i = 0; i < net->nparams; i++)
        total += net->params[i].numel;
    for (int i = 0; i < net->nbuffers; i++)
        nbuf += net->buffers[i].numel;
    size_t bytes = (4 * total + nbuf) * sizeof(float) + (4 * PGROUP_COUNT + 1) * ARENA_ALIGN +
                   (size_t)(net->nparams + net->nbuffers) * 4 * ARENA_ALIGN;
    if (arena_create(&net->param_arena, bytes, err) < 0)
        return -1;
    for (int gi = 0; gi < PGROUP_COUNT; gi++) {
        ParamGroup *g = &net->groups[gi];
        g->n = 0;
        for (int i = 0; i < net->nparams; i++)
            if (net->params[i].group == (ParamGroupId)gi)
                g->n += net->params[i].numel;
        g->w = arena_floats(&net->param_arena, g->n);
        g->g = arena_floats(&net->param_arena, g->n);
        g->state = arena_floats(&net->param_arena, 2 * g->n);
        g->factored = group_factored(net, gi);
        size_t off = 0;
        for (int i = 0; i < net->nparams; i++) {
            Param *p = &net->params[i];
            if (p->group != (ParamGroupId)gi)
                continue;
            p->w = g->w + off;
            p->g = g->g + off;
            /* state slot 2 of the group lives at state + n; a param's slot 2 is at p->state + g->n */
            p->state = g->state + off;
            off += p->numel;
        }
    }
    net->buffer_floats = nbuf;
    net->buffer_block = arena_floats(&net->param_arena, nbuf);
    size_t off = 0;
    for (int i = 0; i < net->nbuffers; i++) {
        net->buffers[i].data = net->buffer_block + off;
        off += net->buffers[i].numel;
    }
    return 0;
}

/* Pairs each producer that runs epilogues with its only consumer when that one has a
 * single input and per-image parts; consumers[i] counts the layers reading layer i. */
static void pair_epilogues(Net *net, const int *consumers)
{
    for (int i = 0; i < net->nlayers; i++)
        net->layers[i].epilogue = -1, net->layers[i].by_producer = 0;
    for (int j = 0; j < net->nlayers; j++) {
        Layer *E = &net->layers[j];
        int p = E->in[0];
        if (E->nin != 1 || p == NET_INPUT || !E->ops->eval_image || !E->ops->train_image ||
            consumers[p] != 1 ||
            !net->layers[p].ops->runs_epilogue)
            continue;
        net->layers[p].epilogue = j;
        E->by_producer = 1;
    }
}

/* The activation gradients share memory. Backward visits layers from the last; layer j's dy
 * is written first by its last consumer c (dx_add: the first writer assigns) and read last
 * by j itself, so it is live from step c down to step j (the last layer's from before the
 * first step: the loss writes it). Gradients whose spans do not meet take turns in one
 * slot; a span that starts at the step where another ends gets another slot, since that
 * step reads the one and writes the other. Each span takes the free slot it fits best (or
 * the largest, grown), and each slot is as large as its largest user. */
static void dy_layout(Net *net, Arena *a, int batch)
{
    const int nl = net->nlayers;
    const size_t room = nl > 0 ? (size_t)nl : 1;
    int *start = malloc(sizeof(int) * 3 * room), *slot = start + room, *free_below = slot + room;
    size_t *cap = calloc(room, sizeof(size_t));
    QB_ASSERT(start && cap);
    for (int j = 0; j < nl; j++)
        start[j] = j == nl - 1 ? nl : j;
    for (int c = 0; c < nl; c++)
        for (int k = 0; k < net->layers[c].nin; k++)
            if (net->layers[c].in[k] != NET_INPUT && start[net->layers[c].in[k]] < c)
                start[net->layers[c].in[k]] = c;
    int nslots = 0;
    for (int t = nl; t >= 0; t--)
        for (int j = nl - 1; j >= 0; j--) {
            if (start[j] != t)
                continue;
            size_t need = (size_t)batch * dims_numel(net->layers[j].out_dims);
            int best = -1;
            for (int s = 0; s < nslots; s++) {
                if (t >= free_below[s])
                    continue;
                int fits = cap[s] >= need, best_fits = best >= 0 && cap[best] >= need;
                if (best < 0 || (fits && (!best_fits || cap[s] < cap[best])) ||
                    (!fits && !best_fits && cap[s] > cap[best]))
                    best = s;
            }
            if (best < 0)
                best = nslots++;
            if (cap[best] < need)
                cap[best] = need;
            slot[j] = best;
            free_below[best] = j;
        }
    float **base = malloc(sizeof(float *) * room);
    QB_ASSERT(base);
    for (int s = 0; s < nslots; s++)
        base[s] = arena_floats(a, cap[s]);
    for (int j = 0; j < nl; j++)
        net->layers[j].dy = tensor_view(batch, net->layers[j].out_dims, base[slot[j]]);
    free(base);
    free(cap);
    free(start);
}

/* Sets views for one pass of the activation layout (measuring or real). */
static void acts_layout(Net *net, Arena *a, int batch)
{
    size_t nin = (size_t)batch * dims_numel(net->in_dims);
    net->input = tensor_view(batch, net->in_dims, arena_floats(a, nin));
    net->input_grad = tensor_view(batch, net->in_dims, net->want_input_grad ? arena_floats(a, nin) : NULL);
    int input_written = 0;
    for (int i = 0; i < net->nlayers; i++) {
        Layer *L = &net->layers[i];
        size_t n = (size_t)batch * dims_numel(L->out_dims);
        L->y = tensor_view(batch, L->out_dims, arena_floats(a, n));
    }
    dy_layout(net, a, batch);
    int *written = calloc((size_t)net->nlayers, sizeof(int));
    QB_ASSERT(written);
    /* Backward runs in reverse: the first consumer reached there assigns, later ones add,
     * so no activation gradient needs zeroing per step. */
    for (int i = net->nlayers - 1; i >= 0; i--) {
        Layer *L = &net->layers[i];
        for (int k = 0; k < L->nin; k++) {
            int p = L->in[k];
            if (p == NET_INPUT) {
                L->x[k] = net->input;
                L->dx[k] = net->input_grad;
                L->dx_add[k] = input_written++ > 0;
                continue;
            }
            L->x[k] = net->layers[p].y;
            L->dx[k] = net->layers[p].dy;
            L->dx_add[k] = written[p]++ > 0;
        }
    }
    pair_epilogues(net, written);
    free(written);
    for (int i = 0; i < net->nlayers; i++) {
        Layer *L = &net->layers[i];
        L->ws_floats = 0;
        L->ops->bind(net, L, a);
    }
}

int net_alloc(Net *net, int batch, int threads, QbErr *err)
{
    if (batch < 1)
        return qb_fail(err, "batch size must be at least 1, got %d", batch);
    if (threads < 1)
        threads = 1;
    if (threads > omp_get_thread_limit())
        return qb_fail(err, "%d threads asked for, but OpenMP allows at most %d "
                            "(OMP_THREAD_LIMIT)", threads, omp_get_thread_limit());
    net->threads = threads;
    if (!net->param_arena.base && params_alloc(net, err) < 0)
        return -1;
    arena_free(&net->act_arena);
    net->batch = batch;
    Arena m;
    arena_measure(&m);
    acts_layout(net, &m, batch);
    size_t ws = 0;
    for (int i = 0; i < net->nlayers; i++)
        if (net->layers[i].ws_floats > ws)
            ws = net->layers[i].ws_floats;
    ws = (ws + 15) / 16 * 16;
    size_t bytes = m.used + (size_t)threads * ws * sizeof(float) + ARENA_ALIGN;
    if (arena_create(&net->act_arena, bytes, err) < 0)
        return qb_wrap(err, "activations for batch %d: ", batch);
    acts_layout(net, &net->act_arena, batch);
    net->ws_per_thread = ws;
    net->ws = arena_floats(&net->act_arena, (size_t)threads * ws);
    net->batch = batch;
    return 0;
}

void net_set_batch(Net *net, int n)
{
    QB_ASSERT(n >= 1 && n <= net->batch);
    net->input.n = net->input_grad.n = n;
    for (int i = 0; i < net->nlayers; i++) {
        Layer *L = &net->layers[i];
        L->y.n = L->dy.n = n;
        for (int k = 0; k < L->nin; k++)
            L->x[k].n = L->dx[k].n = n;
    }
}

/* A team of another size than the workspaces were sized for would overrun them (more
 * threads) or leave stale partial sums that the reductions add in (fewer). */
static void threads_mismatch(const Net *net, int thread, int team)
{
    fprintf(stderr, "qbench: internal error: thread %d of a team of %d used a net whose "
                    "workspaces were sized for %d threads (net_alloc)\n", thread, team,
            net->threads);
    abort();
}

float *net_workspace(Net *net, int thread)
{
    if (thread < 0 || thread >= net->threads)
        threads_mismatch(net, thread, omp_get_num_threads());
    return net->ws + (size_t)thread * net->ws_per_thread;
}

/* Every pass runs on the net's own thread count, the one given to net_alloc: whatever the
 * process setting was, the OpenMP teams match the per-thread workspaces. */
static void threads_enter(const Net *net)
{
    if (omp_in_parallel())
        threads_mismatch(net, omp_get_thread_num(), omp_get_num_threads());
    threads_set(net->threads);
}

void net_init_params(Net *net, struct Rng *rng)
{
    for (int i = 0; i < net->nlayers; i++)
        if (net->layers[i].ops->init)
            net->layers[i].ops->init(net, &net->layers[i], rng);
}

void net_post_step(Net *net)
{
    for (int i = 0; i < net->nlayers; i++)
        if (net->layers[i].ops->post_step)
            net->layers[i].ops->post_step(net, &net->layers[i]);
}

void net_forward(Net *net)
{
    threads_enter(net);
    for (int i = 0; i < net->nlayers; i++)
        if (net_runs_forward(net, &net->layers[i]))
            net->layers[i].ops->forward(net, &net->layers[i]);
}

int net_runs_forward(const Net *net, const Layer *L) { return net->train || !L->by_producer; }

Layer *net_epilogue(Net *net, const Layer *L)
{
    if (L->epilogue < 0)
        return NULL;
    Layer *E = &net->layers[L->epilogue];
    if (!net->train)
        E->ops->eval_begin(net, E);
    return E;
}

void net_epilogue_image(Net *net, Layer *E, int n)
{
    if (E)
        (net->train ? E->ops->train_image : E->ops->eval_image)(net, E, n);
}

void net_backward(Net *net)
{
    threads_enter(net);
    for (int i = net->nlayers - 1; i >= 0; i--)
        net->layers[i].ops->backward(net, &net->layers[i]);
}

void net_zero_grad(Net *net)
{
    for (int gi = 0; gi < PGROUP_COUNT; gi++)
        memset(net->groups[gi].g, 0, net->groups[gi].n * sizeof(float));
}

const Tensor *net_output(const Net *net) { return &net->layers[net->nlayers - 1].y; }
Tensor *net_output_grad(Net *net) { return &net->layers[net->nlayers - 1].dy; }

Param *net_param(Net *net, const char *name)
{
    for (int i = 0; i < net->nparams; i++)
        if (!strcmp(net->params[i].name, name))
            return &net->params[i];
    return NULL;
}

Buffer *net_buffer(Net *net, const char *name)
{
    for (int i = 0; i < net->nbuffers; i++)
        if (!strcmp(net->buffers[i].name, name))
            return &net->buffers[i];
    return NULL;
}

int layer_find(const Net *net, const char *name)
{
    for (int i = 0; i < net->nlayers; i++)
        if (!strcmp(net->layers[i].name, name))
            return i;
    return -1;
}

size_t net_param_count(const Net *net)
{
    size_t n = 0;
    for (int i = 0; i < net->nparams; i++)
        n += net->params[i].numel;
    return n;
}

void net_free(Net *net)
{
    for (int i = 0; i < net->nlayers; i++) {
        Layer *L = &net->layers[i];
        if (L->ops->destroy)
            L->ops->destroy(L);
        free(L->cfg);
    }
    free(net->layers);
    free(net->params);
    free(net->buffers);
    arena_free(&net->param_arena);
    arena_free(&net->act_arena);
    memset(net, 0, sizeof *net);
}
