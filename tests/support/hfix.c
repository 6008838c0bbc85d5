#include "tests/support/hfix.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness/runfrag.h"
#include "quantizers/schemes.h"
#include "tests/support/scratch.h"
#include "tests/support/shell.h"

const char *hfix_dir(void)
{
    static char dir[128];
    if (!dir[0])
        scratch_make(dir, sizeof dir, "harness");
    return dir;
}

const char *hfix_write(const char *name, const char *text)
{
    static char paths[8][256];
    static int slot;
    char *p = paths[slot++ % 8];
    snprintf(p, 256, "%s/%s", hfix_dir(), name);
    FILE *f = fopen(p, "w");
    cr_assert(f, "cannot write %s", p);
    fputs(text, f);
    fclose(f);
    return p;
}

const char *hfix_experiment(const char *name, const char *extra)
{
    char text[4096];
    snprintf(text, sizeof text,
             "name: %s\n"
             "title: \"A test table\"\n"
             "table: {layout: bits, metric: final}\n"
             "matrix:\n"
             "  nets: [small_cnn]\n"
             "  schemes: [lsq, asq, fp]\n"
             "  bits: [4, 2]\n"
             "  seeds: [1, 2]\n"
             "  exclude:\n"
             "    - {scheme: asq, bits: 2}\n"
             "train:\n"
             "  data: synth\n"
             "  input: 1x8x8\n"
             "  width: 0.25\n"
             "  epochs: 1\n"
             "  train_subset: 64\n"
             "  batch: 32\n"
             "  lr: 0.05\n"
             "  crop_pad: 0\n"
             "paper:\n"
             "  source: a test\n"
             "  rows:\n"
             "    - {label: LSQ, net: small_cnn, scheme: lsq, fp: 90.0, top1: {2: 80.0, 4: 85.0}}\n"
             "    - {label: Other, net: small_cnn, fp: 91.0, top1: {4: 86.5}}\n"
             "profiles:\n"
             "  smoke:\n"
             "    train: {lr: 0.02}\n"
             "%s",
             name, extra ? extra : "");
    char file[96];
    snprintf(file, sizeof file, "%s.yaml", name);
    return hfix_write(file, text);
}

int hfix_count(const char *text, const char *what)
{
    int n = 0;
    for (const char *p = strstr(text, what); p; p = strstr(p + 1, what))
        n++;
    return n;
}

void hfix_read(const char *path, char *out, size_t cap)
{
    FILE *f = fopen(path, "r");
    cr_assert(f, "cannot read %s", path);
    out[fread(out, 1, cap - 1, f)] = '\0';
    fclose(f);
}

const Cell *hfix_cell(const CellList *l, const char *scheme, int bits, long long seed)
{
    for (int i = 0; i < l->n; i++)
        if (!strcmp(l->cells[i].scheme, scheme) && l->cells[i].bits == bits &&
            l->cells[i].seed == seed)
            return &l->cells[i];
    cr_assert_fail("no cell %s/%d/%lld", scheme, bits, seed);
    return NULL;
}

int hfix_cells_of(const char *path, const char *profile, int *methods)
{
    Experiment e;
    QbErr err = {{0}};
    int n = 0;
    cr_assert_eq(experiment_load(&e, path, profile, &err), 0, "%s", err.msg);
    cr_assert_eq(cells_check(&e, &n, &err), 0, "%s", err.msg);
    if (methods) {
        *methods = 0;
        for (int i = 0; i < e.nschemes; i++)
            *methods += strcmp(e.schemes[i], SCHEME_FP) != 0;
    }
    experiment_free(&e);
    return n;
}

int hfix_fragment(const char *path, const Experiment *e, const CellList *l,
                  const char *table_base, QbErr *err)
{
    Needs none = {0};
    RunFragOptions o = {table_base, "", ""};
    return runfrag_write(path, e, &none, l, &o, err);
}

void hfix_trained_cell(const char *name, const char *text, const char *scheme, int bits,
                       char *base, size_t cap)
{
    char file[300], args[1400], ckpt[1000], out[1 << 14];
    snprintf(file, sizeof file, "%s.yaml", name);
    const char *exp = hfix_write(file, text);
    Experiment e;
    CellList l;
    QbErr err = {{0}};
    cr_assert_eq(experiment_load(&e, exp, "", &err), 0, "%s", err.msg);
    cr_assert_eq(cells_expand(&e, &l, &err), 0, "%s", err.msg);
    const Cell *c = hfix_cell(&l, scheme, bits, 1);
    snprintf(base, cap, "%s/results/%s/%s", hfix_dir(), name, c->id);
    snprintf(ckpt, sizeof ckpt, "%s.ckpt", base);
    if (access(ckpt, F_OK) != 0) {
        snprintf(args, sizeof args, "run-cell %s --cell %s --results %s/results", exp, c->id,
                 hfix_dir());
        cr_assert_eq(qbench_run(NULL, args, out, sizeof out), 0, "%s", out);
    }
    cells_free(&l);
    experiment_free(&e);
}
