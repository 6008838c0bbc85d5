#include "conv_note.h"

#include <string.h>

/* Where the rule is defined and documented, for every note that names it. */
#define CONV_RULE_WHERE "the training loss at the end of a run's own curve: experiments/README.md, Result files"

void conv_mark_append(const GridCell *c, char *out, size_t cap)
{
    size_t at = strlen(out);
    if (grid_conv_count(c, CONV_UNCONVERGED) && at < cap)
        snprintf(out + at, cap - at, " %s", CONV_MARK);
}

/* Finished runs of every position of cells (g->cells or g->ref) by recorded verdict. */
static void count_verdicts(const Grid *g, const GridCell *cells, int count[3])
{
    const Experiment *e = g->e;
    size_t n = (size_t)e->nnets * (size_t)e->nschemes * (size_t)(e->nbits ? e->nbits : 1);
    for (size_t i = 0; cells && i < n; i++)
        for (int v = 0; v < 3; v++)
            count[v] += grid_conv_count(&cells[i], (ConvVerdict)v);
}

/* How many positions of row (n, s) have an unconverged run; their bit-widths as "2, 3" into
 * out ("" for full precision, which has one position and no bit-width). */
static int row_unconverged(const Grid *g, int n, int s, char *out, size_t cap)
{
    const Experiment *e = g->e;
    int fp = scheme_is_fp(e->schemes[s]), k = 0;
    size_t at = 0;
    out[0] = '\0';
    for (int b = 0; b < (fp ? 1 : e->nbits) && at < cap; b++) {
        const GridCell *c = grid_cell(g, n, s, fp ? 0 : e->bits[b]);
        if (!c || !grid_conv_count(c, CONV_UNCONVERGED))
            continue;
        if (!fp)
            at += (size_t)snprintf(out + at, cap - at, "%s%d", k ? ", " : "", e->bits[b]);
        k++;
    }
    return k;
}

/* " Unconverged rows: resnet20 apot (2, 3 bits), resnet20 fp." for the user's cells, so the
 * header names the rows the marks are on; nothing when none. */
static void unconverged_rows(const Grid *g, char *out, size_t cap)
{
    const Experiment *e = g->e;
    size_t at = strlen(out);
    int k = 0;
    for (int n = 0; n < e->nnets; n++)
        for (int s = 0; s < e->nschemes && at < cap; s++) {
            char bits[64];
            if (!row_unconverged(g, n, s, bits, sizeof bits))
                continue;
            at += (size_t)snprintf(out + at, cap - at, "%s%s %s", k++ ? ", " : " Unconverged rows: ",
                                   e->nets[n], e->schemes[s]);
            if (bits[0] && at < cap)
                at += (size_t)snprintf(out + at, cap - at, " (%s bits)", bits);
        }
    if (k && at < cap)
        snprintf(out + at, cap - at, ".");
}

void conv_note(const Grid *g, char *out, size_t cap)
{
    int own[3] = {0}, ref[3] = {0};
    count_verdicts(g, g->cells, own);
    count_verdicts(g, g->ref, ref);
    int finished = own[0] + own[1] + own[2];
    out[0] = '\0';
    if (!finished)
        return;
    if (own[CONV_NOT_RECORDED] == finished) {
        snprintf(out, cap, "Convergence: not recorded for these %d cells (results written "
                 "before training curves).", finished);
        return;
    }
    size_t at = (size_t)snprintf(out, cap, "Convergence (" CONV_RULE_WHERE "): %d of %d "
                                 "finished cells unconverged", own[CONV_UNCONVERGED], finished);
    if (own[CONV_NOT_RECORDED] && at < cap)
        at += (size_t)snprintf(out + at, cap - at, ", %d not recorded (results written before "
                               "training curves)", own[CONV_NOT_RECORDED]);
    if (at < cap)
        at += (size_t)snprintf(out + at, cap - at, "%s", ".");
    unconverged_rows(g, out, cap);
    at = strlen(out);
    if ((own[CONV_UNCONVERGED] || ref[CONV_UNCONVERGED]) && at < cap)
        at += (size_t)snprintf(out + at, cap - at, " %s marks an entry with an unconverged run: "
                               "its training loss was still falling, so longer training may "
                               "move the number.", CONV_MARK);
    if (ref[CONV_UNCONVERGED] && at < cap)
        snprintf(out + at, cap - at, " Reference: %d of %d unconverged.", ref[CONV_UNCONVERGED],
                 ref[0] + ref[1] + ref[2]);
}

void conv_claims_note(int measured, int unconverged, int unrecorded, char *out, size_t cap)
{
    out[0] = '\0';
    if (!measured)
        return;
    if (!unconverged && unrecorded == measured)
        snprintf(out, cap, "Convergence: not recorded for the runs of these %d measured accuracy "
                 "claims (results written before training curves).", measured);
    else
        snprintf(out, cap, "Convergence (" CONV_RULE_WHERE "): of %d measured accuracy claims, "
                 "%d rest on an unconverged run (%s on their row: the verdict may move with "
                 "longer training), %d on runs without a recorded verdict (results written "
                 "before training curves).", measured, unconverged, CONV_MARK, unrecorded);
}
