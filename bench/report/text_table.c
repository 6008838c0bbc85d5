/* The rendered table's storage: a header that grows cell by cell, then rows of that many
 * cells allocated as they are added, so a matrix of any size renders. */
#include <stdlib.h>
#include <string.h>

#include "core/grow.h"
#include "render.h"

void table_head(TextTable *t, const char *text)
{
    QB_ASSERT(t->nrows == 0); /* a row already has the earlier width */
    TCell *c = GROW_PUSH(t->head, t->ncols, t->cap_head);
    QB_ASSERT(c);             /* one per bit-width or table column */
    snprintf(*c, sizeof *c, "%s", text);
}

TCell *table_row(TextTable *t)
{
    TCell **row = GROW_PUSH(t->rows, t->nrows, t->cap_rows);
    int *rule = GROW_PUSH(t->rule_after, t->nrules, t->cap_rules);
    QB_ASSERT(row && rule);   /* one per matrix position and paper row */
    *row = calloc((size_t)(t->ncols ? t->ncols : 1), sizeof **row);
    QB_ASSERT(*row);
    return *row;
}

void table_free(TextTable *t)
{
    for (int i = 0; i < t->nrows; i++)
        free(t->rows[i]);
    GROW_FREE(t->rows, t->nrows, t->cap_rows);
    GROW_FREE(t->rule_after, t->nrules, t->cap_rules);
    GROW_FREE(t->head, t->ncols, t->cap_head);
}
