#include "expargs.h"

#include <stdio.h>
#include <string.h>

#include "cli.h"

/* The matrix flags over the loaded file. */
static int apply_matrix_flags(const ExpArgs *a, Experiment *e, QbErr *err)
{
    for (int i = 0; i < a->sets.n; i++)
        if (experiment_set(e, a->sets.items[i], err) < 0)
            return -1;
    if (a->budget && experiment_budget(e, a->budget, err) < 0)
        return -1;
    return a->seeds ? experiment_seed_count(e, a->seeds, err) : 0;
}

int expargs_load(const ExpArgs *a, Experiment *e, QbErr *err)
{
    if (experiment_load(e, a->file, a->profile, err) < 0)
        return -1;
    if (apply_matrix_flags(a, e, err) < 0)
        return experiment_free(e), -1;
    return 0;
}

/* The file's cells; on failure neither e nor cells holds anything. */
static int expargs_cells(const ExpArgs *a, Experiment *e, CellList *cells, QbErr *err)
{
    if (expargs_load(a, e, err) < 0)
        return -1;
    if (cells_expand(e, cells, err) < 0)
        return experiment_free(e), -1;
    return 0;
}

/* Frees what expargs_cells loaded. */
static void expargs_release(Experiment *e, CellList *cells)
{
    cells_free(cells);
    experiment_free(e);
}

int expargs_run(int argc, char **argv, const ArgSpec *specs, void *args, const ExpArgs *x,
                int (*check)(void *args, QbErr *err), ExpCellsJob job, QbErr *err)
{
    Experiment e;
    CellList cells;
    int rc = args_parse(argc, argv, specs, args, err);
    if (rc || (check && (rc = check(args, err))))
        return rc;
    if (expargs_cells(x, &e, &cells, err) < 0)
        return -1;
    rc = job(args, &e, &cells, err);
    expargs_release(&e, &cells);
    return rc;
}

/* --pretrain NAME=FLAGS items as recipes (pointing into the items). */
static int pretrain_recipes(const ArgList *l, PretrainRecipe *r, int *n, QbErr *err)
{
    *n = 0;
    for (int i = 0; i < l->n; i++) {
        const char *item = l->items[i], *eq = strchr(item, '=');
        if (!eq || eq == item || (size_t)(eq - item) >= sizeof r->name)
            return qb_fail(err, "--pretrain %s: expected NAME=FLAGS (`qbench train` flags)", item),
                   CLI_USAGE;
        if (!eq[strspn(eq + 1, " \t") + 1])
            continue;  /* an empty recipe is none */
        snprintf(r[*n].name, sizeof r->name, "%.*s", (int)(eq - item), item);
        r[(*n)++].flags = eq + 1;
    }
    return 0;
}

int expargs_needs(const ArgList *pretrain, const Experiment *e, Needs *n, QbErr *err)
{
    PretrainRecipe r[ARG_LIST_MAX];
    int nr, rc = pretrain_recipes(pretrain, r, &nr, err);
    return rc ? rc : needs_find(e, r, nr, n, err);
}
