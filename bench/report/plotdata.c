#include "plotdata.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/atomic_file.h"
#include "core/jsonr.h"
#include "grid.h"
#include "regime.h"

/* The experiment's finished results, loaded once: res[i] is cell i's, or NULL (missing or
 * failed). */
typedef struct {
    const Experiment *e;
    const CellList *cells;
    JsonV **res;
    int used;
} Plot;

/* A matrix group: one network, scheme and bit-width (bits -1: every width; fp: every fp cell
 * of the network). */
typedef struct {
    int net, scheme, bits;
} Group;

/* Each cell's result: by its id, or (by_position: the committed reference, whose ids follow
 * the code that made it) the one placed at its matrix position and seed. */
static int plot_load(Plot *p, const Experiment *e, const CellList *cells, const char *results,
                     int by_position, QbErr *err)
{
    Grid g = {0};
    *p = (Plot){e, cells, NULL, 0}; /* plot_free's to free, whatever fails */
    if (by_position && grid_load_by_position(&g, e, cells, results, err) < 0)
        return -1;
    p->res = calloc((size_t)cells->n + 1, sizeof *p->res);
    QB_ASSERT(p->res);
    int rc = 0;
    for (int i = 0; i < cells->n && rc == 0; i++) {
        char path[1024];
        const char *id = by_position ? grid_cell_id(&g, &cells->cells[i]) : cells->cells[i].id;
        snprintf(path, sizeof path, "%s/%s/%s.json", results, e->name, id ? id : "");
        if (!id || !file_exists(path))
            continue;
        if ((rc = json_load(path, &p->res[i], err)) < 0)
            break;
        if (strcmp(json_str_at(p->res[i], "status", ""), "ok")) {
            json_free(p->res[i]);
            p->res[i] = NULL;
        }
        p->used += p->res[i] != NULL;
    }
    if (by_position)
        grid_free(&g);
    return rc;
}

static void plot_free(Plot *p)
{
    for (int i = 0; p->res && i < p->cells->n; i++)
        json_free(p->res[i]);
    free(p->res);
}

static int is_fp(const Experiment *e, const Group *g)
{
    return scheme_is_fp(e->schemes[g->scheme]);
}

static int in_group(const Plot *p, const Group *g, int i)
{
    const Cell *c = &p->cells->cells[i];
    return p->res[i] && !strcmp(c->net, p->e->nets[g->net]) &&
           !strcmp(c->scheme, p->e->schemes[g->scheme]) &&
           (is_fp(p->e, g) || g->bits < 0 || c->bits == g->bits);
}

static int group_count(const Plot *p, const Group *g)
{
    int n = 0;
    for (int i = 0; i < p->cells->n; i++)
        n += in_group(p, g, i);
    return n;
}

typedef void (*BlockFn)(FILE *, const Plot *, const Group *, int);

/* Calls fn for every group with a result, in the matrix's order (networks, schemes, and the
 * bit-widths when by_bits, else each scheme's widths together). */
static void each_group(const Plot *p, BlockFn fn, int by_bits, FILE *f)
{
    int k = 0;
    for (int n = 0; n < p->e->nnets; n++)
        for (int s = 0; s < p->e->nschemes; s++) {
            int fp = scheme_is_fp(p->e->schemes[s]);
            for (int b = 0; b < (fp || !by_bits ? 1 : p->e->nbits); b++) {
                Group g = {n, s, fp ? 0 : by_bits ? p->e->bits[b] : -1};
                if (group_count(p, &g))
                    fn(f, p, &g, k++);
            }
        }
}

/* "lsq 2-bit", "resnet18 lsq 2-bit", "fp"; without the bits for the bits file's blocks. */
static void group_label(const Plot *p, const Group *g, int with_bits, char *out, size_t cap)
{
    snprintf(out, cap, "%s%s%s", p->e->nnets > 1 ? p->e->nets[g->net] : "",
             p->e->nnets > 1 ? " " : "", p->e->schemes[g->scheme]);
    if (with_bits && !is_fp(p->e, g) && g->bits > 0)
        snprintf(out + strlen(out), cap - strlen(out), " %d-bit", g->bits);
}

/* The measured bit-widths (fp left out), ascending, at most cap: the accuracy figure's axis. */
static int measured_bits(const Plot *p, int *bits, int cap)
{
    int n = 0;
    for (int i = 0; i < p->cells->n; i++) {
        const Cell *c = &p->cells->cells[i];
        int k = 0;
        if (!p->res[i] || scheme_is_fp(c->scheme) || n == cap)
            continue;
        while (k < n && bits[k] < c->bits)
            k++;
        if (k < n && bits[k] == c->bits)
            continue;
        memmove(bits + k + 1, bits + k, sizeof *bits * (size_t)(n - k));
        bits[k] = c->bits, n++;
    }
    return n;
}

/* The header both files start with: what the figure shows, then one "# KEY VALUE" line each
 * for the title, profile, data set, seeds, budget and regime, which the scripts under plots/
 * put into every figure's title. */
static void header(FILE *f, const Plot *p, const char *what)
{
    const Experiment *e = p->e;
    Regime rg;
    regime_describe(e, &rg);
    fprintf(f, "# %s (profile %s): %s\n# title %s\n# profile %s\n# data %s\n# seeds", e->title,
            e->profile, what, e->title, e->profile[0] ? e->profile : "none", rg.data);
    long long last = -1;
    for (int n = 0;;) {
        long long next = -1;
        for (int i = 0; i < p->cells->n; i++) {
            long long s = p->cells->cells[i].seed;
            if (p->res[i] && s > last && (next < 0 || s < next))
                next = s;
        }
        if (next < 0)
            break;
        fprintf(f, "%s %lld", n++ ? "," : "", next);
        last = next;
    }
    fprintf(f, "\n# budget %dx\n# regime %s\n", e->budget, rg.text);
}

static double metric(const Experiment *e, const JsonV *v)
{
    return json_num_at(v, e->metric == METRIC_BEST ? "best.test_top1" : "final.test_top1", NAN);
}

/* One row per bit-width of a scheme: bits (fp at 32), mean, std, n, BitOPs, min, max, and the
 * position on the accuracy figure's axis (the measured widths in order, fp after them). */
static void bits_block(FILE *f, const Plot *p, const Group *scheme, int k)
{
    char label[128];
    int *widths = malloc(sizeof *widths * (size_t)(p->cells->n + 1));
    QB_ASSERT(widths);
    int nw = measured_bits(p, widths, p->cells->n);
    group_label(p, scheme, 0, label, sizeof label);
    fprintf(f, "%s\"bits\" \"%s\" \"std\" \"n\" \"bitops\" \"min\" \"max\" \"position\"\n",
            k ? "\n\n" : "", label);
    for (int w = 0; w <= nw; w++) {
        Group g = *scheme;
        double sum = 0, sumsq = 0, lo = INFINITY, hi = -INFINITY, bitops = NAN;
        int n = 0;
        if ((w == nw) != is_fp(p->e, &g))
            continue;
        g.bits = w < nw ? widths[w] : 0;
        for (int i = 0; i < p->cells->n; i++) {
            if (!in_group(p, &g, i))
                continue;
            double t = metric(p->e, p->res[i]);
            sum += t, sumsq += t * t, n++;
            lo = fmin(lo, t), hi = fmax(hi, t);
            bitops = json_num_at(p->res[i], "cost.bitops", NAN);
        }
        if (!n)
            continue;
        double mean = sum / n, var = n > 1 ? (sumsq - n * mean * mean) / (n - 1) : 0;
        fprintf(f, "%d %.4f %.4f %d %.6g %.4f %.4f %d\n", w < nw ? g.bits : 32, mean,
                sqrt(var > 0 ? var : 0), n, bitops, lo, hi, w);
    }
    free(widths);
}

/* The epoch records of one result. */
static const JsonV *epochs_of(const JsonV *v)
{
    const JsonV *ep = json_at(v, "epochs");
    return ep && ep->type == JV_ARR ? ep : NULL;
}

/* One row per epoch over the group's seeds: epoch, mean test top-1, its min and max, n, mean
 * train loss, mean test loss. */
static void curves_block(FILE *f, const Plot *p, const Group *g, int k)
{
    char label[128];
    int epochs = 0;
    for (int i = 0; i < p->cells->n; i++)
        if (in_group(p, g, i) && epochs_of(p->res[i]) && epochs_of(p->res[i])->n > epochs)
            epochs = epochs_of(p->res[i])->n;
    group_label(p, g, 1, label, sizeof label);
    fprintf(f, "%s\"epoch\" \"%s\" \"min\" \"max\" \"n\" \"train_loss\" \"test_loss\"\n",
            k ? "\n\n" : "", label);
    for (int e = 0; e < epochs; e++) {
        double top1 = 0, lo = INFINITY, hi = -INFINITY, train = 0, test = 0, epoch = NAN;
        int n = 0;
        for (int i = 0; i < p->cells->n; i++) {
            const JsonV *ep = in_group(p, g, i) ? epochs_of(p->res[i]) : NULL;
            if (!ep || e >= ep->n)
                continue;
            double t = json_num_at(&ep->items[e], "test_top1", NAN);
            epoch = json_num_at(&ep->items[e], "epoch", NAN);
            top1 += t, train += json_num_at(&ep->items[e], "train_loss", NAN);
            test += json_num_at(&ep->items[e], "test_loss", NAN);
            lo = fmin(lo, t), hi = fmax(hi, t), n++;
        }
        fprintf(f, "%.0f %.4f %.4f %.4f %d %.5f %.5f\n", epoch, top1 / n, lo, hi, n, train / n,
                test / n);
    }
}

/* "# block K BITS SCHEME NET LABEL": block K's bit-width (0 for fp, -1 for every width of
 * a scheme), the scheme's and the network's places in the matrix (a colour per scheme and a
 * point or dash per network across figures and panels) and its label. */
static void block_line(FILE *f, const Plot *p, const Group *g, int k)
{
    char label[128];
    group_label(p, g, 1, label, sizeof label);
    fprintf(f, "# block %d %d %d %d %s\n", k, is_fp(p->e, g) ? 0 : g->bits, g->scheme, g->net,
            label);
}

/* The header, then one block per scheme (by_bits 0: the bits file) or per scheme and
 * bit-width (the curves file), each listed first in a "# block" line. */
static int write_file(const char *path, const Plot *p, const char *what, BlockFn block,
                      int by_bits, QbErr *err)
{
    AtomicFile a;
    if (atomic_open(&a, path, err) < 0)
        return -1;
    header(a.f, p, what);
    each_group(p, block_line, by_bits, a.f);
    each_group(p, block, by_bits, a.f);
    return atomic_commit(&a, err);
}

void plotdata_name(const Experiment *e, char *out, size_t cap)
{
    const int plain = experiment_profile_is_default(e->profile);
    snprintf(out, cap, "%s%s%s", e->name, plain ? "" : "-", plain ? "" : e->profile);
}

int plotdata_write(const Experiment *e, const CellList *cells, const char *results_dir,
                   int by_position, const char *dir, QbErr *err)
{
    char name[200], base[600], path[700], what[160];
    Plot p;
    plotdata_name(e, name, sizeof name);
    snprintf(base, sizeof base, "%s/%s", dir, name);
    int rc = plot_load(&p, e, cells, results_dir, by_position, err);
    snprintf(what, sizeof what, "per scheme, top-1 (%s epoch: mean, std, min and max over seeds) "
             "against bits; fp at 32", e->metric == METRIC_BEST ? "best" : "final");
    snprintf(path, sizeof path, "%s-bits.dat", base);
    if (rc == 0)
        rc = write_file(path, &p, what, bits_block, 0, err);
    snprintf(path, sizeof path, "%s-curves.dat", base);
    if (rc == 0)
        rc = write_file(path, &p, "per network, scheme and bit-width, test top-1 per epoch (mean, "
                        "min and max over seeds) and mean losses", curves_block, 1, err);
    int used = p.used;
    plot_free(&p);
    return rc < 0 ? -1 : used;
}
