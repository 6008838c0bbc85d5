#include "prune.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/checkpoint.h"
#include "core/jsonr.h"
#include "result.h"

/* An experiment file under the experiments directory: where its results go, its profiles. */
typedef struct {
    char path[512];              /* as Experiment.path */
    char name[64];
    ExpName *profiles;           /* owned */
    int nprofiles;               /* 0: a file without profiles (its one profile is "") */
} ExpFile;

/* The ids one file produces in one profile at one budget, with or without the --set
 * settings; or why they could not be listed. */
typedef struct {
    int file, budget, with_sets;
    char profile[32];
    char (*ids)[CELL_ID_MAX];
    int n;
    int failed;
    char why[sizeof(QbErr)];
} Expansion;

/* One cell's files in a results directory, as found. */
typedef struct {
    char id[CELL_ID_MAX];
    char **names;
    int nnames;
    long long bytes;
    int has_result;              /* its <id>.json reads: then profile and budget are its */
    char profile[32];
    int budget;
} Group;

/* Everything one results directory is judged with. */
typedef struct {
    const PruneOptions *o;
    const ExpFile *files;
    int nfiles;
    char dir[PATH_MAX];          /* <results>/<experiment> */
    const char *name;            /* the experiment's */
    long long max_seed;          /* of its cells: the seed lists are extended to reach it */
    int *budgets;                /* every budget its results record, 1 first */
    int nbudgets;
    Expansion *exps;             /* the expansions made so far (cached) */
    int nexps;
} DirJudge;

static char *dup_text(const char *s)
{
    char *d = strdup(s);
    QB_ASSERT(d);
    return d;
}

static void add_note(PruneList *l, const char *dir, const char *id, const char *why)
{
    char where[PATH_MAX + CELL_ID_MAX + 2];
    snprintf(where, sizeof where, "%s/%s", dir, id);
    l->notes = realloc(l->notes, (size_t)(l->nnotes + 1) * sizeof *l->notes);
    QB_ASSERT(l->notes);
    l->notes[l->nnotes++] = (PruneNote){dup_text(where), dup_text(why)};
}

static void add_budget(DirJudge *j, int budget)
{
    for (int i = 0; i < j->nbudgets; i++)
        if (j->budgets[i] == budget)
            return;
    j->budgets = realloc(j->budgets, (size_t)(j->nbudgets + 1) * sizeof *j->budgets);
    QB_ASSERT(j->budgets);
    j->budgets[j->nbudgets++] = budget;
}

/* Whether path is dir or lies under it (both resolved; a path that does not resolve is in
 * nothing). */
static int within(const char *path, const char *dir)
{
    char p[PATH_MAX], d[PATH_MAX];
    if (!dir || !realpath(path, p) || !realpath(dir, d))
        return 0;
    size_t n = strlen(d);
    return !strncmp(p, d, n) && (p[n] == '\0' || p[n] == '/' || !strcmp(d, "/"));
}

/* The length of the cell id a file name starts with (cell.h: NET_SCHEME[BITS]_sSEED_ then
 * twelve hex digits, then the file's suffix from '.'), its seed in *seed; 0 for a file that
 * is no cell's. */
static size_t cell_id_length(const char *name, long long *seed)
{
    for (const char *p = strchr(name, '_'); p; p = strchr(p + 1, '_')) {
        if (strspn(p + 1, "0123456789abcdef") != 12 || p[13] != '.')
            continue;
        const char *q = p;
        while (q > name && isdigit((unsigned char)q[-1]))
            q--;
        if (q == p || q - name < 3 || q[-1] != 's' || q[-2] != '_')
            return 0;
        *seed = strtoll(q, NULL, 10);
        size_t len = (size_t)(p + 13 - name);
        return len < CELL_ID_MAX ? len : 0;
    }
    return 0;
}

/* The experiment files that load; none is an error (a mistyped --experiments would leave
 * every directory unjudged). */
static int load_files(const PruneOptions *o, ExpFile **out, int *n, QbErr *err)
{
    char pattern[PATH_MAX];
    glob_t g;
    *out = NULL;
    *n = 0;
    snprintf(pattern, sizeof pattern, "%s/*.yaml", o->experiments);
    if (glob(pattern, 0, NULL, &g) != 0)
        return qb_fail(err, "%s: no experiment file (*.yaml) there", o->experiments);
    Experiment *e = malloc(sizeof *e);
    *out = calloc(g.gl_pathc, sizeof **out);
    QB_ASSERT(e && *out);
    for (size_t i = 0; i < g.gl_pathc; i++) {
        QbErr ignored;
        /* a file that does not load as an experiment (the claims file) produces no cells */
        if (experiment_load(e, g.gl_pathv[i], "", &ignored) == 0) {
            ExpFile *f = &(*out)[(*n)++];
            snprintf(f->path, sizeof f->path, "%s", g.gl_pathv[i]);
            snprintf(f->name, sizeof f->name, "%s", e->name);
            f->profiles = malloc(sizeof *f->profiles * (size_t)(e->nprofiles + 1));
            QB_ASSERT(f->profiles);
            for (int k = 0; k < e->nprofiles; k++)
                memcpy(f->profiles[k], e->profiles[k], sizeof f->profiles[k]);
            f->nprofiles = e->nprofiles;
        }
        experiment_free(e);
    }
    free(e);
    globfree(&g);
    return *n ? 0 : qb_fail(err, "%s: none of its *.yaml files loads as an experiment file",
                            o->experiments);
}

/* The file at `profile` and budget 1, with the --set settings when asked. */
static int load_one(const DirJudge *j, const Expansion *x, Experiment *e, QbErr *err)
{
    if (experiment_load(e, j->files[x->file].path, x->profile, err) < 0)
        return -1;
    for (int i = 0; x->with_sets && i < j->o->nsets; i++)
        if (experiment_set(e, j->o->sets[i], err) < 0)
            return -1;
    return 0;
}

/* The seed list extended (expand --seeds N) until it reaches the directory's highest seed:
 * make claims SEEDS_MAX=N trains seeds past the file's list. */
static int reach_seed(Experiment *e, long long seed, QbErr *err)
{
    long long last = e->nseeds ? e->seeds[e->nseeds - 1] : 0;
    for (int i = 0; i < e->nseeds; i++)
        if (e->seeds[i] == seed)
            return 0;
    if (seed <= last)
        return 0;
    long long want = e->nseeds + (seed - last);
    return experiment_seed_count(e, (int)(want < EXP_SEED_COUNT_MAX ? want : EXP_SEED_COUNT_MAX), err);
}

static void expand_into(const DirJudge *j, Expansion *x)
{
    Experiment *e = malloc(sizeof *e);
    QbErr err = {{0}};
    CellList cells = {0};
    QB_ASSERT(e);
    int rc = load_one(j, x, e, &err);
    if (rc == 0 && x->budget > 1)
        rc = experiment_budget(e, x->budget, &err);
    if (rc == 0)
        rc = reach_seed(e, j->max_seed, &err);
    if (rc == 0)
        rc = cells_expand(e, &cells, &err);
    if (rc < 0) {
        x->failed = 1;
        snprintf(x->why, sizeof x->why, "%s", err.msg);
    } else {
        x->ids = calloc((size_t)cells.n + 1, sizeof *x->ids);
        QB_ASSERT(x->ids);
        for (int i = 0; i < cells.n; i++)
            memcpy(x->ids[x->n++], cells.cells[i].id, CELL_ID_MAX);
        cells_free(&cells);
    }
    experiment_free(e);
    free(e);
}

/* The ids of (file, profile, budget, with_sets), expanded on first use. */
static const Expansion *expansion(DirJudge *j, int file, const char *profile, int budget,
                                  int with_sets)
{
    for (int i = 0; i < j->nexps; i++) {
        const Expansion *x = &j->exps[i];
        if (x->file == file && x->budget == budget && x->with_sets == with_sets &&
            !strcmp(x->profile, profile))
            return x;
    }
    j->exps = realloc(j->exps, (size_t)(j->nexps + 1) * sizeof *j->exps);
    QB_ASSERT(j->exps);
    Expansion *x = &j->exps[j->nexps++];
    memset(x, 0, sizeof *x);
    x->file = file, x->budget = budget, x->with_sets = with_sets;
    snprintf(x->profile, sizeof x->profile, "%s", profile);
    expand_into(j, x);
    return x;
}

static int file_has_profile(const ExpFile *f, const char *profile)
{
    if (!f->nprofiles)
        return !profile[0];
    for (int i = 0; i < f->nprofiles; i++)
        if (!strcmp(f->profiles[i], profile))
            return 1;
    return 0;
}

typedef enum { JUDGED_CURRENT, JUDGED_STALE, JUDGED_UNKNOWN } Judgement;

/* Whether any file of the directory's name produces id in profile at budget (plain, or under
 * the --set settings); UNKNOWN, with the reason in why, when none does but a file's cells
 * could not be listed. */
static Judgement judge_at(DirJudge *j, const char *id, const char *profile, int budget,
                          char *why, size_t cap)
{
    Judgement v = JUDGED_STALE;
    for (int f = 0; f < j->nfiles; f++) {
        if (strcmp(j->files[f].name, j->name) || !file_has_profile(&j->files[f], profile))
            continue;
        for (int s = 0; s < (j->o->nsets ? 2 : 1); s++) {
            const Expansion *x = expansion(j, f, profile, budget, s);
            for (int i = 0; !x->failed && i < x->n; i++)
                if (!strcmp(x->ids[i], id))
                    return JUDGED_CURRENT;
            if (x->failed && v == JUDGED_STALE) {
                v = JUDGED_UNKNOWN;
                snprintf(why, cap, "the cells of %s (profile %s, %dx) cannot be listed here: %s",
                         j->files[f].path, profile[0] ? profile : "none", budget, x->why);
            }
        }
    }
    return v;
}

/* The epochs a group's checkpoint was training for (its run's config), 0 when it has none
 * or it cannot be read. */
static int checkpoint_epochs(const DirJudge *j, const Group *g)
{
    for (int i = 0; i < g->nnames; i++) {
        const char *suffix = g->names[i] + strlen(g->id);
        if (strcmp(suffix, ".ckpt") && strcmp(suffix, ".failed.ckpt"))
            continue;
        char path[PATH_MAX * 2];
        CkptMeta m = {0};
        JsonV *v = NULL;
        QbErr ignored;
        snprintf(path, sizeof path, "%s/%s", j->dir, g->names[i]);
        int epochs = 0;
        if (checkpoint_read_meta(path, &m, &ignored) == 0 && m.config &&
            json_parse(m.config, path, &v, &ignored) == 0)
            epochs = (int)json_num_at(v, "epochs", 0);
        json_free(v);
        ckpt_meta_free(&m);
        if (epochs > 0)
            return epochs;
    }
    return 0;
}

/* The budgets a cell without a result may have run at: 1x, every budget the directory's
 * results record, and each one that turns one of the profile's epoch counts (its cells' and
 * its chain links') into its checkpoint's. Into j->budgets, which is restored after. */
static int unfinished_budgets(DirJudge *j, int file, const char *profile, int epochs)
{
    Experiment *e = malloc(sizeof *e);
    Expansion at1 = {.file = file};
    QB_ASSERT(e);
    snprintf(at1.profile, sizeof at1.profile, "%s", profile);
    int n = j->nbudgets;
    for (int s = 0; epochs && s < (j->o->nsets ? 2 : 1); s++) {
        QbErr ignored;
        at1.with_sets = s;
        int loaded = load_one(j, &at1, e, &ignored) == 0;
        for (int k = -1; loaded && k < e->nlink_configs; k++) {
            int per = k < 0 ? e->base.epochs : e->link_configs[k].cfg.epochs;
            if (per > 0 && epochs % per == 0 && epochs / per <= EXP_BUDGET_MAX)
                add_budget(j, epochs / per);
        }
        experiment_free(e);
    }
    free(e);
    return n;
}

/* A cell without a result: its profile and budget are not recorded, so it is judged in every
 * profile at every budget unfinished_budgets gives. */
static Judgement judge_unfinished(DirJudge *j, const Group *g, char *why, size_t cap)
{
    int epochs = checkpoint_epochs(j, g);
    Judgement v = JUDGED_STALE;
    for (int f = 0; f < j->nfiles && v != JUDGED_CURRENT; f++) {
        const ExpFile *file = &j->files[f];
        if (strcmp(file->name, j->name))
            continue;
        for (int p = 0; p < (file->nprofiles ? file->nprofiles : 1) && v != JUDGED_CURRENT; p++) {
            const char *profile = file->nprofiles ? file->profiles[p] : "";
            int restore = unfinished_budgets(j, f, profile, epochs);
            for (int b = 0; b < j->nbudgets && v != JUDGED_CURRENT; b++) {
                char w[2048];
                Judgement at = judge_at(j, g->id, profile, j->budgets[b], w, sizeof w);
                if (at == JUDGED_CURRENT || (at == JUDGED_UNKNOWN && v == JUDGED_STALE))
                    v = at, snprintf(why, cap, "%s", w);
            }
            j->nbudgets = restore;
        }
    }
    return v;
}

static int group_has(const Group *g, const char *suffix)
{
    for (int i = 0; i < g->nnames; i++)
        if (!strcmp(g->names[i] + strlen(g->id), suffix))
            return 1;
    return 0;
}

/* Whether a runner holds the cell's lock (bench/scripts/cell-local.sh): it is training. */
static int lock_held(const char *dir, const char *id)
{
    char path[PATH_MAX + CELL_ID_MAX + 8];
    snprintf(path, sizeof path, "%s/%s.lock", dir, id);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return 0;
    int held = flock(fd, LOCK_EX | LOCK_NB) < 0 && errno == EWOULDBLOCK;
    close(fd);
    return held;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* One cell's files: kept, listed as stale, or left alone with a note. */
static void judge_group(DirJudge *j, Group *g, PruneList *out)
{
    char why[2048] = "", what[160];
    Judgement v;
    if (g->has_result) {
        v = judge_at(j, g->id, g->profile, g->budget, why, sizeof why);
        snprintf(what, sizeof what, "result of profile %s at %dx",
                 g->profile[0] ? g->profile : "none", g->budget);
    } else {
        v = judge_unfinished(j, g, why, sizeof why);
        snprintf(what, sizeof what, "no result%s", group_has(g, ".json") ? " that reads" : "");
    }
    if (v == JUDGED_UNKNOWN)
        add_note(out, j->dir, g->id, why);
    else if (v == JUDGED_STALE && lock_held(j->dir, g->id))
        add_note(out, j->dir, g->id, "a runner holds its lock (it is training)");
    if (v != JUDGED_STALE || lock_held(j->dir, g->id))
        return;
    out->stale = realloc(out->stale, (size_t)(out->nstale + 1) * sizeof *out->stale);
    QB_ASSERT(out->stale);
    PruneCell *c = &out->stale[out->nstale++];
    memset(c, 0, sizeof *c);
    c->dir = dup_text(j->dir);
    memcpy(c->id, g->id, sizeof c->id);
    qsort(g->names, (size_t)g->nnames, sizeof *g->names, by_name);
    c->names = g->names, c->nnames = g->nnames, c->bytes = g->bytes;
    g->names = NULL, g->nnames = 0;
    snprintf(c->what, sizeof c->what, "%s", what);
}

static Group *group_of(Group **gs, int *n, const char *name, size_t idlen)
{
    for (int i = 0; i < *n; i++)
        if (strlen((*gs)[i].id) == idlen && !strncmp((*gs)[i].id, name, idlen))
            return &(*gs)[i];
    *gs = realloc(*gs, (size_t)(*n + 1) * sizeof **gs);
    QB_ASSERT(*gs);
    Group *g = &(*gs)[(*n)++];
    memset(g, 0, sizeof *g);
    memcpy(g->id, name, idlen);
    return g;
}

/* The cells' files of j's directory, grouped by cell id, each with its result's profile and
 * budget when it has one; the directory's highest seed and its results' budgets into j. */
static int read_groups(DirJudge *j, Group **gs, int *n, QbErr *err)
{
    DIR *d = opendir(j->dir);
    *gs = NULL, *n = 0;
    if (!d)
        return qb_fail(err, "%s: cannot read (%s)", j->dir, strerror(errno));
    add_budget(j, 1);
    for (struct dirent *de; (de = readdir(d));) {
        char path[PATH_MAX * 2];
        struct stat st;
        long long seed = 0;
        size_t idlen = cell_id_length(de->d_name, &seed);
        snprintf(path, sizeof path, "%s/%s", j->dir, de->d_name);
        if (!idlen || lstat(path, &st) != 0 || !S_ISREG(st.st_mode))
            continue;
        Group *g = group_of(gs, n, de->d_name, idlen);
        g->names = realloc(g->names, (size_t)(g->nnames + 1) * sizeof *g->names);
        QB_ASSERT(g->names);
        g->names[g->nnames++] = dup_text(de->d_name);
        g->bytes += (long long)st.st_size;
        j->max_seed = seed > j->max_seed ? seed : j->max_seed;
        ResultSummary r;
        QbErr ignored;
        if (!strcmp(de->d_name + idlen, ".json") && result_read(path, &r, &ignored) == 0) {
            g->has_result = 1, g->budget = r.budget;
            snprintf(g->profile, sizeof g->profile, "%s", r.profile);
            add_budget(j, r.budget);
        }
    }
    closedir(d);
    return 0;
}

static void free_groups(Group *gs, int n)
{
    for (int i = 0; i < n; i++) {
        for (int k = 0; k < gs[i].nnames; k++)
            free(gs[i].names[k]);
        free(gs[i].names);
    }
    free(gs);
}

static int experiment_named(const ExpFile *files, int n, const char *name)
{
    for (int i = 0; i < n; i++)
        if (!strcmp(files[i].name, name))
            return 1;
    return 0;
}

static int prune_dir(const PruneOptions *o, const ExpFile *files, int nfiles, const char *name,
                     PruneList *out, QbErr *err)
{
    DirJudge j = {.o = o, .files = files, .nfiles = nfiles, .name = name};
    Group *gs;
    int n, rc;
    snprintf(j.dir, sizeof j.dir, "%s/%s", o->results, name);
    if ((rc = read_groups(&j, &gs, &n, err)) == 0 && n && !experiment_named(files, nfiles, name)) {
        char why[PATH_MAX + 160];
        snprintf(why, sizeof why, "no experiment file in %s/ that loads is named %s",
                 o->experiments, name);
        add_note(out, o->results, name, why);
    }
    for (int i = 0; rc == 0 && experiment_named(files, nfiles, name) && i < n; i++)
        judge_group(&j, &gs[i], out);
    for (int i = 0; i < j.nexps; i++)
        free(j.exps[i].ids);
    free(j.exps);
    free(j.budgets);
    free_groups(gs, n);
    return rc;
}

int prune_find(const PruneOptions *o, PruneList *out, QbErr *err)
{
    memset(out, 0, sizeof *out);
    if (within(o->results, o->reference))
        return qb_fail(err, "--results %s is the read-only reference %s (or lies in it): its "
                            "results are never pruned", o->results, o->reference);
    struct dirent **entries;
    int n = scandir(o->results, &entries, NULL, alphasort);
    if (n < 0)
        return qb_fail(err, "%s: cannot read the results directory (%s)", o->results,
                       strerror(errno));
    ExpFile *files;
    int nfiles, rc = load_files(o, &files, &nfiles, err);
    for (int i = 0; i < n; i++) {
        char path[PATH_MAX * 2];
        struct stat st;
        snprintf(path, sizeof path, "%s/%s", o->results, entries[i]->d_name);
        if (rc == 0 && entries[i]->d_name[0] != '.' && stat(path, &st) == 0 &&
            S_ISDIR(st.st_mode) && !within(path, o->reference))
            rc = prune_dir(o, files, nfiles, entries[i]->d_name, out, err);
        free(entries[i]);
    }
    free(entries);
    for (int i = 0; i < nfiles; i++)
        free(files[i].profiles);
    free(files);
    if (rc < 0)
        prune_free(out);
    return rc;
}

int prune_delete(PruneList *l, int *deleted, QbErr *err)
{
    *deleted = 0;
    for (int i = 0; i < l->nstale; i++) {
        const PruneCell *c = &l->stale[i];
        if (lock_held(c->dir, c->id)) {
            add_note(l, c->dir, c->id, "a runner took its lock since it was listed");
            continue;
        }
        for (int k = 0; k < c->nnames; k++) {
            char path[PATH_MAX * 2];
            snprintf(path, sizeof path, "%s/%s", c->dir, c->names[k]);
            if (unlink(path) == 0)
                (*deleted)++;
            else if (errno != ENOENT)
                return qb_fail(err, "%s: cannot delete (%s)", path, strerror(errno));
        }
    }
    return 0;
}

/* The notes, each reason once with the cells it keeps. */
static void print_notes(FILE *f, const PruneList *l)
{
    for (int i = 0; i < l->nnotes; i++) {
        int first = 1;
        for (int k = 0; k < i && first; k++)
            first = strcmp(l->notes[k].why, l->notes[i].why) != 0;
        if (!first)
            continue;
        fprintf(f, "left alone: %s:\n", l->notes[i].why);
        for (int k = i; k < l->nnotes; k++)
            if (!strcmp(l->notes[k].why, l->notes[i].why))
                fprintf(f, "  %s\n", l->notes[k].where);
    }
}

void prune_print(FILE *f, const PruneList *l, int deleted)
{
    long long bytes = 0;
    int files = 0;
    for (int i = 0; i < l->nstale; i++) {
        const PruneCell *c = &l->stale[i];
        fprintf(f, "%s/%s: %s; %d file%s, %.1f MB:", c->dir, c->id, c->what, c->nnames,
                c->nnames == 1 ? "" : "s", c->bytes / 1e6);
        for (int k = 0; k < c->nnames; k++)
            fprintf(f, " %s", c->names[k] + strlen(c->id));
        fputc('\n', f);
        bytes += c->bytes, files += c->nnames;
    }
    print_notes(f, l);
    if (!l->nstale)
        fprintf(f, "nothing to prune: every cell's files are of cells an experiment produces\n");
    else if (deleted >= 0)
        fprintf(f, "%d cell%s no experiment produces any more: %d of their %d files deleted\n",
                l->nstale, l->nstale == 1 ? "" : "s", deleted, files);
    else
        fprintf(f, "%d cell%s no experiment produces any more: %d files, %.1f MB; nothing "
                   "deleted (--delete, make prune-results PRUNE=1, deletes them)\n",
                l->nstale, l->nstale == 1 ? "" : "s", files, bytes / 1e6);
}

void prune_free(PruneList *l)
{
    for (int i = 0; i < l->nstale; i++) {
        for (int k = 0; k < l->stale[i].nnames; k++)
            free(l->stale[i].names[k]);
        free(l->stale[i].names);
        free(l->stale[i].dir);
    }
    for (int i = 0; i < l->nnotes; i++)
        free(l->notes[i].where), free(l->notes[i].why);
    free(l->stale);
    free(l->notes);
    memset(l, 0, sizeof *l);
}
