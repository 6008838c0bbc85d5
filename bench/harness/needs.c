#include "needs.h"

#include <string.h>

#include "core/atomic_file.h"
#include "core/grow.h"
#include "cell.h"
#include "makefrag.h"

static const PretrainRecipe *recipe_find(const PretrainRecipe *r, int n, const char *name)
{
    for (int i = 0; i < n; i++)
        if (!strcmp(r[i].name, name))
            return &r[i];
    return NULL;
}

/* A setting of the run's own (--set) names the starting checkpoints. */
static int sets_from(const Experiment *e)
{
    for (int i = 0; i < e->nsets; i++)
        if (!strncmp(e->sets[i], "train.from=", 11))
            return 1;
    return 0;
}

/* The --set train fields that change what pretraining computes (every identity field but
 * `from`); "" when none. */
static void sets_changing_pretraining(const Experiment *e, char *out, size_t cap)
{
    size_t n = 0;
    out[0] = '\0';
    for (int i = 0; i < e->nsets; i++) {
        const RunField *f;
        const char *value;
        QbErr ignored;
        if (experiment_setting(e->sets[i], &f, &value, &ignored) == 0 && f->sec == RF_TRAIN &&
            f->identity && n < cap)
            n += (size_t)snprintf(out + n, cap - n, "%s%s", n ? " " : "", e->sets[i]);
    }
}

/* The full-precision run that makes ck: defaults, then the data set's recipe, then the
 * checkpoint's own, then the cells' network and data, then the --set train fields. */
static int pretrain_config(const Experiment *e, const PretrainRecipe *recipes, int nrecipes,
                           NeedCheckpoint *ck, QbErr *err)
{
    char stem[RUN_PATH_MAX], what[160];
    const char *base = strrchr(ck->path, '/');
    snprintf(stem, sizeof stem, "%s", base ? base + 1 : ck->path);
    char *ext = strstr(stem, ".ckpt");
    if (ext && !ext[5])
        *ext = '\0';
    const char *dash = strrchr(stem, '-');
    const PretrainRecipe *use[2] = {dash ? recipe_find(recipes, nrecipes, dash + 1) : NULL,
                                    recipe_find(recipes, nrecipes, stem)};
    RunConfig *c = &ck->pretrain;
    runcfg_defaults(c);
    for (int k = 0; k < 2; k++) {
        if (!use[k])
            continue;
        snprintf(what, sizeof what, "PRETRAIN_%s (--pretrain %s=...)", use[k]->name,
                 use[k]->name);
        if (runcfg_parse_flags(c, use[k]->flags, what, err) < 0)
            return -1;
        if (c->scheme[0] || c->from[0])
            return qb_fail(err, "%s: a starting checkpoint trains in full precision from "
                                "scratch; the recipe may not set --scheme or --from", what);
        size_t n = strlen(ck->recipes);
        snprintf(ck->recipes + n, sizeof ck->recipes - n, "%sPRETRAIN_%s", n ? " + " : "",
                 use[k]->name);
        ck->makeable = 1;
    }
    if (!ck->makeable)
        return 0;
    const RunConfig *b = &e->base;
    snprintf(c->net, sizeof c->net, "%s", ck->net);
    snprintf(c->data, sizeof c->data, "%s", b->data);
    snprintf(c->data_dir, sizeof c->data_dir, "%s", b->data_dir);
    snprintf(c->shortcut, sizeof c->shortcut, "%s", b->shortcut);
    c->width = b->width;
    c->input = b->input;
    c->classes = b->classes;
    for (int i = 0; i < e->nsets; i++) {
        const RunField *f;
        const char *value;
        char want[160];
        if (experiment_setting(e->sets[i], &f, &value, err) < 0)
            return -1;
        if (f->sec == RF_TRAIN && strcmp(f->yaml, "from") &&
            runcfg_field_set(f, c, value, want, sizeof want) < 0)
            return qb_fail(err, "--set %s: expected %s", e->sets[i], want);
    }
    return 0;
}

int needs_find(const Experiment *e, const PretrainRecipe *recipes, int nrecipes, Needs *out,
               QbErr *err)
{
    memset(out, 0, sizeof *out);
    if (e->layout == LAYOUT_COST)
        return 0;
    const RunConfig *b = &e->base;
    snprintf(out->data, sizeof out->data, "%s", b->data);
    if (dataset_files(b->data, b->data_dir[0] ? b->data_dir : NULL, &out->files, err) < 0)
        return -1;
    if (!strcmp(out->files.dir_source, "given"))
        out->dir_source = "train.data_dir";
    else
        out->dir_source = out->files.dir_source;
    for (int i = 0; i < out->files.nfiles; i++)
        out->data_missing += out->files.missing[i];
    char changing[1024];
    sets_changing_pretraining(e, changing, sizeof changing);
    for (int i = 0; b->from[0] && i < e->nnets; i++) {
        char path[RUN_PATH_MAX];
        cell_from_path(b->from, e->nets[i], path, sizeof path);
        int seen = 0;
        for (int k = 0; k < out->nckpts; k++)
            seen |= !strcmp(out->ckpts[k].path, path);
        if (seen)
            continue;
        NeedCheckpoint *ck = GROW_PUSH(out->ckpts, out->nckpts, out->cap_ckpts);
        QB_ASSERT(ck); /* at most one per network of the matrix */
        memcpy(ck->path, path, sizeof path);
        snprintf(ck->net, sizeof ck->net, "%s", e->nets[i]);
        ck->present = file_exists(ck->path);
        if (ck->present)
            continue;
        if (changing[0] && !sets_from(e))
            return qb_fail(err, "%s (profile %s): --set %s would change how the profile's own "
                                "starting checkpoint %s is trained; so that it is never made "
                                "with another recipe, give this run a starting point of its "
                                "own as well (--set train.from=DIR/{net}-NAME.ckpt; make "
                                "SET=\"... train.from=...\")", e->path, e->profile, changing,
                           ck->path);
        if (pretrain_config(e, recipes, nrecipes, ck, err) < 0)
            return -1;
    }
    return 0;
}

void needs_free(Needs *n)
{
    for (int i = 0; i < n->nckpts; i++)
        runcfg_free(&n->ckpts[i].pretrain);
    GROW_FREE(n->ckpts, n->nckpts, n->cap_ckpts);
}

int needs_missing(const Needs *n)
{
    int missing = n->data_missing > 0;
    for (int i = 0; i < n->nckpts; i++)
        missing += !n->ckpts[i].present;
    return missing;
}

int needs_blocking(const Needs *n)
{
    int blocking = n->data_missing > 0;
    for (int i = 0; i < n->nckpts; i++)
        blocking += !n->ckpts[i].present && (!n->ckpts[i].makeable || n->data_missing);
    return blocking;
}

/* "200 epochs, batch 128, SGD lr 0.1 (cosine), weight decay 0.0001" */
static void schedule_text(const RunConfig *c, char *out, size_t cap)
{
    snprintf(out, cap, "%d epochs%s, batch %d, %s lr %g (%s), weight decay %g", c->epochs,
             c->train_subset ? " of a training subset" : "", c->batch,
             optim_kinds[c->optimizer].title, c->lr, sched_kind_name(c->sched.kind),
             c->weight_decay);
}

static void print_data(FILE *f, const Needs *n)
{
    const DataFiles *d = &n->files;
    fprintf(f, "  - the %s data set: ", n->data);
    if (d->dir[0])
        fprintf(f, "%s/ (%s) lacks", d->dir, n->dir_source);
    else
        fprintf(f, "no directory is set (train.data_dir, or $QBENCH_DATA) for");
    for (int i = 0, k = 0; i < d->nfiles; i++)
        if (d->missing[i])
            fprintf(f, "%s %s", k++ ? "," : "", d->files[i]);
    fprintf(f, ".\n    Expected: %s.\n    Put them there (a symbolic link to the directory "
               "that holds them will do), or point at them: make SET=train.data_dir=DIR "
               "(qbench: --set train.data_dir=DIR).\n", d->expected);
}

static void print_checkpoint(FILE *f, const Needs *n, const NeedCheckpoint *ck)
{
    char sched[256];
    fprintf(f, "  - the starting checkpoint %s (train.from: full-precision %s): ", ck->path,
            ck->net);
    if (ck->makeable) {
        schedule_text(&ck->pretrain, sched, sizeof sched);
        fprintf(f, "a run trains it first%s: %s (%s).\n", n->data_missing
                ? ", once the data is there" : "", sched, ck->recipes);
    } else {
        fprintf(f, "no pretraining recipe matches its name (PRETRAIN_<data set> for a name "
                   "ending in -<data set>.ckpt); put it there.\n");
    }
}

void needs_print(FILE *f, const Experiment *e, const Needs *n)
{
    int missing = needs_missing(n), ckpts = 0;
    if (!missing)
        return;
    fprintf(f, "%s (profile %s) needs %d input%s that %s not here:\n", e->name,
            e->profile[0] ? e->profile : "none", missing, missing == 1 ? "" : "s",
            missing == 1 ? "is" : "are");
    if (n->data_missing)
        print_data(f, n);
    for (int i = 0; i < n->nckpts; i++)
        if (!n->ckpts[i].present) {
            print_checkpoint(f, n, &n->ckpts[i]);
            ckpts++;
        }
    if (ckpts)
        fprintf(f, "  Starting checkpoints of your own instead (qbench checkpoints of the same "
                   "networks on the same data): make SET=train.from=PATH, {net} in PATH standing "
                   "for the network (qbench: --set train.from=PATH).\n");
}

int needs_rules(FILE *f, const Experiment *e, const Needs *n, QbErr *err)
{
    for (int i = 0; i < n->nckpts; i++)
        if (n->ckpts[i].makeable && (!makefrag_safe(n->ckpts[i].path) ||
                                     !makefrag_safe(n->ckpts[i].pretrain.data_dir)))
            return qb_fail(err, "%s: the checkpoint and data paths must not contain spaces or "
                                "any of $#%%:;\\\"'", n->ckpts[i].path);
    fprintf(f, "\n.PHONY: needs\nneeds:");
    for (int i = 0; i < n->nckpts; i++)
        if (n->ckpts[i].makeable)
            fprintf(f, " %s", n->ckpts[i].path);
    fprintf(f, "\n\t@:\n"); /* a recipe, so that make has nothing to say when all are there */
    for (int i = 0; i < n->nckpts; i++) {
        const NeedCheckpoint *ck = &n->ckpts[i];
        char sched[256];
        if (!ck->makeable)
            continue;
        schedule_text(&ck->pretrain, sched, sizeof sched);
        /* --partial: the checkpoint appears only once trained; an interrupted run resumes
         * from CKPT.partial */
        fprintf(f, "\n%s:\n\t@mkdir -p $(@D)\n\t@echo \"%s: pretraining %s on %s, full "
                   "precision, %s -> $@\"\n\t@$(CELL_RUNNER) $@ $(QBENCH) train",
                ck->path, e->name, ck->net, ck->pretrain.data, sched);
        runcfg_write_flags(f, &ck->pretrain, NULL);
        fprintf(f, " --threads $(PRETRAIN_THREADS) --checkpoint $@ --partial --resume --quiet\n");
        /* a runner that returns before the training ends (RUNNER=slurm RUNNER_WAIT=0) leaves
         * it missing: the cells cannot be expanded until it is there */
        fprintf(f, "\t@test -e $@ || { echo \"%s: $@ is being trained (its job was submitted); "
                   "rerun make once it has finished\"; exit 1; }\n", e->name);
    }
    return 0;
}
