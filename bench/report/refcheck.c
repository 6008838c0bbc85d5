#include "refcheck.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

double refcheck_one_seed_noise(const GridCell *ref, int top5)
{
    const double *v = top5 ? ref->top5 : ref->top1;
    int n = 0;
    for (int s = 0; s < ref->nslots; s++)
        n += isfinite(v[s]) != 0;
    double sd = grid_std(ref, top5);
    return n >= 2 && sd > 0 ? t975(n - 1) * sqrt(2.0) * sd : NAN;
}

/* Every seed both finished has the same metrics digest (and there is such a seed). */
static int identical(const Grid *g, const GridCell *user, const GridCell *ref)
{
    int pairs = 0;
    for (int s = 0; s < g->e->nseeds; s++) {
        if (!isfinite(user->top1[s]) || !isfinite(ref->top1[s]))
            continue;
        if (user->digest[s] != ref->digest[s])
            return 0;
        pairs++;
    }
    return pairs > 0;
}

void refcheck_cell(const Grid *g, const GridCell *user, const GridCell *ref, int top5,
                   RefCheck *out)
{
    memset(out, 0, sizeof *out);
    grid_paired_cells(g, user, ref, top5, &out->d);
    for (int s = 0; s < g->e->nseeds; s++)
        out->other_code |= user->id[s][0] && ref->id[s][0] && strcmp(user->id[s], ref->id[s]);
    out->noise = !isnan(out->d.half)       ? out->d.half
                 : !isnan(g->tolerance)    ? g->tolerance
                                           : refcheck_one_seed_noise(ref, top5);
    if (out->d.n == 0)
        out->status = REF_NONE;
    else if (identical(g, user, ref))
        out->status = REF_IDENTICAL;
    else if (isnan(out->noise))
        out->status = REF_UNCHECKED;
    else
        out->status = fabs(out->d.mean) <= out->noise ? REF_WITHIN : REF_OUTSIDE;
}

const char *refcheck_status_name(RefStatus s)
{
    static const char *const names[] = {
        [REF_NONE] = "", [REF_IDENTICAL] = "identical", [REF_WITHIN] = "within",
        [REF_OUTSIDE] = "outside", [REF_UNCHECKED] = "unchecked"};
    return names[s];
}

void refcheck_diff_text(const Grid *g, const GridCell *user, const GridCell *ref, int top5,
                        char *out, size_t cap)
{
    RefCheck rc;
    refcheck_cell(g, user, ref, top5, &rc);
    if (rc.status == REF_NONE)
        snprintf(out, cap, "–");
    else if (rc.status == REF_IDENTICAL)
        snprintf(out, cap, "identical");
    else
        snprintf(out, cap, "%+.2f%s%s", rc.d.mean, rc.status == REF_WITHIN ? "" : " ",
                 rc.status == REF_WITHIN ? "" : refcheck_status_name(rc.status));
}

/* "resnet20 apot 2-bit" */
static size_t position_name(const Experiment *e, int n, int s, int bits, char *out, size_t cap)
{
    if (bits)
        return (size_t)snprintf(out, cap, "%s %s %d-bit", e->nets[n], e->schemes[s], bits);
    return (size_t)snprintf(out, cap, "%s %s", e->nets[n], e->schemes[s]);
}

typedef struct {
    int cells, compared, identical, within, outside, unchecked, other_code, no_ref, no_user;
    char outside_cells[1024];
} RefTally;

static void tally_one(const Grid *g, int n, int s, int bits, RefTally *t)
{
    const GridCell *u = grid_cell(g, n, s, bits), *r = grid_ref_cell(g, n, s, bits);
    if (!u || !(u->ok + u->failed + u->missing))
        return;
    RefCheck rc;
    refcheck_cell(g, u, r, 0, &rc);
    t->cells++;
    t->other_code += rc.other_code;
    t->compared += rc.status != REF_NONE;
    t->no_user += rc.status == REF_NONE && !u->ok;
    t->no_ref += rc.status == REF_NONE && u->ok;
    t->identical += rc.status == REF_IDENTICAL;
    t->within += rc.status == REF_WITHIN;
    t->outside += rc.status == REF_OUTSIDE;
    t->unchecked += rc.status == REF_UNCHECKED;
    char *list = t->outside_cells;
    size_t at = strlen(list), cap = sizeof t->outside_cells;
    if (rc.status != REF_OUTSIDE || at + 1 >= cap)
        return;
    at += (size_t)snprintf(list + at, cap - at, "%s", at ? "; " : "");
    at += position_name(g->e, n, s, bits, list + at, cap - at);
    if (at < cap)
        snprintf(list + at, cap - at, " (%+.2f, noise ±%.2f)", rc.d.mean, rc.noise);
}

/* What a cell that is not identical is judged against. */
static void noise_text(const Grid *g, char *out, size_t cap)
{
    char one_seed[160];
    if (isnan(g->tolerance))
        snprintf(one_seed, sizeof one_seed, "the 95%% bound of a difference of two seeds, "
                 "measured from the spread of the reference cell's own seeds");
    else
        snprintf(one_seed, sizeof one_seed, "the tolerance ±%.2f", g->tolerance);
    snprintf(out, cap, "identical: every paired seed's final and per-epoch metrics equal the "
             "reference's bit for bit; otherwise the noise is the 95%% interval of the paired "
             "differences over several seeds, and with one seed %s", one_seed);
}

void refcheck_summary(const Grid *g, char *out, size_t cap)
{
    const Experiment *e = g->e;
    RefTally t = {0};
    out[0] = '\0';
    if (!g->ref)
        return;
    for (int n = 0; n < e->nnets; n++)
        for (int s = 0; s < e->nschemes; s++)
            for (int b = 0; b < (e->nbits ? e->nbits : 1); b++)
                if (scheme_is_fp(e->schemes[s]) ? b == 0 : e->nbits > 0)
                    tally_one(g, n, s, scheme_is_fp(e->schemes[s]) ? 0 : g->bits[b], &t);
    char noise[512];
    noise_text(g, noise, sizeof noise);
    size_t at = (size_t)snprintf(out, cap, "Reproduction check against `%s` (%s): %d/%d "
                                 "identical to the reference", g->ref_dir, noise, t.identical,
                                 t.compared);
    if (t.within && at < cap)
        at += (size_t)snprintf(out + at, cap - at, ", %d within its noise", t.within);
    if (t.outside && at < cap)
        at += (size_t)snprintf(out + at, cap - at, ", %d outside it: %s", t.outside,
                               t.outside_cells);
    if (t.unchecked && at < cap)
        at += (size_t)snprintf(out + at, cap - at, "; %d unchecked (one seed, and the reference "
                               "has fewer than two seeds with a spread: table.tolerance for "
                               "profile %s or --tolerance)", t.unchecked,
                               e->profile[0] ? e->profile : "(none)");
    if (t.cells > t.compared && at < cap)
        at += (size_t)snprintf(out + at, cap - at, "; %d of %d cells not compared (%d without a "
                               "finished reference run at your seeds, %d without a finished run "
                               "of yours)", t.cells - t.compared, t.cells, t.no_ref, t.no_user);
    if (t.other_code && at < cap)
        at += (size_t)snprintf(out + at, cap - at, "; %d reference cells were made by different "
                               "code (another cell id, marked †)", t.other_code);
    if (g->ref_unmatched && at < cap)
        at += (size_t)snprintf(out + at, cap - at, "; %d reference results match no cell of this "
                               "matrix and profile", g->ref_unmatched);
    if (at < cap)
        snprintf(out + at, cap - at, ".");
}
