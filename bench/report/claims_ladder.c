#include "claims_ladder.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/atomic_file.h"
#include "harness/makefrag.h"
#include "regime.h"
#include "render.h"

static void rung_free(LadderRungSet *r)
{
    claim_grids_free(&r->grids);
    for (int i = 0; r->set.exps && i < r->set.nexps; i++)
        experiment_free(&r->set.exps[i]);
    free(r->set.exps);
    r->set.exps = NULL;
}

/* cs's experiments at rung r's budget and seeds, sharing cs's claims. */
static int rung_load(const ClaimSet *cs, int r, const char *results_dir, LadderRungSet *out,
                     QbErr *err)
{
    const LadderRung *rung = &cs->rungs[r];
    out->set = *cs;
    memset(&out->grids, 0, sizeof out->grids);
    if (!(out->set.exps = malloc(sizeof *cs->exps * (size_t)(cs->nexps ? cs->nexps : 1))))
        return qb_fail(err, "%s: out of memory for the ladder", cs->path);
    for (int i = 0; i < cs->nexps; i++)
        experiment_copy(&out->set.exps[i], &cs->exps[i]);
    for (int i = 0; i < cs->nexps; i++)
        if (experiment_budget(&out->set.exps[i], rung->budget, err) < 0 ||
            experiment_seed_count(&out->set.exps[i], rung->seeds, err) < 0)
            return rung_free(out), qb_wrap(err, "%s: ladder rung %dx: ", cs->path, rung->budget);
    if (claim_grids_load(&out->set, results_dir, &out->grids, err) < 0)
        return rung_free(out), -1;
    return 0;
}

int ladder_load(const ClaimSet *cs, const char *results_dir, Ladder *l, QbErr *err)
{
    l->n = 0;
    if (!(l->rungs = calloc((size_t)cs->nrungs + 1, sizeof *l->rungs)))
        return qb_fail(err, "%s: out of memory for the ladder", cs->path);
    for (; l->n < cs->nrungs; l->n++)
        if (rung_load(cs, l->n, results_dir, &l->rungs[l->n], err) < 0)
            return ladder_free(l), -1;
    return 0;
}

void ladder_free(Ladder *l)
{
    for (int i = 0; l->rungs && i < l->n; i++)
        rung_free(&l->rungs[i]);
    free(l->rungs);
    l->rungs = NULL, l->n = 0;
}

const char *ladder_stability_name(LadderStability s)
{
    static const char *const names[] = {
        [LADDER_NONE] = "not laddered",
        [LADDER_INCOMPLETE] = "ladder incomplete",
        [LADDER_STABLE] = "budget-stable",
        [LADDER_SENSITIVE] = "budget-sensitive",
    };
    return names[s];
}

int ladder_wanted(const Claim *c, Verdict base)
{
    return (c->quantity == CLAIM_TOP1 || c->quantity == CLAIM_TOP5) &&
           (base == VERDICT_HOLDS || base == VERDICT_CONTRADICTED);
}

/* Whether a mean lies where the 1x verdict put the interval: on the claimed side (inside the
 * margin) for holds, on the other for contradicted. */
static int on_base_side(const Claim *c, Verdict base, double mean)
{
    int claimed = c->kind == CLAIM_EQUIVALENCE ? fabs(mean - c->threshold) < c->margin
                  : c->greater                 ? mean > c->threshold
                                               : mean < c->threshold;
    return claimed == (base == VERDICT_HOLDS);
}

LadderStability ladder_stability(const Claim *c, Verdict base, const ClaimResult *at,
                                 const int *planned, int n)
{
    int incomplete = 0, deciding = 0;
    for (int r = 0; r < n; r++) {
        /* a rung too small to decide adds only the side of its mean: not run yet, it holds
         * back nothing the deciding rungs settled (the text names it missing) */
        if (at[r].d.n == 0 && planned[r] < LADDER_DECIDING_SEEDS)
            continue;
        if (at[r].d.n == 0 || at[r].d.n < planned[r]) {
            incomplete = 1;
            continue;
        }
        if (at[r].d.n >= LADDER_DECIDING_SEEDS) {
            if (at[r].v != base)
                return LADDER_SENSITIVE;
            deciding = 1;
        } else if (!on_base_side(c, base, at[r].d.mean)) {
            return LADDER_SENSITIVE;
        }
    }
    return incomplete || !deciding ? LADDER_INCOMPLETE : LADDER_STABLE;
}

int ladder_measure(const Ladder *l, int claim, const ClaimResult *base, const char *results_dir,
                   ClaimResult *at, LadderStability *st, QbErr *err)
{
    *st = LADDER_NONE;
    if (!l->n || !ladder_wanted(&l->rungs[0].set.claims[claim], base->v))
        return 0;
    const Claim *c = &l->rungs[0].set.claims[claim];
    int *planned = malloc(sizeof *planned * (size_t)l->n);
    QB_ASSERT(planned);
    for (int r = 0; r < l->n; r++) {
        planned[r] = l->rungs[r].set.exps[c->exp].nseeds;  /* the rung's seeds */
        if (claim_measure(&l->rungs[r].set, c, &l->rungs[r].grids, results_dir, &at[r], err) < 0)
            return free(planned), -1;
    }
    *st = ladder_stability(c, base->v, at, planned, l->n);
    free(planned);
    return 0;
}

/* One rung: "3x: +0.52 [+0.10, +0.94] holds (n=3)", "10x: +0.31, on 1x's side (n=2)",
 * "3x: -0.13 so far (1 of 3 seeds)". */
static size_t rung_text(const Claim *c, const ClaimResult *base, const LadderRung *rung,
                        const ClaimResult *r, char *out, size_t cap)
{
    char interval[96];
    int budget = rung->budget;
    if (r->d.n == 0)
        return (size_t)snprintf(out, cap, "%dx: missing", budget);
    if (r->d.n < rung->seeds)
        return (size_t)snprintf(out, cap, "%dx: %+.2f so far (%d of %d seeds)", budget,
                                r->d.mean, r->d.n, rung->seeds);
    if (r->d.n < LADDER_DECIDING_SEEDS)
        return (size_t)snprintf(out, cap, "%dx: %+.2f, on %s side (n=%d)", budget, r->d.mean,
                                on_base_side(c, base->v, r->d.mean) ? "1x's" : "the other",
                                r->d.n);
    interval_text(&r->d, claim_diff_scale(c), "", interval, sizeof interval);
    return (size_t)snprintf(out, cap, "%dx: %+.2f %s %s (n=%d)", budget, r->d.mean, interval,
                            verdict_name(r->v), r->d.n);
}

void ladder_text(const ClaimSet *cs, const Claim *c, const ClaimResult *base,
                 const ClaimResult *at, LadderStability st, const char *sep, int with_stability,
                 char *out, size_t cap)
{
    size_t used = 0;
    out[0] = '\0';
    if (st == LADDER_NONE) {
        snprintf(out, cap, "–");
        return;
    }
    for (int r = 0; r < cs->nrungs && used < cap; r++) {
        if (r && used < cap)
            used += (size_t)snprintf(out + used, cap - used, "%s", sep);
        used += rung_text(c, base, &cs->rungs[r], &at[r], out + used, cap - used);
    }
    if (with_stability && used < cap)
        used += (size_t)snprintf(out + used, cap - used, "%s**%s**", sep,
                                 ladder_stability_name(st));
    int top = ladder_stable_to(cs, at, st);
    if (with_stability && top && used < cap)
        snprintf(out + used, cap - used, " to %dx", top);
}

int ladder_stable_to(const ClaimSet *cs, const ClaimResult *at, LadderStability st)
{
    int top = 0, short_of = 0;
    for (int r = 0; st == LADDER_STABLE && r < cs->nrungs; r++)
        if (at[r].d.n)
            top = cs->rungs[r].budget > top ? cs->rungs[r].budget : top;
        else
            short_of = 1;
    return short_of ? top : 0;
}

/* Whether e's table has rows at the ladder's bit-width. */
static int rows_wanted(const ClaimSet *cs, const Experiment *e)
{
    if (!cs->ladder_bits || e->layout != LAYOUT_BITS)
        return 0;
    for (int i = 0; i < e->nbits; i++)
        if (e->bits[i] == cs->ladder_bits)
            return 1;
    return 0;
}

static void rows_cell_text(const GridCell *c, char *out, size_t cap)
{
    if (!c || !c->ok)
        snprintf(out, cap, "–");
    else if (c->ok < 2)
        snprintf(out, cap, "%.2f (1)", grid_mean(c, 0));
    else
        snprintf(out, cap, "%.2f ± %.2f (%d)", grid_mean(c, 0), grid_std(c, 0), c->ok);
}

/* The grid of experiment i at budget slot b: 0 = 1x, then the rungs. */
static const Grid *rows_grid(const ClaimGrids *base, const Ladder *l, int b, int i)
{
    return b ? &l->rungs[b - 1].grids.grids[i] : &base->grids[i];
}

static void rows_one(FILE *md, FILE *csv, const ClaimSet *cs, const ClaimGrids *base,
                     const Ladder *l, int i, int net, int scheme)
{
    const Experiment *e = &cs->exps[i];
    const int bits = cs->ladder_bits;
    char text[128];
    fprintf(md, "| %s | %s | %s | %s |", e->name, e->nets[net], e->schemes[scheme],
            e->baseline[0] ? e->baseline : "–");
    for (int b = 0; b <= l->n; b++) {
        rows_cell_text(grid_cell(rows_grid(base, l, b, i), net, scheme, bits), text, sizeof text);
        fprintf(md, " %s |", text);
    }
    for (int b = 0; b <= l->n; b++) {
        Paired p;
        grid_paired(rows_grid(base, l, b, i), net, scheme, bits, 0, &p);
        paired_text(&p, text, sizeof text);
        fprintf(md, " %s |", text);
        const GridCell *c = grid_cell(rows_grid(base, l, b, i), net, scheme, bits);
        fprintf(csv, "%s,%s,%s,%d,%d,%d,%d,", e->name, e->nets[net], e->schemes[scheme], bits,
                b ? cs->rungs[b - 1].budget : 1, rows_grid(base, l, b, i)->e->nseeds,
                c ? c->ok : 0);
        if (c && c->ok)
            fprintf(csv, "%.4f,", grid_mean(c, 0));
        else
            fputs(",", csv);
        if (c && c->ok > 1)
            fprintf(csv, "%.4f,", grid_std(c, 0));
        else
            fputs(",", csv);
        if (p.n)
            fprintf(csv, "%.4f,", p.mean);
        else
            fputs(",", csv);
        paired_csv(csv, &p);   /* its three columns, each ended by a comma */
        fprintf(csv, "%d\n", p.n);
    }
    fputs("\n", md);
}

static void rows_header(FILE *md, const ClaimSet *cs, const Ladder *l)
{
    fprintf(md, "# The budget ladder: every table's %d-bit rows at each training budget\n\n"
                "Each row trained at the `%s` profile's own length (1x, its seeds) and at each "
                "rung of the ladder (`ladder:` in %s):", cs->ladder_bits, cs->profile, cs->path);
    for (int r = 0; r < l->n; r++)
        fprintf(md, "%s %dx the length with %d seed%s", r ? "," : "", cs->rungs[r].budget,
                cs->rungs[r].seeds, cs->rungs[r].seeds == 1 ? "" : "s");
    fprintf(md, ". Accuracy: final-epoch top-1, mean ± sample std over seeds (n). Beside it, the "
                "paired difference to the table's baseline (same net, bits and seed) with its "
                "95%% interval. Each table's regime at 1x:\n\n");
    for (int i = 0; i < cs->nexps; i++)
        if (rows_wanted(cs, &cs->exps[i])) {
            Regime rg;
            regime_describe(&cs->exps[i], &rg);
            fprintf(md, "- `%s`: %s\n", cs->exps[i].name, rg.text);
        }
    fputs("\n| table | net | method | baseline |", md);
    for (int pass = 0; pass < 2; pass++)
        for (int b = 0; b <= l->n; b++)
            fprintf(md, " %s%dx |", pass ? "− baseline, " : "", b ? cs->rungs[b - 1].budget : 1);
    fputs("\n|---|---|---|---|", md);
    for (int b = 0; b < 2 * (l->n + 1); b++)
        fputs("---:|", md);
    fputs("\n", md);
}

static void rows_all(FILE *md, FILE *csv, const ClaimSet *cs, const ClaimGrids *base,
                     const Ladder *l, const char *results_dir)
{
    rows_header(md, cs, l);
    fputs("table,net,scheme,bits,budget,seeds,n,mean,sd,diff,diff_lo,diff_hi,diff_shown,"
          "diff_n\n", csv);
    for (int i = 0; i < cs->nexps; i++) {
        const Experiment *e = &cs->exps[i];
        if (!rows_wanted(cs, e))
            continue;
        for (int n = 0; n < e->nnets; n++)
            for (int s = 0; s < e->nschemes; s++)
                if (!scheme_is_fp(e->schemes[s]) &&
                    !experiment_excluded(e, e->nets[n], e->schemes[s], cs->ladder_bits))
                    rows_one(md, csv, cs, base, l, i, n, s);
    }
    fprintf(md, "\nGenerated by `bin/qbench claims %s%s --profile %s --results %s` with the "
                "claims table.\n", cs->path,
            cs->by_position ? " --by-position" : "", cs->profile, results_dir);
}

/* rows_all's arguments, through md_csv_write. */
typedef struct {
    const ClaimSet *cs;
    const ClaimGrids *base;
    const Ladder *l;
    const char *results_dir;
} RowsFiles;

static int rows_files(FILE *md, FILE *csv, void *user, QbErr *err)
{
    const RowsFiles *a = user;
    (void)err;
    rows_all(md, csv, a->cs, a->base, a->l, a->results_dir);
    return 0;
}

int ladder_rows_write(const ClaimSet *cs, const ClaimGrids *base, const Ladder *l,
                      const char *results_dir, const char *out_base, QbErr *err)
{
    char base_path[1024];
    snprintf(base_path, sizeof base_path, "%s-ladder", out_base);
    return md_csv_write(base_path, rows_files, &(RowsFiles){cs, base, l, results_dir}, err);
}

/* The cells of one budget slot: per experiment its cell list and the indexes make wants. */
typedef struct {
    const ClaimSet *set;
    CellList *cells;   /* one per experiment (the grids' lists) */
    int **wanted;      /* per experiment, cells->n flags */
} SlotCells;

static void want_cell(void *user, int exp, const char *id)
{
    SlotCells *s = user;
    const Cell *c = cells_find(&s->cells[exp], id);
    if (c)
        s->wanted[exp][c - s->cells[exp].cells] = 1;
}

static void want_rows(const ClaimSet *cs, SlotCells *s)
{
    for (int i = 0; i < cs->nexps; i++)
        if (rows_wanted(cs, &s->set->exps[i]))
            for (int k = 0; k < s->cells[i].n; k++)
                if (s->cells[i].cells[k].bits == cs->ladder_bits)
                    s->wanted[i][k] = 1;
}

/* Flags every wanted cell of one budget slot (set and grids at that budget). */
static void slot_want(const ClaimSet *cs, const int *decided, const ClaimSet *set,
                      const ClaimGrids *g, int **wanted)
{
    SlotCells s = {set, g->cells, wanted};
    for (int i = 0; i < cs->n; i++)
        if (decided[i])
            claim_cells(set, &set->claims[i], g, want_cell, &s);
    want_rows(cs, &s);
}

static int frag_parts(const ClaimSet *cs, const ClaimSet *const *sets, const ClaimGrids *const *g,
                      int nslots, int **wanted, const char *path, int *count, QbErr *err)
{
    MakefragPart *parts = calloc((size_t)(nslots * cs->nexps) + 1, sizeof *parts);
    int **idx = calloc((size_t)(nslots * cs->nexps) + 1, sizeof *idx);
    int nparts = 0, rc = 0;
    char by[700];
    for (int b = 0; rc == 0 && parts && idx && b < nslots; b++)
        for (int i = 0; rc == 0 && i < cs->nexps; i++) {
            const int k = b * cs->nexps + i, ncells = g[b]->cells[i].n;
            int *picked = malloc(sizeof(int) * (size_t)(ncells + 1)), m = 0;
            if (!picked) {
                rc = -1;
                break;
            }
            for (int c = 0; c < ncells; c++)
                if (wanted[k][c])
                    picked[m++] = c;
            if (!m) {   /* an experiment with nothing wanted at this budget: no part */
                free(picked);
                continue;
            }
            *count += m;
            idx[nparts] = picked;
            parts[nparts++] = (MakefragPart){&sets[b]->exps[i], &g[b]->cells[i], picked, m};
        }
    snprintf(by, sizeof by, "qbench ladder %s --profile %s --make %s", cs->path, cs->profile,
             path);
    rc = rc == 0 && parts && idx
             ? makefrag_write_parts(path, by, parts, nparts, "ladder", NULL, err)
             : qb_fail(err, "%s: out of memory for the ladder's fragment", cs->path);
    for (int i = 0; idx && i < nparts; i++)
        free(idx[i]);
    free(idx);
    free(parts);
    return rc;
}

int ladder_make(const ClaimSet *cs, const int *decided, const char *results_dir,
                const char *path, FILE *out, QbErr *err)
{
    Ladder l;
    ClaimGrids base;
    if (claim_grids_load(cs, results_dir, &base, err) < 0)
        return -1;
    if (ladder_load(cs, results_dir, &l, err) < 0)
        return claim_grids_free(&base), -1;
    const int nslots = l.n + 1;
    const ClaimSet **sets = calloc((size_t)nslots, sizeof *sets);
    const ClaimGrids **g = calloc((size_t)nslots, sizeof *g);
    int **wanted = calloc((size_t)(nslots * cs->nexps) + 1, sizeof *wanted);
    int rc = sets && g && wanted ? 0 : qb_fail(err, "%s: out of memory for the ladder", cs->path);
    for (int b = 0; rc == 0 && b < nslots; b++) {
        sets[b] = b ? &l.rungs[b - 1].set : cs;
        g[b] = b ? &l.rungs[b - 1].grids : &base;
        for (int i = 0; rc == 0 && i < cs->nexps; i++)
            if (!(wanted[b * cs->nexps + i] = calloc((size_t)g[b]->cells[i].n + 1, sizeof(int))))
                rc = qb_fail(err, "%s: out of memory for the ladder", cs->path);
        if (rc == 0)
            slot_want(cs, decided, sets[b], g[b], wanted + b * cs->nexps);
    }
    int count = 0;
    if (rc == 0)
        rc = frag_parts(cs, sets, g, nslots, wanted, path, &count, err);
    if (rc == 0)
        fprintf(out, "%s (profile %s): the ladder's %d cells at 1x and %d rung%s -> %s\n",
                cs->path, cs->profile, count, l.n, l.n == 1 ? "" : "s", path);
    for (int k = 0; wanted && k < nslots * cs->nexps; k++)
        free(wanted[k]);
    free(wanted), free(sets), free(g);
    ladder_free(&l);
    claim_grids_free(&base);
    return rc;
}

int ladder_decided(const ClaimSet *cs, const char *reference, int *decided, QbErr *err)
{
    ClaimSet ref = *cs;
    ClaimGrids g;
    ref.by_position = 1;
    if (claim_grids_load(&ref, reference, &g, err) < 0)
        return -1;
    int rc = 0;
    for (int i = 0; rc == 0 && i < cs->n; i++) {
        ClaimResult r;
        decided[i] = 0;
        if (cs->claims[i].quantity != CLAIM_TOP1 && cs->claims[i].quantity != CLAIM_TOP5)
            continue;
        rc = claim_measure(&ref, &cs->claims[i], &g, reference, &r, err);
        decided[i] = rc == 0 && ladder_wanted(&cs->claims[i], r.v);
    }
    claim_grids_free(&g);
    return rc;
}
