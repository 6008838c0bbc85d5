#include "verdicts.h"

#include <string.h>

#include "grid.h"

typedef struct {
    int better, worse, unresolved, missing;
} Tally;

static void one_line(const Grid *g, int net, int m, int other, int bits, FILE *out, Tally *t)
{
    const Experiment *e = g->e;
    const GridCell *a = grid_cell(g, net, m, bits);
    const GridCell *b = grid_cell(g, net, other, strcmp(e->schemes[other], "fp") ? bits : 0);
    Paired p;
    char text[96];
    grid_paired_cells(g, a, b, 0, &p);
    paired_text(&p, text, sizeof text);
    Verdict v = verdict_of(&p, 0, 1);
    const char *word = v == VERDICT_HOLDS ? "better" : v == VERDICT_CONTRADICTED ? "worse"
                       : v == VERDICT_MISSING ? "missing (cells pending)" : "unresolved";
    t->better += v == VERDICT_HOLDS, t->worse += v == VERDICT_CONTRADICTED;
    t->unresolved += v == VERDICT_UNRESOLVED, t->missing += v == VERDICT_MISSING;
    fprintf(out, "  %s %d-bit, %s − %s: %s: %s\n", e->nets[net], bits, e->schemes[m],
            e->schemes[other], text, word);
}

int verdicts_print(const Experiment *e, const CellList *cells, const char *results_dir,
                   const char *method, FILE *out, QbErr *err)
{
    int m = grid_scheme_index(e, method);
    if (m < 0 || !strcmp(method, "fp"))
        return qb_fail(err, "--verdicts %s: not a quantized scheme of %s", method, e->path);
    Grid g;
    if (grid_load(&g, e, cells, results_dir, err) < 0)
        return -1;
    Tally t = {0};
    fprintf(out, "%s against every other scheme (paired by net, bits and seed; 95%% Student-t "
                 "interval, ‡ where cut at ±100 points, none where the differences have no "
                 "spread; better or worse only when it excludes 0):\n", method);
    for (int n = 0; n < e->nnets; n++)
        for (int b = 0; b < e->nbits; b++)
            for (int s = 0; s < e->nschemes; s++)
                if (s != m && !experiment_excluded(e, e->nets[n], method, g.bits[b]) &&
                    !experiment_excluded(e, e->nets[n], e->schemes[s], g.bits[b]))
                    one_line(&g, n, m, s, g.bits[b], out, &t);
    fprintf(out, "%s: better in %d, worse in %d, unresolved in %d, missing in %d comparisons.\n",
            method, t.better, t.worse, t.unresolved, t.missing);
    grid_free(&g);
    return 0;
}
