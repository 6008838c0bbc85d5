#include "plotdata.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/atomic_file.h"
#include "core/jsonr.h"

/* The finished result of a cell, or NULL (missing or failed). */
static JsonV *cell_result(const Experiment *e, const Cell *c, const char *results_dir,
                          QbErr *err, int *failed)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s/%s.json", results_dir, e->name, c->id);
    FILE *f = fopen(path, "r");
    if (!f)
        return NULL;
    fclose(f);
    JsonV *v;
    if (json_load(path, &v, err) < 0)
        return *failed = 1, NULL;
    if (strcmp(json_str_at(v, "status", ""), "ok"))
        return json_free(v), NULL;
    return v;
}

static double metric(const Experiment *e, const JsonV *v)
{
    return json_num_at(v, e->metric == METRIC_BEST ? "best.test_top1" : "final.test_top1", NAN);
}

/* One block per scheme: bits, mean, std, n, BitOPs (fp at 32 bits). */
static int write_bits(FILE *f, const Experiment *e, const CellList *cells, const char *results,
                      QbErr *err)
{
    int used = 0, bad = 0;
    for (int n = 0; n < e->nnets; n++)
        for (int s = 0; s < e->nschemes; s++) {
            fprintf(f, "%s\"bits\" \"%s%s%s\" \"std\" \"n\" \"bitops\"\n", n + s ? "\n\n" : "",
                    e->nnets > 1 ? e->nets[n] : "",
                    e->nnets > 1 ? " " : "", e->schemes[s]);
            for (int b = 0; b < (strcmp(e->schemes[s], "fp") ? e->nbits : 1); b++) {
                double sum = 0, sumsq = 0, bitops = NAN;
                int k = 0;
                for (int i = 0; i < cells->n; i++) {
                    const Cell *c = &cells->cells[i];
                    int fp = !strcmp(c->scheme, "fp");
                    if (strcmp(c->net, e->nets[n]) || strcmp(c->scheme, e->schemes[s]) ||
                        (!fp && c->bits != e->bits[b]))
                        continue;
                    JsonV *v = cell_result(e, c, results, err, &bad);
                    if (bad)
                        return -1;
                    if (!v)
                        continue;
                    double t = metric(e, v);
                    sum += t, sumsq += t * t, k++;
                    bitops = json_num_at(v, "cost.bitops", NAN);
                    json_free(v);
                }
                if (!k)
                    continue;
                double mean = sum / k, var = k > 1 ? (sumsq - k * mean * mean) / (k - 1) : 0;
                fprintf(f, "%d %.4f %.4f %d %.6g\n", strcmp(e->schemes[s], "fp") ? e->bits[b] : 32,
                        mean, sqrt(var > 0 ? var : 0), k, bitops);
                used += k;
            }
        }
    return used;
}

/* One block per cell: epoch, test top-1, train loss, test loss. */
static int write_curves(FILE *f, const Experiment *e, const CellList *cells, const char *results,
                        QbErr *err)
{
    int bad = 0, blocks = 0;
    for (int i = 0; i < cells->n; i++) {
        const Cell *c = &cells->cells[i];
        JsonV *v = cell_result(e, c, results, err, &bad);
        if (bad)
            return -1;
        if (!v)
            continue;
        const JsonV *ep = json_at(v, "epochs");
        fprintf(f, "%s\"epoch\" \"%s\" \"train_loss\" \"test_loss\"\n", blocks++ ? "\n\n" : "",
                c->id);
        for (int k = 0; ep && ep->type == JV_ARR && k < ep->n; k++)
            fprintf(f, "%.0f %.4f %.5f %.5f\n", json_num_at(&ep->items[k], "epoch", NAN),
                    json_num_at(&ep->items[k], "test_top1", NAN),
                    json_num_at(&ep->items[k], "train_loss", NAN),
                    json_num_at(&ep->items[k], "test_loss", NAN));
        json_free(v);
    }
    return 0;
}

int plotdata_write(const Experiment *e, const CellList *cells, const char *results_dir,
                   const char *dir, QbErr *err)
{
    char base[600], path[700];
    snprintf(base, sizeof base, "%s/%s%s%s", dir, e->name, strcmp(e->profile, "quick") ? "-" : "",
             strcmp(e->profile, "quick") ? e->profile : "");
    AtomicFile a;
    snprintf(path, sizeof path, "%s-bits.dat", base);
    if (atomic_open(&a, path, err) < 0)
        return -1;
    fprintf(a.f, "# %s (profile %s): per scheme, top-1 (%s epoch) against bits; fp at 32\n",
            e->title, e->profile, e->metric == METRIC_BEST ? "best" : "final");
    int used = write_bits(a.f, e, cells, results_dir, err);
    if (used < 0)
        return atomic_abort(&a), -1;
    if (atomic_commit(&a, err) < 0)
        return -1;
    snprintf(path, sizeof path, "%s-curves.dat", base);
    if (atomic_open(&a, path, err) < 0)
        return -1;
    fprintf(a.f, "# %s (profile %s): per cell, test top-1 and losses per epoch\n", e->title,
            e->profile);
    if (write_curves(a.f, e, cells, results_dir, err) < 0)
        return atomic_abort(&a), -1;
    return atomic_commit(&a, err) < 0 ? -1 : used;
}
