#include "grid.h"

#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/grow.h"
#include "harness/result.h"

static int name_index(const char (*names)[32], int n, const char *name)
{
    for (int i = 0; i < n; i++)
        if (!strcmp(names[i], name))
            return i;
    return -1;
}

int grid_scheme_index(const Experiment *e, const char *scheme)
{
    return name_index(e->schemes, e->nschemes, scheme);
}

int grid_slot(const Grid *g, int bits)
{
    if (bits == 0)
        return 0;
    for (int i = 0; i < g->e->nbits; i++)
        if (g->bits[i] == bits)
            return i;
    return -1;
}

static int nslots(const Experiment *e)
{
    return e->nbits ? e->nbits : 1;
}

static GridCell *at(const Grid *g, GridCell *base, int net, int scheme, int bits)
{
    int slot = grid_slot(g, bits);
    if (!base || net < 0 || scheme < 0 || slot < 0)
        return NULL;
    return &base[((size_t)net * g->e->nschemes + (size_t)scheme) * (size_t)nslots(g->e) + (size_t)slot];
}

const GridCell *grid_cell(const Grid *g, int net, int scheme, int bits)
{
    return at(g, g->cells, net, scheme, bits);
}

const GridCell *grid_cell_or_empty(const Grid *g, int net, int scheme, int bits)
{
    const GridCell *c = grid_cell(g, net, scheme, bits);
    return c ? c : &g->empty;
}

const GridCell *grid_ref_cell(const Grid *g, int net, int scheme, int bits)
{
    return at(g, g->ref, net, scheme, bits);
}

static int seed_index(const Experiment *e, long long seed)
{
    for (int i = 0; i < e->nseeds; i++)
        if (e->seeds[i] == seed)
            return i;
    return -1;
}

/* Grows c's seed slots to n, the new ones without a run. */
static void seed_slots(GridCell *c, int n)
{
    if (n <= c->nslots)
        return;
    size_t k = (size_t)n;
    c->top1 = realloc(c->top1, k * sizeof *c->top1);
    c->top5 = realloc(c->top5, k * sizeof *c->top5);
    c->digest = realloc(c->digest, k * sizeof *c->digest);
    c->id = realloc(c->id, k * sizeof *c->id);
    c->conv = realloc(c->conv, k * sizeof *c->conv);
    QB_ASSERT(c->top1 && c->top5 && c->digest && c->id && c->conv);
    for (int s = c->nslots; s < n; s++) {
        c->top1[s] = c->top5[s] = NAN;
        c->digest[s] = 0;
        c->id[s][0] = '\0';
        c->conv[s] = CONV_NOT_RECORDED;
    }
    c->nslots = n;
}

static void seed_slots_free(GridCell *c)
{
    free(c->top1), free(c->top5), free(c->digest), free(c->id), free(c->conv);
    c->top1 = c->top5 = NULL, c->digest = NULL, c->id = NULL, c->conv = NULL;
    c->nslots = 0;
}

static size_t ncells(const Experiment *e)
{
    return (size_t)e->nnets * (size_t)e->nschemes * (size_t)nslots(e);
}

static void cell_init(GridCell *c, int seeds)
{
    c->bitops = NAN;
    seed_slots(c, seeds > 0 ? seeds : 1);
}

static GridCell *positions_alloc(const Experiment *e)
{
    size_t n = ncells(e);
    GridCell *c = calloc(n ? n : 1, sizeof *c);
    if (!c)
        return NULL;
    for (size_t i = 0; i < n; i++)
        cell_init(&c[i], e->nseeds);
    return c;
}

static void positions_free(const Experiment *e, GridCell *c)
{
    for (size_t i = 0; c && i < ncells(e); i++)
        seed_slots_free(&c[i]);
    free(c);
}

/* A new note's line, to be written. */
static char *note_add(Grid *g)
{
    char *line = GROW_PUSH(g->notes, g->nnotes, g->cap_notes);
    QB_ASSERT(line); /* at most one per cell */
    return line;
}

static void note(Grid *g, const char *id, const char *reason)
{
    snprintf(note_add(g), sizeof g->notes[0], "failed: %s (%s)", id, reason);
}

/* A read result into its cell at seed index s. */
static void put(const Experiment *e, GridCell *c, int s, const ResultSummary *rs, const char *id)
{
    snprintf(c->id[s], sizeof c->id[s], "%s", id);
    c->digest[s] = rs->metrics_digest;
    if (!rs->ok) {
        c->failed++;
        snprintf(c->reason, sizeof c->reason, "%s", rs->reason);
        return;
    }
    int best = e->metric == METRIC_BEST;
    c->top1[s] = best ? rs->best_top1 : rs->final_top1;
    c->top5[s] = best ? rs->best_top5 : rs->final_top5;
    c->conv[s] = (signed char)rs->convergence;
    c->bitops = rs->bitops;
    c->ok++;
}

static int *sorted_bits(const Experiment *e)
{
    int *bits = malloc(sizeof *bits * (size_t)(e->nbits ? e->nbits : 1));
    if (!bits)
        return NULL;
    for (int i = 0; i < e->nbits; i++)
        bits[i] = e->bits[i];
    for (int i = 1; i < e->nbits; i++)
        for (int j = i; j > 0 && bits[j - 1] > bits[j]; j--) {
            int x = bits[j];
            bits[j] = bits[j - 1], bits[j - 1] = x;
        }
    return bits;
}

/* The grid cell of one of the experiment's cells, and its seed index. */
static GridCell *cell_slot(const Grid *g, const Cell *c, int *seed)
{
    const Experiment *e = g->e;
    GridCell *gc = at(g, g->cells, name_index(e->nets, e->nnets, c->net),
                      grid_scheme_index(e, c->scheme), c->bits);
    *seed = seed_index(e, c->seed);
    QB_ASSERT(gc && *seed >= 0);
    return gc;
}

const char *grid_cell_id(const Grid *g, const Cell *c)
{
    int s;
    const GridCell *gc = cell_slot(g, c, &s);
    return gc->id[s][0] ? gc->id[s] : NULL;
}

static int grid_init(Grid *g, const Experiment *e, QbErr *err)
{
    memset(g, 0, sizeof *g);
    g->e = e;
    g->tolerance = e->tolerance;
    cell_init(&g->empty, e->nseeds);
    if (!(g->bits = sorted_bits(e)) || !(g->cells = positions_alloc(e)))
        return qb_fail(err, "out of memory for the results of %s", e->name);
    return 0;
}

int grid_load(Grid *g, const Experiment *e, const CellList *cells, const char *results_dir,
              QbErr *err)
{
    if (grid_init(g, e, err) < 0)
        return -1;
    for (int i = 0; i < cells->n; i++) {
        const Cell *c = &cells->cells[i];
        int s;
        GridCell *gc = cell_slot(g, c, &s);
        snprintf(gc->id[s], sizeof gc->id[s], "%s", c->id);
        char path[1024];
        snprintf(path, sizeof path, "%s/%s/%s.json", results_dir, e->name, c->id);
        FILE *f = fopen(path, "r");
        if (!f) {
            gc->missing++;
            g->missing++;
            continue;
        }
        fclose(f);
        ResultSummary rs;
        if (result_read(path, &rs, err) < 0)
            return grid_free(g), -1;
        if (!rs.ok)
            note(g, c->id, rs.reason);
        put(e, gc, s, &rs, c->id);
    }
    return 0;
}

/* The reference's slot of a seed: the matrix's seed index, or with keep_other a slot after
 * the matrix's seeds; -1 when it has none. */
static int ref_seed_slot(Grid *g, long long seed, int keep_other)
{
    int s = seed_index(g->e, seed);
    if (s >= 0 || !keep_other)
        return s;
    for (int k = 0; k < g->nref_other; k++)
        if (g->ref_other_seeds[k] == seed)
            return g->e->nseeds + k;
    long long *other = GROW_PUSH(g->ref_other_seeds, g->nref_other, g->cap_ref_other);
    if (!other)
        return -1;
    *other = seed;
    for (size_t i = 0; i < ncells(g->e); i++)
        seed_slots(&g->ref[i], g->e->nseeds + g->nref_other);
    return g->e->nseeds + g->nref_other - 1;
}

/* The user's cell at the position of reference cell c. */
static const GridCell *user_at(const Grid *g, const GridCell *c)
{
    return g->cells + (c - g->ref);
}

/* Where a reference file belongs; NULL when its budget or position is not this matrix's, or
 * when another profile ran it and this matrix's cell there is not the same cell (a profile
 * that extends another shares the cells its settings leave alone, ids and all). */
static GridCell *ref_slot(Grid *g, const ResultSummary *rs, int keep_other, int *seed)
{
    const Experiment *e = g->e;
    int fp = scheme_is_fp(rs->scheme);
    if (rs->budget != e->budget || fp != (rs->bits == 0) ||
        (!fp && experiment_excluded(e, rs->net, rs->scheme, rs->bits)))
        return NULL;
    GridCell *c = at(g, g->ref, name_index(e->nets, e->nnets, rs->net),
                     grid_scheme_index(e, rs->scheme), rs->bits);
    *seed = c ? ref_seed_slot(g, rs->seed, keep_other) : -1;
    if (*seed < 0)
        return NULL;
    if (strcmp(rs->profile, e->profile) &&
        (*seed >= e->nseeds || strcmp(user_at(g, c)->id[*seed], rs->cell)))
        return NULL;
    return c;
}

/* Two reference runs at one position: the one with the user's cell id wins. */
static int ref_prefer(const GridCell *user, const GridCell *ref, int s, const char *id)
{
    return !ref->id[s][0] || (user && !strcmp(user->id[s], id) && strcmp(ref->id[s], id));
}

static void ref_clear_seed(GridCell *c, int s)
{
    if (!c->id[s][0])
        return;
    if (isfinite(c->top1[s]))
        c->ok--;
    else
        c->failed--;
    c->top1[s] = c->top5[s] = NAN;
    c->conv[s] = CONV_NOT_RECORDED;
    c->id[s][0] = '\0';
}

static int ref_add(Grid *g, const char *path, int keep_other, QbErr *err)
{
    ResultSummary rs;
    int s;
    if (result_read(path, &rs, err) < 0)
        return -1;
    GridCell *c = ref_slot(g, &rs, keep_other, &s);
    if (!c) {
        g->ref_unmatched++;
        return 0;
    }
    if (!ref_prefer(user_at(g, c), c, s, rs.cell))
        return 0;
    ref_clear_seed(c, s);
    put(g->e, c, s, &rs, rs.cell);
    return 0;
}

/* Every result file in dir into g->ref (keep_other: see ref_seed_slot). */
static int load_reference(Grid *g, const char *dir, int keep_other, QbErr *err)
{
    DIR *d = opendir(dir);
    if (!d)
        return qb_fail(err, "%s: cannot open the reference results directory", dir);
    snprintf(g->ref_dir, sizeof g->ref_dir, "%s", dir);
    positions_free(g->e, g->ref);
    g->nref_other = 0;
    if (!(g->ref = positions_alloc(g->e)))
        return closedir(d), qb_fail(err, "out of memory for the reference %s", dir);
    int rc = 0;
    for (struct dirent *ent; rc == 0 && (ent = readdir(d));) {
        size_t len = strlen(ent->d_name);
        if (len < 6 || strcmp(ent->d_name + len - 5, ".json"))
            continue;
        char path[1024];
        snprintf(path, sizeof path, "%s/%s", dir, ent->d_name);
        rc = ref_add(g, path, keep_other, err);
    }
    closedir(d);
    return rc;
}

int grid_load_reference(Grid *g, const char *dir, QbErr *err)
{
    return load_reference(g, dir, 1, err);
}

int grid_load_by_position(Grid *g, const Experiment *e, const CellList *cells,
                          const char *results_dir, QbErr *err)
{
    char dir[1024];
    snprintf(dir, sizeof dir, "%s/%s", results_dir, e->name);
    if (grid_init(g, e, err) < 0)
        return -1;
    if (load_reference(g, dir, 0, err) < 0)   /* the table's own seeds only */
        return grid_free(g), -1;
    positions_free(e, g->cells);
    g->cells = g->ref, g->ref = NULL;
    int other = 0;
    for (int i = 0; i < cells->n; i++) {
        const Cell *c = &cells->cells[i];
        int s;
        GridCell *gc = cell_slot(g, c, &s);
        if (!gc->id[s][0]) {
            gc->missing++, g->missing++;
            continue;
        }
        other += strcmp(gc->id[s], c->id) != 0;
        if (!isfinite(gc->top1[s]))
            note(g, gc->id[s], gc->reason);
    }
    if (other)
        snprintf(note_add(g), sizeof g->notes[0],
                 "%d of %d results were matched by matrix position from %.200s: they were made by "
                 "code other than this build's (their cell ids differ), so a run of this build "
                 "can differ from them", other, cells->n - g->missing, dir);
    return 0;
}

void grid_free(Grid *g)
{
    positions_free(g->e, g->cells);
    positions_free(g->e, g->ref);
    seed_slots_free(&g->empty);
    GROW_FREE(g->ref_other_seeds, g->nref_other, g->cap_ref_other);
    free(g->bits);
    GROW_FREE(g->notes, g->nnotes, g->cap_notes);
    g->cells = g->ref = NULL;
    g->bits = NULL;
}

static double stat_of(const GridCell *c, int top5, int want_std)
{
    const double *v = top5 ? c->top5 : c->top1;
    double sum = 0, ss = 0;
    int n = 0;
    for (int i = 0; i < c->nslots; i++)
        if (isfinite(v[i]))
            sum += v[i], n++;
    double m = n ? sum / n : NAN;
    if (!want_std)
        return m;
    for (int i = 0; i < c->nslots; i++)
        if (isfinite(v[i]))
            ss += (v[i] - m) * (v[i] - m);
    return n > 1 ? sqrt(ss / (n - 1)) : NAN;
}

int grid_conv_count(const GridCell *c, ConvVerdict v)
{
    int n = 0;
    for (int i = 0; i < c->nslots; i++)
        n += isfinite(c->top1[i]) && c->conv[i] == (signed char)v;
    return n;
}

double grid_mean(const GridCell *c, int top5)
{
    return stat_of(c, top5, 0);
}

double grid_std(const GridCell *c, int top5)
{
    return stat_of(c, top5, 1);
}

void grid_paired_cells(const Grid *g, const GridCell *a, const GridCell *b, int top5,
                       Paired *out)
{
    paired_diff(top5 ? a->top5 : a->top1, top5 ? b->top5 : b->top1, g->e->nseeds, out);
}

void grid_paired(const Grid *g, int net, int scheme, int bits, int top5, Paired *out)
{
    const Experiment *e = g->e;
    int base = e->baseline[0] ? grid_scheme_index(e, e->baseline) : -1;
    const GridCell *a = grid_cell(g, net, scheme, bits);
    const GridCell *b = base < 0 ? NULL : grid_cell(g, net, base, scheme_is_fp(e->baseline) ? 0 : bits);
    memset(out, 0, sizeof *out);
    out->mean = out->sd = out->lo = out->hi = out->half = NAN;
    if (a && b && a != b && !scheme_is_fp(e->schemes[scheme]))
        grid_paired_cells(g, a, b, top5, out);
}
