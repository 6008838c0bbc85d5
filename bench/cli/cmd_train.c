/* `qbench train`: one training run from flags, with a progress bar on a terminal and one log
 * line per epoch otherwise. */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "run/converge.h"
#include "run/run.h"
#include "run/stop.h"
#include "args.h"
#include "cli.h"

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

/* The flags of `qbench train`: one per settings-table row (numbers and booleans parsed by
 * args.c straight into the config, text values through the table's parser), plus --bits,
 * --quiet and --partial, which are not settings. Its --help comes from the same table. */
typedef struct {
    RunConfig c;
    ArgSpec specs[RUNCFG_FIELDS_MAX + 4];
    char text[RUNCFG_FIELDS_MAX][RUN_PATH_MAX];
    int set[RUNCFG_FIELDS_MAX];
    ArgList lists[RUNCFG_FIELDS_MAX];
    int bits, quiet, partial;
} TrainFlags;

#define TRAIN_AT(m) offsetof(TrainFlags, m)

static ArgSpec flag_spec(const RunField *f, int i)
{
    size_t field = TRAIN_AT(c) + f->off;
    switch (f->type) {
    case RF_INT:
        return (ArgSpec){f->flag, ARG_INT, field, f->min, f->max, 0, NULL, NULL, 0};
    case RF_U64:
        return (ArgSpec){f->flag, ARG_U64, field, f->min, f->max, 0, NULL, NULL, 0};
    case RF_FLOAT:
        return (ArgSpec){f->flag, ARG_FLOAT, field, f->min, f->max, 0, NULL, NULL, 0};
    case RF_BOOL:
        return (ArgSpec){f->flag, ARG_FLAG, TRAIN_AT(set) + (size_t)i * sizeof(int), 0, 0, 0,
                         NULL, NULL, 0};
    case RF_SPECIAL:
        return (ArgSpec){f->flag, ARG_LIST, TRAIN_AT(lists) + (size_t)i * sizeof(ArgList), 0, 0,
                         0, NULL, NULL, 0};
    default:
        return (ArgSpec){f->flag, ARG_STR, TRAIN_AT(text) + (size_t)i * RUN_PATH_MAX, 0, 0,
                         RUN_PATH_MAX, NULL, NULL, 0};
    }
}

static void flag_specs(TrainFlags *t)
{
    int n = 0;
    for (int i = 0; i < runcfg_nfields; i++)
        t->specs[n++] = flag_spec(&runcfg_fields[i], i);
    t->specs[n++] = (ArgSpec){"--bits", ARG_INT, TRAIN_AT(bits), 1, 1 << 30, 0, NULL, NULL, 0};
    t->specs[n++] = (ArgSpec){"--quiet", ARG_FLAG, TRAIN_AT(quiet), 0, 0, 0, NULL, NULL, 0};
    t->specs[n++] = (ArgSpec){"--partial", ARG_FLAG, TRAIN_AT(partial), 0, 0, 0, NULL, NULL, 0};
    t->specs[n] = (ArgSpec){NULL, 0, 0, 0, 0, 0, NULL, NULL, 0};
}

/* Booleans, text values and repeated items, after args_parse filled t. */
static int apply_flags(const TrainFlags *t, RunConfig *c, QbErr *err)
{
    for (int i = 0; i < runcfg_nfields; i++) {
        const RunField *f = &runcfg_fields[i];
        char want[160];
        if (f->type == RF_BOOL && t->set[i])
            *(int *)runcfg_field_ptr(f, c) = strncmp(f->flag, "--no-", 5) != 0;
        for (int k = 0; f->type == RF_SPECIAL && k < t->lists[i].n; k++)
            if (runcfg_field_set(f, c, t->lists[i].items[k], want, sizeof want) < 0)
                return qb_fail(err, "%s %s: expected %s", f->flag, t->lists[i].items[k], want),
                       CLI_USAGE;
        if (t->text[i][0] && runcfg_field_set(f, c, t->text[i], want, sizeof want) < 0)
            return qb_fail(err, "%s %s: expected %s", f->flag, t->text[i], want), CLI_USAGE;
    }
    return 0;
}

static const char *flag_metavar(const RunField *f, char *buf, size_t cap)
{
    static const char *const names[] = {[RF_INT] = "N", [RF_U64] = "N", [RF_FLOAT] = "F",
                                        [RF_STR] = "NAME", [RF_PATH] = "PATH",
                                        [RF_DIMS] = "CxHxW", [RF_INTLIST] = "A,B,...",
                                        [RF_SPECIAL] = "ITEM (repeatable)"};
    if (f->type == RF_ENUM || f->type == RF_KIND) {
        runcfg_field_values(f, "|", buf, cap);
        return buf;
    }
    return f->type == RF_BOOL ? "" : names[f->type];
}

/* `qbench train --help`: the flags from the settings table. */
static void train_help(FILE *out)
{
    fprintf(out, "usage: qbench train [OPTIONS]\ntrain a network; checkpoints every epoch, resumes "
           "bit-identically\n\noptions (default in brackets):\n");
    for (int i = 0; i < runcfg_nfields; i++) {
        const RunField *f = &runcfg_fields[i];
        char want[160] = "", values[160];
        if (f->type == RF_INT || f->type == RF_U64 || f->type == RF_FLOAT)
            runcfg_field_want(f, want, sizeof want);
        if (f->type == RF_BOOL && !strncmp(f->flag, "--no-", 5)) /* the flag turns it off */
            fprintf(out, "  %s\n      no %s (without the flag: %s)\n", f->flag, f->help,
                   !strcmp(f->dflt, "true") ? "on" : "off");
        else
            fprintf(out, "  %s %s\n      %s [%s]%s%s\n", f->flag,
                    flag_metavar(f, values, sizeof values), f->help, f->dflt,
                   want[0] ? "; " : "", want);
    }
    fprintf(out, "  --bits N\n      weight and activation bits where --wbits/--abits are not given\n"
           "  --quiet\n      no progress output\n"
           "  --partial\n      checkpoint every epoch to CHECKPOINT.partial and rename it to "
           "--checkpoint once\n      training finished: the file exists only complete (make "
           "targets)\n");
}

static void write_result(const RunConfig *c, const RunResult *r)
{
    const EpochRecord *last = r->n_epochs ? &r->epochs[r->n_epochs - 1] : NULL;
    int best = run_best_epoch(r);
    char what[64] = "";
    if (c->scheme[0]) /* full precision says nothing more, as its logs always have */
        snprintf(what, sizeof what, " %s W%dA%d", c->scheme, c->wbits, c->abits);
    if (last)
        printf("%s%s on %s: final test top-1 %.2f%% top-5 %.2f%% (best %.2f%% at epoch %d), "
               "%d epochs, %.1f s this run, status %s\n",
               c->net, what, c->data, last->test_top1, last->test_top5, r->epochs[best].test_top1,
               best + 1, r->n_epochs, r->wall_seconds, run_status_name(r->status));
}

/* The run's training curve, one line per window, and the convergence rule's verdict on it. */
static void print_curve(const TrainCurve *c)
{
    ConvCheck k;
    char verdict[400];
    convergence_check(c, &k);
    conv_check_text(&k, verdict, sizeof verdict);
    if (!c->total_steps) {
        printf("convergence: %s\n", verdict);
        return;
    }
    printf("training curve (per-batch training loss and top-1 in %d windows of the run's %lld "
           "steps: mean ± sd):\n", c->nwindows, (long long)c->total_steps);
    for (int i = 0; i < c->nwindows; i++) {
        const CurveWindow *w = &c->w[i];
        printf("  steps %lld-%lld: loss %.4f ± %.4f, top-1 %.2f ± %.2f%s\n",
               (long long)curve_window_first(c, i) + 1, (long long)curve_window_first(c, i + 1),
               w->loss_mean, curve_sd(w->steps, w->loss_m2), w->top1_mean,
               curve_sd(w->steps, w->top1_m2), w->steps ? "" : " (not reached)");
    }
    printf("convergence: %s\n", verdict);
}

/* One training run of c as `qbench train` asked (bits, quiet, partial: its own flags). */
static int train(RunConfig c, int bits, int quiet, int partial, QbErr *err)
{
    if (c.scheme[0] && !bits && !(c.wbits && c.abits))
        return qb_fail(err, "--scheme %s needs --bits B (or --wbits and --abits)", c.scheme),
               CLI_USAGE;
    if (bits) {
        c.wbits = c.wbits ? c.wbits : bits;
        c.abits = c.abits ? c.abits : bits;
    }
    if ((c.resume || partial) && !c.ckpt[0])
        return qb_fail(err, "--resume and --partial need --checkpoint FILE"), CLI_USAGE;
    char final[RUN_PATH_MAX];
    snprintf(final, sizeof final, "%s", c.ckpt);
    if (partial && snprintf(c.ckpt, sizeof c.ckpt, "%s.partial", final) >= (int)sizeof c.ckpt)
        return qb_fail(err, "--checkpoint %s: too long", final), CLI_USAGE;
    c.progress = !quiet && isatty(STDERR_FILENO);
    RunResult r;
    if (run_execute(&c, &r, quiet ? NULL : progress, NULL, run_stop_on_signals(), err) < 0) {
        run_result_free(&r);
        return -1;
    }
    write_result(&c, &r);
    print_curve(&r.curve);
    int rc = 0;
    if (r.status == RUN_INTERRUPTED)
        rc = qb_fail(err, "%s; the checkpoint %s holds it: rerun with --resume", r.reason,
                     c.ckpt[0] ? c.ckpt : "(none: no --checkpoint given)");
    else if (r.status == RUN_DIVERGED)
        rc = qb_fail(err, "diverged: %s", r.reason);
    else if (partial && rename(c.ckpt, final) != 0)
        rc = qb_fail(err, "%s: cannot rename it to %s: %s", c.ckpt, final, strerror(errno));
    run_result_free(&r);
    return rc;
}

static int run_train(int argc, char **argv, QbErr *err)
{
    TrainFlags *t = calloc(1, sizeof *t);
    QB_ASSERT(t);
    runcfg_defaults(&t->c);
    flag_specs(t);
    int rc = args_parse(argc, argv, t->specs, t, err);
    if (rc == 0)
        rc = apply_flags(t, &t->c, err);
    if (rc == 0)
        rc = train(t->c, t->bits, t->quiet, t->partial, err);
    runcfg_free(&t->c);
    free(t);
    return rc;
}

const CliCommand cli_train = {
    "train", "train a network; checkpoints every epoch, resumes bit-identically", NULL,
    run_train, train_help};
