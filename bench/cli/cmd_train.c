/* `qbench train` and `qbench eval`: one training run from flags, with a progress bar on a
 * terminal and one log line per epoch otherwise; evaluation of a checkpoint. */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "../../nets/registry.h"
#include "../../quantizers/schemes.h"
#include "../core/checkpoint.h"
#include "../core/data/dataset.h"
#include "../core/data/loader.h"
#include "../core/json.h"
#include "../core/threads.h"
#include "../core/train.h"
#include "../run/run.h"
#include "args.h"
#include "cli.h"

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
    (void)sig;
    stop_requested = 1;
}

static void progress(void *user, const RunConfig *c, int epoch, int index, int batches,
                     double loss, double top1, double seconds, const EpochRecord *done)
{
    (void)user;
    if (done) {
        if (c->progress)
            fprintf(stderr, "\r\033[K");
        fprintf(stderr, "epoch %d/%d lr %.4g  train loss %.4f top1 %.2f%%  test loss %.4f top1 "
                        "%.2f%% top5 %.2f%%  %.1f s %.0f images/s\n",
                epoch + 1, c->epochs, done->lr, done->train_loss, done->train_top1,
                done->test_loss, done->test_top1, done->test_top5, done->seconds,
                done->images_per_s);
        return;
    }
    if (!c->progress || (index % 5 && index != batches))
        return;
    double rate = seconds > 0 ? index / seconds : 0.0;
    double eta = rate > 0 ? ((double)(c->epochs - epoch - 1) * batches + batches - index) / rate : 0;
    int fill = 30 * index / batches;
    fprintf(stderr, "\r\033[Kepoch %d/%d [%.*s%*s] %d/%d loss %.4f top1 %.1f%% %.0f images/s ETA %d:%02d",
            epoch + 1, c->epochs, fill, "==============================", 30 - fill, "", index,
            batches, loss, top1, rate * c->batch, (int)eta / 60, (int)eta % 60);
}

static int parse_schedule(const char *name, Schedule *s, QbErr *err)
{
    if (sched_kind_parse(name, &s->kind) < 0)
        return qb_fail(err, "--schedule %s: expected cosine, step or constant", name), CLI_USAGE;
    return 0;
}

/* "150,225" -> milestones */
static int parse_milestones(const char *text, Schedule *s, QbErr *err)
{
    s->nmilestones = 0;
    for (const char *p = text; *p;) {
        char *end;
        long v = strtol(p, &end, 10);
        if (end == p || v < 1 || s->nmilestones == SCHED_MAX_MILESTONES || (*end && *end != ','))
            return qb_fail(err, "--milestones %s: expected up to 8 comma-separated epochs", text),
                   CLI_USAGE;
        s->milestones[s->nmilestones++] = (int)v;
        p = *end ? end + 1 : end;
    }
    return 0;
}

/* --set NAME=VALUE -> quantizer options */
static int parse_options(const ArgList *sets, RunConfig *c, QbErr *err)
{
    for (int i = 0; i < sets->n; i++) {
        const char *eq = strchr(sets->items[i], '=');
        QuantOption *o = &c->qopts[c->nqopts];
        if (!eq || eq == sets->items[i] || !eq[1] || c->nqopts == QOPT_MAX ||
            (size_t)(eq - sets->items[i]) >= sizeof o->name || strlen(eq + 1) >= sizeof o->value)
            return qb_fail(err, "--set %s: expected NAME=VALUE (at most %d)", sets->items[i],
                           QOPT_MAX), CLI_USAGE;
        memcpy(o->name, sets->items[i], (size_t)(eq - sets->items[i]));
        o->name[eq - sets->items[i]] = '\0';
        snprintf(o->value, sizeof o->value, "%s", eq + 1);
        c->nqopts++;
    }
    return 0;
}

/* --override PATTERN=fp | PATTERN=BITS | PATTERN=SCHEME:BITS */
static int parse_overrides(const ArgList *ovs, RunConfig *c, QbErr *err)
{
    for (int i = 0; i < ovs->n; i++) {
        LayerOverride *o = &c->overrides[c->noverrides];
        const char *eq = strchr(ovs->items[i], '=');
        char scheme[SCHEME_NAME_MAX] = "";
        int bits = 0;
        if (!eq || eq == ovs->items[i] || (size_t)(eq - ovs->items[i]) >= sizeof o->pattern ||
            c->noverrides == RUN_OVERRIDES_MAX ||
            (strcmp(eq + 1, "fp") && sscanf(eq + 1, "%d", &bits) != 1 &&
             sscanf(eq + 1, "%31[^:]:%d", scheme, &bits) != 2))
            return qb_fail(err, "--override %s: expected PATTERN=fp, PATTERN=BITS or "
                                "PATTERN=SCHEME:BITS", ovs->items[i]), CLI_USAGE;
        memset(o, 0, sizeof *o);
        memcpy(o->pattern, ovs->items[i], (size_t)(eq - ovs->items[i]));
        snprintf(o->scheme, sizeof o->scheme, "%s", strcmp(eq + 1, "fp") ? scheme : "fp");
        o->bits = bits;
        c->noverrides++;
    }
    return 0;
}

static void write_result(const RunConfig *c, const RunResult *r)
{
    const EpochRecord *last = r->n_epochs ? &r->epochs[r->n_epochs - 1] : NULL;
    if (last)
        printf("%s on %s: final test top-1 %.2f%% top-5 %.2f%% (best %.2f%% at epoch %d), "
               "%d epochs, %.1f s this run, status %s\n",
               c->net, c->data, last->test_top1, last->test_top5,
               r->epochs[r->best_epoch].test_top1, r->best_epoch + 1, r->n_epochs,
               r->wall_seconds, run_status_name(r->status));
}

int cmd_train(int argc, char **argv, QbErr *err)
{
    RunConfig c;
    runcfg_defaults(&c);
    char sched[16] = "cosine", milestones[64] = "", optim[8] = "sgd";
    int no_flip = 0, quiet = 0, bits = 0;
    ArgList sets = {0}, ovs = {0};
    const ArgSpec specs[] = {
        {"--net", ARG_STR, c.net, 0, 0, sizeof c.net},
        {"--width", ARG_FLOAT, &c.width, 0.01, 64, 0},
        {"--shortcut", ARG_STR, c.shortcut, 0, 0, sizeof c.shortcut},
        {"--data", ARG_STR, c.data, 0, 0, sizeof c.data},
        {"--data-dir", ARG_STR, c.data_dir, 0, 0, sizeof c.data_dir},
        {"--train-subset", ARG_INT, &c.train_subset, 0, 100000000, 0},
        {"--crop-pad", ARG_INT, &c.crop_pad, 0, 64, 0},
        {"--no-flip", ARG_FLAG, &no_flip, 0, 0, 0},
        {"--epochs", ARG_INT, &c.epochs, 1, 100000, 0},
        {"--batch", ARG_INT, &c.batch, 1, 65536, 0},
        {"--lr", ARG_FLOAT, &c.lr, 0, 100, 0},
        {"--momentum", ARG_FLOAT, &c.momentum, 0, 1, 0},
        {"--nesterov", ARG_FLAG, &c.nesterov, 0, 0, 0},
        {"--optimizer", ARG_STR, optim, 0, 0, sizeof optim},
        {"--weight-decay", ARG_FLOAT, &c.weight_decay, 0, 1, 0},
        {"--bn-weight-decay", ARG_FLOAT, &c.bn_weight_decay, 0, 1, 0},
        {"--schedule", ARG_STR, sched, 0, 0, sizeof sched},
        {"--warmup", ARG_INT, &c.sched.warmup_epochs, 0, 100000, 0},
        {"--milestones", ARG_STR, milestones, 0, 0, sizeof milestones},
        {"--gamma", ARG_FLOAT, &c.sched.gamma, 0, 1, 0},
        {"--label-smoothing", ARG_FLOAT, &c.label_smoothing, 0, 1, 0},
        {"--seed", ARG_U64, &c.seed, 0, 9007199254740992.0, 0},
        {"--threads", ARG_INT, &c.threads, 1, 256, 0},
        {"--from", ARG_STR, c.from, 0, 0, sizeof c.from},
        {"--scheme", ARG_STR, c.scheme, 0, 0, sizeof c.scheme},
        {"--bits", ARG_INT, &bits, 1, 32, 0},
        {"--wbits", ARG_INT, &c.wbits, 1, 32, 0},
        {"--abits", ARG_INT, &c.abits, 1, 32, 0},
        {"--first-last", ARG_STR, c.first_last, 0, 0, sizeof c.first_last},
        {"--asq-first-layer", ARG_FLAG, &c.asq_first_layer, 0, 0, 0},
        {"--set", ARG_LIST, &sets, 0, 0, 0},
        {"--override", ARG_LIST, &ovs, 0, 0, 0},
        {"--quant-lr-mult", ARG_FLOAT, &c.quant_lr_mult, 0, 1000, 0},
        {"--quant-weight-decay", ARG_FLOAT, &c.quant_weight_decay, 0, 1, 0},
        {"--checkpoint", ARG_STR, c.ckpt, 0, 0, sizeof c.ckpt},
        {"--resume", ARG_FLAG, &c.resume, 0, 0, 0},
        {"--quiet", ARG_FLAG, &quiet, 0, 0, 0},
        {NULL, 0, NULL, 0, 0, 0},
    };
    int rc = args_parse(argc, argv, specs, err);
    if (rc)
        return rc;
    c.flip = !no_flip;
    if ((rc = parse_options(&sets, &c, err)) || (rc = parse_overrides(&ovs, &c, err)))
        return rc;
    if (c.scheme[0] && !bits && !(c.wbits && c.abits))
        return qb_fail(err, "--scheme %s needs --bits B (or --wbits and --abits)", c.scheme),
               CLI_USAGE;
    if (bits) {
        c.wbits = c.wbits ? c.wbits : bits;
        c.abits = c.abits ? c.abits : bits;
    }
    if (strcmp(c.shortcut, "a") && strcmp(c.shortcut, "b"))
        return qb_fail(err, "--shortcut %s: expected a or b", c.shortcut), CLI_USAGE;
    if (optim_kind_parse(optim, &c.optimizer) < 0)
        return qb_fail(err, "--optimizer %s: expected sgd or adam", optim), CLI_USAGE;
    if ((rc = parse_schedule(sched, &c.sched, err)) || (milestones[0] && (rc = parse_milestones(milestones, &c.sched, err))))
        return rc;
    if (c.resume && !c.ckpt[0])
        return qb_fail(err, "--resume needs --checkpoint FILE"), CLI_USAGE;
    c.progress = !quiet && isatty(STDERR_FILENO);
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    RunResult r;
    if (run_execute(&c, &r, quiet ? NULL : progress, NULL, &stop_requested, err) < 0) {
        run_result_free(&r);
        return -1;
    }
    write_result(&c, &r);
    rc = 0;
    if (r.status == RUN_INTERRUPTED)
        rc = qb_fail(err, "%s; the checkpoint %s holds it: rerun with --resume", r.reason,
                     c.ckpt[0] ? c.ckpt : "(none: no --checkpoint given)");
    else if (r.status == RUN_DIVERGED)
        rc = qb_fail(err, "diverged: %s", r.reason);
    run_result_free(&r);
    return rc;
}

int cmd_eval(int argc, char **argv, QbErr *err)
{
    char net_name[32] = "", ckpt[512] = "", data[16] = "fmnist", dir[512] = "", shortcut[4] = "b";
    int batch = 500, threads = 1, json = 0;
    float width = 1.0f;
    const ArgSpec specs[] = {
        {"--net", ARG_STR, net_name, 0, 0, sizeof net_name},
        {"--checkpoint", ARG_STR, ckpt, 0, 0, sizeof ckpt},
        {"--data", ARG_STR, data, 0, 0, sizeof data},
        {"--data-dir", ARG_STR, dir, 0, 0, sizeof dir},
        {"--width", ARG_FLOAT, &width, 0.01, 64, 0},
        {"--shortcut", ARG_STR, shortcut, 0, 0, sizeof shortcut},
        {"--batch", ARG_INT, &batch, 1, 65536, 0},
        {"--threads", ARG_INT, &threads, 1, 256, 0},
        {"--json", ARG_FLAG, &json, 0, 0, 0},
        {NULL, 0, NULL, 0, 0, 0},
    };
    int rc = args_parse(argc, argv, specs, err);
    if (rc)
        return rc;
    if (!net_name[0] || !ckpt[0])
        return qb_fail(err, "--net and --checkpoint are required"), CLI_USAGE;
    threads_set(threads);
    Dataset d;
    if (dataset_open(&d, data, dir[0] ? dir : NULL, DATA_TEST, err) < 0)
        return -1;
    NetOptions o;
    net_options_defaults(&o);
    o.input = d.dims;
    o.classes = d.classes;
    o.width = width;
    o.shortcut = shortcut[0];
    Net net;
    Loader l;
    LoaderConfig lc = {batch, 0, 0, 0, 0, 0, 0};
    EpochStats st = {0};
    int *labels = calloc((size_t)batch, sizeof(int));
    QB_ASSERT(labels);
    rc = net_build(&net, net_name, &o, err);
    if (rc == 0 && (rc = net_alloc(&net, batch, threads, err)) == 0 &&
        (rc = checkpoint_load(ckpt, &net, NULL, NULL, CKPT_RESUME, err)) == 0 &&
        (rc = loader_init(&l, &d, &lc, err)) == 0) {
        BatchSource src = loader_source(&l);
        rc = evaluate(&net, &src, labels, &st, err);
    }
    if (rc == 0 && json)
        printf("{\"net\": \"%s\", \"checkpoint\": \"%s\", \"data\": \"%s\", \"samples\": %ld, "
               "\"top1\": %.4f, \"top5\": %.4f, \"loss\": %.6f}\n",
               net_name, ckpt, d.name, st.samples, st.top1, st.top5, st.loss);
    else if (rc == 0)
        printf("%s %s on %s (%ld samples): top-1 %.2f%% top-5 %.2f%% loss %.4f\n", net_name, ckpt,
               d.name, st.samples, st.top1, st.top5, st.loss);
    free(labels);
    net_free(&net);
    dataset_free(&d);
    return rc;
}
