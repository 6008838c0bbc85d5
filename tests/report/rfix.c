#include "rfix.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/result.h"
#include "report/claims.h"
#include "tests/support/hfix.h"

static void result_write_at(const char *path, const Experiment *e, const Cell *c, double top1,
                            RunStatus status, const TrainCurve *curve)
{
    EpochRecord ep = {0, 0.1f, 0.5, 80.0, 0.6, top1, top1 + 5, 1.0, 100.0};
    RunResult r = {0};
    if (curve)
        r.curve = *curve;
    r.status = status;
    snprintf(r.reason, sizeof r.reason, "%s", status == RUN_DIVERGED ? "non-finite loss" : "");
    r.epochs = &ep;
    r.n_epochs = 1;
    r.bitops = 1e9 * (c->bits ? c->bits * c->bits : 1024);
    QbErr err = {{0}};
    cr_assert_eq(result_write(path, e, c, &c->cfg, &r, NULL, &err), 0, "%s", err.msg);
}

void rfix_result_at(const char *path, const Experiment *e, const Cell *c, double top1,
                    RunStatus status)
{
    result_write_at(path, e, c, top1, status, NULL);
}

/* <results>/<experiment>/<id>.json, its directory made. */
static void result_path(const char *results, const Experiment *e, const Cell *c, char *path,
                        size_t cap)
{
    snprintf(path, cap, "%s/%s", results, e->name);
    rfix_mkdir(path);
    snprintf(path, cap, "%s/%s/%s.json", results, e->name, c->id);
}

void rfix_result_curve(const char *results, const Experiment *e, const Cell *c, double top1,
                       const TrainCurve *curve)
{
    char path[512];
    result_path(results, e, c, path, sizeof path);
    result_write_at(path, e, c, top1, RUN_OK, curve);
}

void rfix_result(const char *results, const Experiment *e, const Cell *c, double top1,
                 RunStatus status)
{
    char path[512];
    result_path(results, e, c, path, sizeof path);
    rfix_result_at(path, e, c, top1, status);
}

void rfix_mkdir(const char *dir)
{
    char cmd[600];
    snprintf(cmd, sizeof cmd, "mkdir -p '%s'", dir);
    cr_assert_eq(system(cmd), 0);
}

const char *rfix_slurp(const char *path)
{
    static char text[131072];
    FILE *f = fopen(path, "r");
    cr_assert(f, "cannot open %s", path);
    text[fread(text, 1, sizeof text - 1, f)] = '\0';
    fclose(f);
    return text;
}

void rfix_load(const char *path, const char *profile, Experiment *e, CellList *l)
{
    QbErr err = {{0}};
    cr_assert_eq(experiment_load(e, path, profile, &err), 0, "%s", err.msg);
    cr_assert_eq(cells_expand(e, l, &err), 0, "%s", err.msg);
}

const Cell *rfix_cell(const CellList *l, const char *scheme, int bits, long long seed)
{
    for (int i = 0; i < l->n; i++)
        if (!strcmp(l->cells[i].scheme, scheme) && l->cells[i].bits == bits &&
            l->cells[i].seed == seed)
            return &l->cells[i];
    cr_assert_fail("no cell %s %d-bit seed %lld", scheme, bits, seed);
    return NULL;
}

const char *rfix_experiment(const char *name, const char *table_keys, const char *seeds)
{
    char text[4096], file[96];
    snprintf(text, sizeof text,
             "name: %s\n"
             "title: \"A test table\"\n"
             "table: {layout: bits, metric: final%s%s}\n"
             "matrix:\n"
             "  nets: [small_cnn]\n"
             "  schemes: [lsq, asq, fp]\n"
             "  bits: [4, 2]\n"
             "  seeds: %s\n"
             "  exclude:\n"
             "    - {scheme: asq, bits: 2}\n"
             "train: {data: synth, input: 1x8x8, width: 0.25, epochs: 1, train_subset: 64,\n"
             "        batch: 32, lr: 0.05, crop_pad: 0}\n"
             "paper:\n"
             "  source: a test\n"
             "  rows:\n"
             "    - {label: LSQ, net: small_cnn, scheme: lsq, fp: 90.0, top1: {2: 80.0, 4: 85.0}}\n"
             "profiles:\n"
             "  smoke:\n"
             "    train: {lr: 0.02}\n"
             "  other:\n"
             "    train: {lr: 0.03}\n"
             "  variant:\n"
             "    extends: smoke\n"
             "    quant: {options: {adapter_ratio: 2}}\n",
             name, table_keys[0] ? ", " : "", table_keys, seeds);
    snprintf(file, sizeof file, "%s.yaml", name);
    return hfix_write(file, text);
}

void rfix_example(const char *results, const Experiment *e, const CellList *l, double fp_base)
{
    static const double lsq[] = {90.09, 91.17, 91.23}, asq[] = {91.18, 91.80, 91.25};
    for (int s = 1; s <= 3; s++) {
        rfix_result(results, e, rfix_cell(l, "lsq", 4, s), lsq[s - 1], RUN_OK);
        rfix_result(results, e, rfix_cell(l, "asq", 4, s), asq[s - 1], RUN_OK);
        rfix_result(results, e, rfix_cell(l, "fp", 0, s), fp_base + s, RUN_OK);
    }
}

const char *rfix_table_file(const char *name, const char *ext)
{
    char path[400];
    snprintf(path, sizeof path, "%s/%s.%s", hfix_dir(), name, ext);
    return rfix_slurp(path);
}

const char *rfix_table(const Experiment *e, const CellList *l, const char *results,
                       const TableOptions *opt, const char *name)
{
    char base[300];
    QbErr err = {{0}};
    int missing;
    snprintf(base, sizeof base, "%s/%s", hfix_dir(), name);
    cr_assert_eq(table_write(e, l, results, opt, base, &missing, &err), 0, "%s", err.msg);
    return rfix_table_file(name, "md");
}

void rfix_start(RFix *f, const char *name, const char *table_keys, const char *seeds)
{
    snprintf(f->results, sizeof f->results, "%s/res-%s", hfix_dir(), name);
    rfix_load(rfix_experiment(name, table_keys, seeds), "smoke", &f->e, &f->l);
}

void rfix_end(RFix *f)
{
    cells_free(&f->l);
    experiment_free(&f->e);
}

const char *rfix_claims(const char *name, const char *text, const char *results,
                        const char **csv)
{
    static char md[131072];
    ClaimSet cs;
    QbErr err = {{0}};
    char file[96], base[300], path[400];
    snprintf(file, sizeof file, "%s.yaml", name);
    cr_assert_eq(claims_load(&cs, hfix_write(file, text), "smoke", &err), 0, "%s", err.msg);
    snprintf(base, sizeof base, "%s/%s", hfix_dir(), name);
    FILE *out = fopen("/dev/null", "w");
    cr_assert_eq(claims_write(&cs, results, base, out, &err), 0, "%s", err.msg);
    fclose(out);
    claims_free(&cs);
    snprintf(path, sizeof path, "%s.md", base);
    snprintf(md, sizeof md, "%s", rfix_slurp(path));
    snprintf(path, sizeof path, "%s.csv", base);
    *csv = rfix_slurp(path);
    return md;
}
