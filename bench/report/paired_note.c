#include "paired_note.h"

#include <string.h>

#include "render.h"

/* Counts the shown paired cells of one metric whose interval was cut or had no spread. */
static void count_marks(const Grid *g, int top5, int *cut, int *no_spread)
{
    const Experiment *e = g->e;
    for (int n = 0; n < e->nnets; n++)
        for (int s = 0; s < e->nschemes; s++)
            for (int b = 0; b < (e->nbits ? e->nbits : 1); b++) {
                Paired p;
                double lo, hi;
                grid_paired(g, n, s, e->nbits ? g->bits[b] : 0, top5, &p);
                IntervalShown shown = interval_shown(&p, &DIFF_POINTS, &lo, &hi);
                *cut += shown == SHOWN_CUT;
                *no_spread += shown == SHOWN_NO_SPREAD;
            }
}

void paired_note_append(const Grid *g, char *out, size_t cap)
{
    int cut = 0, no_spread = 0;
    count_marks(g, 0, &cut, &no_spread);
    if (g->e->layout == LAYOUT_BITS && paper_has_top5(g->e))   /* the top-5 table is shown */
        count_marks(g, 1, &cut, &no_spread);
    size_t at = strlen(out);
    if (cut && at < cap)
        at += (size_t)snprintf(out + at, cap - at, " %s", PAIRED_CUT_NOTE);
    if (no_spread && at < cap)
        snprintf(out + at, cap - at, " %s", PAIRED_NO_SPREAD_NOTE);
}
