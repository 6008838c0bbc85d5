/* The experiment file reference as `qbench schema` prints it (harness/schema.h): the quantizer
 * options table has a row for every option each registered method declares, with its values
 * and default, and every row keeps its five cells (a '|' in prose would split one). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/schema.h"
#include "quantizers/registry.h"

static char *options_table(void)
{
    char *text = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&text, &n);
    cr_assert(f);
    schema_options_markdown(f);
    fclose(f);
    return text;
}

/* The '|' that separate cells: those not escaped with a backslash. */
static int cell_bars(const char *line, size_t len)
{
    int n = 0;
    for (size_t i = 0; i < len; i++)
        n += line[i] == '|' && (i == 0 || line[i - 1] != '\\');
    return n;
}

Test(schema, every_declared_option_has_a_row_with_its_values_and_default)
{
    char *text = options_table();
    int rows = 0;
    for (int i = 0; i < quantizer_count(); i++)
        for (const QuantOptionSpec *s = quantizer_at(i)->options; s && s->name; s++, rows++) {
            char row[256];
            snprintf(row, sizeof row, "| `%s` | ", s->name);
            const char *at = strstr(text, row);
            cr_assert(at, "no row for %s's option %s:\n%s", quantizer_at(i)->name, s->name, text);
            char tail[256];
            snprintf(tail, sizeof tail, " | `%s` | %s | ", s->dflt, quantizer_at(i)->name);
            /* the same option name may be declared by several methods: one of its rows */
            int found = 0;
            for (; at && !found; at = strstr(at + 1, row)) {
                const char *end = strchr(at, '\n');
                found = end && memmem(at, (size_t)(end - at), tail, strlen(tail)) != NULL;
            }
            cr_expect(found, "no row for %s's %s with default %s", quantizer_at(i)->name,
                      s->name, s->dflt);
        }
    cr_assert_gt(rows, 5, "the registry declares options");
    free(text);
}

Test(schema, every_row_keeps_its_five_cells)
{
    char *text = options_table();
    int lines = 0;
    for (const char *line = text; *line; lines++) {
        const char *end = strchr(line, '\n');
        size_t len = end ? (size_t)(end - line) : strlen(line);
        cr_expect_eq(cell_bars(line, len), 6, "row splits into other cells: %.*s", (int)len, line);
        line += len + (end != NULL);
    }
    cr_assert_gt(lines, 2);
    free(text);
}
