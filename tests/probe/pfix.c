#include "pfix.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests/support/scratch.h"

void pfix_config(ProbeConfig *c)
{
    probe_defaults(c);
    snprintf(c->net, sizeof c->net, "small_cnn");
    snprintf(c->ckpt, sizeof c->ckpt, PFIX_CKPT);
    snprintf(c->data, sizeof c->data, "synth");
    c->batch = PFIX_BATCH;
    c->bins = PFIX_BINS;
    scratch_make(c->out, sizeof c->out, "probe");
}

void pfix_run(const ProbeConfig *c, ProbeReport *r)
{
    QbErr err = {{0}};
    int rc = probe_run(c, r, &err);
    cr_assert_eq(rc, 0, "probe_run: %s", err.msg);
}

void pfix_clean(const ProbeConfig *c, const ProbeReport *r)
{
    (void)r;
    scratch_remove(c->out);
}

static void comment_take(Dat *d, const char *line)
{
    char *dst = !d->header[0] ? d->header : (!d->comment[0] ? d->comment : NULL);
    if (dst)
        snprintf(dst, sizeof d->header, "%s", line + (line[1] == ' ' ? 2 : 1));
    if (dst)
        dst[strcspn(dst, "\n")] = '\0';
}

Dat *dat_load(const char *dir, const char *name)
{
    char path[1200], line[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "r");
    cr_assert(f, "%s was not written", path);
    Dat *d = calloc(1, sizeof *d);
    cr_assert(d);
    while (fgets(line, sizeof line, f)) {
        if (line[0] == '#') {
            comment_take(d, line);
            continue;
        }
        cr_assert_lt(d->nrows, DAT_MAX_ROWS, "%s: too many rows for the test reader", path);
        int n = 0;
        for (char *t = strtok(line, " \t\n"); t; t = strtok(NULL, " \t\n")) {
            cr_assert_lt(n, DAT_MAX_COLS, "%s: too many columns", path);
            snprintf(d->field[d->nrows][n++], sizeof d->field[0][0], "%s", t);
        }
        if (d->nrows == 0)
            d->ncols = n;
        cr_assert_eq(n, d->ncols, "%s row %d: %d fields, the first row has %d", path,
                     d->nrows + 1, n, d->ncols);
        d->nrows++;
    }
    fclose(f);
    cr_assert(d->header[0], "%s: no '#' header line", path);
    return d;
}

double dat_num(const Dat *d, int row, int col)
{
    char *end;
    double v = strtod(d->field[row][col], &end);
    cr_assert(*end == '\0', "row %d column %d: '%s' is not a number", row, col,
              d->field[row][col]);
    return v;
}

int dat_col(const Dat *d, const char *name)
{
    char h[512];
    snprintf(h, sizeof h, "%s", d->header);
    int i = 0;
    for (char *t = strtok(h, " "); t; t = strtok(NULL, " "), i++)
        if (!strcmp(t, name))
            return i;
    cr_assert_fail("header '%s' has no column %s", d->header, name);
    return -1;
}
