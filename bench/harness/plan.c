#include "plan.h"

#include <glob.h>
#include <math.h>
#include <string.h>
#include <sys/stat.h>

#include "core/jsonr.h"
#include "result.h"

/* What the plan needs from one reference result. */
typedef struct {
    char exp[64], profile[32], net[32], scheme[32], cpu[128];
    int bits, epochs, budget;
    long long seed;
    double seconds;
} RefTiming;

typedef struct {
    RefTiming *t;
    int n;
} RefIndex;

/* A resumed cell's last invocation is only its tail: the epochs' sum is the floor. */
static double recorded_seconds(const JsonV *v)
{
    double wall = json_num_at(v, "timing.wall_seconds_last_invocation", NAN);
    double train = json_num_at(v, "timing.train_seconds", NAN);
    if (isnan(wall))
        return train;
    return isnan(train) || wall > train ? wall : train;
}

static void ref_load(const char *reference, RefIndex *ix)
{
    char pattern[600];
    glob_t g;
    memset(ix, 0, sizeof *ix);
    snprintf(pattern, sizeof pattern, "%s/*/*.json", reference);
    if (glob(pattern, 0, NULL, &g) != 0)
        return;
    ix->t = calloc(g.gl_pathc, sizeof *ix->t);
    QB_ASSERT(ix->t);
    for (size_t i = 0; i < g.gl_pathc; i++) {
        JsonV *v;
        QbErr ignored;
        if (json_load(g.gl_pathv[i], &v, &ignored) < 0)
            continue;
        RefTiming *r = &ix->t[ix->n];
        double s = recorded_seconds(v);
        const JsonV *ep = json_at(v, "epochs");
        if (!strcmp(json_str_at(v, "status", ""), "ok") && s > 0 && ep && ep->type == JV_ARR &&
            ep->n > 0) {
            snprintf(r->exp, sizeof r->exp, "%s", json_str_at(v, "experiment", ""));
            snprintf(r->profile, sizeof r->profile, "%s", json_str_at(v, "profile", ""));
            snprintf(r->net, sizeof r->net, "%s", json_str_at(v, "net", ""));
            snprintf(r->scheme, sizeof r->scheme, "%s", json_str_at(v, "scheme", ""));
            snprintf(r->cpu, sizeof r->cpu, "%s", json_str_at(v, "provenance.cpu", ""));
            r->bits = (int)json_num_at(v, "bits", 0);
            r->seed = (long long)json_num_at(v, "seed", 0);
            r->budget = (int)json_num_at(v, "budget", 1);
            r->epochs = ep->n;
            r->seconds = s;
            ix->n++;
        }
        json_free(v);
    }
    globfree(&g);
}

/* The recorded time of the reference cell at this cell's matrix position (same experiment,
 * profile, network, scheme, bits, seed), else of the same network, scheme and bits in any
 * experiment of the profile, else the mean over the profile's cells of that network and
 * bit-width; first among the results at the experiment's budget, then at any; scaled to the
 * cell's epochs. -1 when nothing matches. */
static double estimate(const RefIndex *ix, const Experiment *e, const Cell *c, const char **cpu)
{
    for (int level = 0; level < 6; level++) {
        double sum = 0;
        int n = 0;
        for (int i = 0; i < ix->n; i++) {
            const RefTiming *r = &ix->t[i];
            if (strcmp(r->profile, e->profile) || strcmp(r->net, c->net) || r->bits != c->bits ||
                (level < 3 && r->budget != e->budget))
                continue;
            if (level % 3 < 2 && strcmp(r->scheme, c->scheme))
                continue;
            if (level % 3 == 0 && (strcmp(r->exp, e->name) || r->seed != c->seed))
                continue;
            sum += r->seconds * c->cfg.epochs / r->epochs;
            n++;
            *cpu = r->cpu;
        }
        if (n)
            return sum / n;
    }
    return -1;
}

int plan_reusable(const char *results, const char *exp_name, const char *id, char *path,
                  size_t cap)
{
    char pattern[600], own[600];
    glob_t g;
    snprintf(pattern, sizeof pattern, "%s/*/%s.json", results, id);
    snprintf(own, sizeof own, "%s/%s/%s.json", results, exp_name, id);
    if (glob(pattern, 0, NULL, &g) != 0)
        return 0;
    int found = 0;
    for (size_t i = 0; i < g.gl_pathc && !found; i++) {
        ResultSummary s;
        QbErr ignored;
        if (!strcmp(g.gl_pathv[i], own) || result_read(g.gl_pathv[i], &s, &ignored) < 0 || !s.ok)
            continue;
        snprintf(path, cap, "%s", g.gl_pathv[i]);
        found = 1;
    }
    globfree(&g);
    return found;
}

int plan_make(const Experiment *e, const CellList *cells, const char *results,
              const char *reference, Plan *out, QbErr *err)
{
    (void)err;
    RefIndex ix;
    ref_load(reference, &ix);
    memset(out, 0, sizeof *out);
    out->cells = calloc((size_t)cells->n + 1, sizeof *out->cells);
    QB_ASSERT(out->cells);
    out->n = cells->n;
    for (int i = 0; i < cells->n; i++) {
        const Cell *c = &cells->cells[i];
        PlanCell *p = &out->cells[i];
        const char *cpu = "";
        struct stat st;
        p->seconds = estimate(&ix, e, c, &cpu);
        snprintf(p->from, sizeof p->from, "%s/%s/%s.json", results, e->name, c->id);
        if (c->id[0] && stat(p->from, &st) == 0) {
            p->action = PLAN_DONE;
            p->mtime = st.st_mtime;
        } else if (c->id[0] && plan_reusable(results, e->name, c->id, p->from, sizeof p->from)) {
            p->action = PLAN_REUSE;
        } else {
            p->action = PLAN_TRAIN;
            p->from[0] = '\0';
            if (cpu[0])
                snprintf(out->reference_cpu, sizeof out->reference_cpu, "%s", cpu);
        }
    }
    free(ix.t);
    return 0;
}

void plan_free(Plan *p)
{
    free(p->cells);
    memset(p, 0, sizeof *p);
}

static void duration(double s, char *out, size_t cap)
{
    if (s < 90)
        snprintf(out, cap, "%.0f s", s);
    else if (s < 5400)
        snprintf(out, cap, "%.0f min", s / 60);
    else if (s < 3 * 86400)
        snprintf(out, cap, "%.1f h", s / 3600);
    else
        snprintf(out, cap, "%.1f days", s / 86400);
}

/* A cell's id, or what it is until its inputs are there and it has one. */
static const char *cell_label(const Cell *c, char *out, size_t cap)
{
    if (c->id[0])
        return c->id;
    snprintf(out, cap, "%s %s %d-bit seed %lld (its id once its inputs are there)", c->net,
             c->scheme, c->bits, c->seed);
    if (!c->bits)
        snprintf(out, cap, "%s %s seed %lld (its id once its inputs are there)", c->net,
                 c->scheme, c->seed);
    return out;
}

/* " (the reference's timings, recorded on X; N timed here: ...)" */
static void estimate_sources(FILE *f, const Plan *p, int recorded, int here)
{
    fprintf(f, " (");
    if (recorded)
        fprintf(f, "the reference's timings, recorded on %s",
                p->reference_cpu[0] ? p->reference_cpu : "an unnamed CPU");
    if (here)
        fprintf(f, "%s%d cell%s estimated: %s", recorded ? "; " : "", here,
                here == 1 ? "" : "s", p->timed_note);
    fprintf(f, ")");
}

void plan_print(FILE *f, const Experiment *e, const CellList *cells, const Plan *p, int jobs,
                int verbose)
{
    int count[3] = {0}, unknown = 0, here = 0;
    double total = 0, longest = 0;
    for (int i = 0; i < p->n; i++) {
        const PlanCell *c = &p->cells[i];
        count[c->action]++;
        if (c->action == PLAN_TRAIN && c->seconds < 0)
            unknown++;
        else if (c->action == PLAN_TRAIN) {
            total += c->seconds;
            here += c->timed_here;
            longest = c->seconds > longest ? c->seconds : longest;
        }
        if (!verbose)
            continue;
        char t[64] = "no recorded timing", label[160];
        if (c->action == PLAN_TRAIN && c->seconds >= 0) {
            snprintf(t, sizeof t, "about ");
            duration(c->seconds, t + 6, sizeof t - 6);
            if (c->timed_here)
                snprintf(t + strlen(t), sizeof t - strlen(t), ", timed here");
        }
        if (c->action == PLAN_TRAIN)
            fprintf(f, "  train  %s  (%s)\n", cell_label(&cells->cells[i], label, sizeof label), t);
        else
            fprintf(f, "  %s  %s  (%s)\n", c->action == PLAN_DONE ? "done " : "reuse",
                    cells->cells[i].id, c->from);
    }
    fprintf(f, "%s (profile %s): %d cells: %d done, %d reused from other experiments' results, "
               "%d to train", e->name, e->profile[0] ? e->profile : "none", p->n,
            count[PLAN_DONE], count[PLAN_REUSE], count[PLAN_TRAIN]);
    if (count[PLAN_TRAIN] > unknown) {
        int par = jobs < 1 ? 1 : jobs;
        double wall = total / par > longest ? total / par : longest;
        char a[32], b[32];
        duration(total, a, sizeof a);
        duration(wall, b, sizeof b);
        fprintf(f, ", about %s of cell time, about %s with %d in parallel", a, b, par);
        estimate_sources(f, p, count[PLAN_TRAIN] - unknown - here, here);
    }
    if (unknown)
        fprintf(f, "; %d with no recorded timing to estimate from", unknown);
    if (p->npretrain) {
        char a[32];
        duration(p->pretrain_seconds, a, sizeof a);
        fprintf(f, "; before them %d starting checkpoint%s to pretrain, about %s at 1 thread "
                   "(timed the same way)", p->npretrain, p->npretrain == 1 ? "" : "s", a);
    }
    fprintf(f, "\n");
}

void plan_progress(FILE *f, const Experiment *e, const Plan *p, time_t started, time_t now)
{
    int done = 0, this_run = 0, left = 0;
    double est_left = 0;
    for (int i = 0; i < p->n; i++) {
        const PlanCell *c = &p->cells[i];
        if (c->action == PLAN_DONE) {
            done++;
            this_run += c->mtime >= started;
        } else {
            left++;
            est_left += c->seconds > 0 ? c->seconds : 0;
        }
    }
    char el[32], togo[48] = "";
    double elapsed = difftime(now, started);
    duration(elapsed, el, sizeof el);
    if (left && this_run && elapsed > 0) {
        /* this run's pace (parallelism and machine speed included) applied to what is left */
        double est_done = 0;
        for (int i = 0; i < p->n; i++)
            if (p->cells[i].action == PLAN_DONE && p->cells[i].mtime >= started)
                est_done += p->cells[i].seconds > 0 ? p->cells[i].seconds : 0;
        if (est_done > 0 && est_left > 0) {
            char d[32];
            duration(elapsed * est_left / est_done, d, sizeof d);
            snprintf(togo, sizeof togo, ", about %s to go", d);
        }
    }
    fprintf(f, "%s: %d/%d cells done (%d this run), %d left, %s elapsed%s\n", e->name, done, p->n,
            this_run, left, el, togo);
}
