/* The block-error claim reads the probe's data only when it was measured on the claims
 * table's regime: a smoke probe of untrained quantizers, a file of another profile, results
 * directory or cells, or one without provenance leaves the claim missing with the reason and
 * the command that measures it; the probe of the claim's own trained cells is used; the
 * reference is matched by the cells its result files hold at the claim's positions. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/atomic_file.h"
#include "harness/result.h"
#include "report/claims.h"
#include "run/run.h"
#include "tests/support/scratch.h"
#include "pfix.h"

/* small_cnn fine-tuned from the pretrained checkpoint on synthetic images, LSQ and ASQ at 4
 * bits, seed 1; quick and smoke differ in lr, so in their cell ids. */
static const char experiment_text[] =
    "name: pc\ntitle: \"probe claims\"\ntable: {layout: bits, metric: final}\n"
    "matrix: {nets: [small_cnn], schemes: [lsq, asq], bits: [4], seeds: [1]}\n"
    "train: {data: synth, from: " PFIX_CKPT ", epochs: 1, train_subset: 32, batch: 16,"
    " crop_pad: 0}\n"
    "quant: {first_last: lsq8}\n"
    "profiles:\n  quick: {train: {lr: 0.01}}\n  smoke: {train: {lr: 0.02}}\n";

typedef struct {
    char dir[64];            /* scratch: the experiment and claims files */
    char results[128];
    char exp_path[160], claims_path[160];
} Fix;

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    cr_assert(f, "cannot write %s", path);
    fputs(text, f);
    fclose(f);
}

/* The experiment and a claims file with one block-error and one layer-error claim (each
 * table below gives them their data file as --block-data does; the layer file beside it). */
static void fix_start(Fix *x)
{
    char text[1024];
    scratch_make(x->dir, sizeof x->dir, "claim-src");
    snprintf(x->results, sizeof x->results, "%s/res", x->dir);
    snprintf(x->exp_path, sizeof x->exp_path, "%s/pc.yaml", x->dir);
    snprintf(x->claims_path, sizeof x->claims_path, "%s/claims.yaml", x->dir);
    write_file(x->exp_path, experiment_text);
    snprintf(text, sizeof text, "claims:\n  - {id: blocks, claim: c, source: s, quantity: "
             "block_error, experiment: pc, net: small_cnn, bits: 4, method: asq, versus: lsq, "
             "claimed: less, threshold: 0}\n  - {id: layers, claim: c, source: s, quantity: "
             "layer_error, over: some, experiment: pc, net: small_cnn, bits: 4, method: asq, "
             "versus: lsq, claimed: greater, threshold: 0}\n");
    write_file(x->claims_path, text);
}

static void load(const Fix *x, const char *profile, Experiment *e, CellList *l)
{
    QbErr err = {{0}};
    cr_assert_eq(experiment_load(e, x->exp_path, profile, &err), 0, "%s", err.msg);
    cr_assert_eq(cells_expand(e, l, &err), 0, "%s", err.msg);
}

static const Cell *cell_of(const CellList *l, const char *scheme)
{
    for (int i = 0; i < l->n; i++)
        if (!strcmp(l->cells[i].scheme, scheme))
            return &l->cells[i];
    cr_assert_fail("no %s cell", scheme);
    return NULL;
}

/* Trains the profile's two cells into results/pc/ as run-cell does: checkpoint and result. */
static void train(const Fix *x, const Experiment *e, const CellList *l)
{
    char dir[256];
    snprintf(dir, sizeof dir, "%s/pc", x->results);
    mkdir(x->results, 0777);
    mkdir(dir, 0777);
    for (int i = 0; i < l->n; i++) {
        RunConfig c = l->cells[i].cfg;
        RunResult res;
        QbErr err = {{0}};
        char json[400];
        snprintf(c.ckpt, sizeof c.ckpt, "%s/%s.ckpt", dir, l->cells[i].id);
        snprintf(json, sizeof json, "%s/%s.json", dir, l->cells[i].id);
        cr_assert_eq(run_execute(&c, &res, NULL, NULL, NULL, &err), 0, "%s", err.msg);
        cr_assert_eq(res.status, RUN_OK, "%s", res.reason);
        cr_assert_eq(result_write(json, e, &l->cells[i], &c, &res, NULL, &err), 0, "%s", err.msg);
        run_result_free(&res);
    }
}

/* The probe of the error figures at 4 bits (asq, lsq) into a fresh directory; qat lists the
 * checkpoints ("" = untrained). Returns the path of its block_error.dat (static). */
static const char *probe(ProbeConfig *c, const char *profile, const char *results,
                         const Fix *x, const CellList *trained)
{
    static char path[700];
    ProbeReport r;
    QbErr err = {{0}};
    pfix_config(c);
    c->error_bits = 4;
    cr_assert_eq(probe_set_schemes(c, "asq,lsq", &err), 0, "%s", err.msg);
    snprintf(c->profile, sizeof c->profile, "%s", profile);
    snprintf(c->results, sizeof c->results, "%s", results);
    for (int i = 0; trained && i < trained->n; i++) {
        char spec[600];
        snprintf(spec, sizeof spec, "%s:4=%s/pc/%s.ckpt", trained->cells[i].scheme, x->results,
                 trained->cells[i].id);
        cr_assert_eq(probe_add_qat(c, spec, &err), 0, "%s", err.msg);
    }
    pfix_run(c, &r);
    snprintf(path, sizeof path, "%s/block_error.dat", c->out);
    return path;
}

/* The whole claims table claims_row last wrote. */
static char md_all[16384];

/* The claims table of `profile` on results_dir; returns the block claim's row (static). */
static const char *claims_row(const Fix *x, const char *profile, const char *results_dir,
                              int by_position, const char *dat)
{
    ClaimSet cs;
    QbErr err = {{0}};
    char base[300], path[320];
    cr_assert_eq(claims_load(&cs, x->claims_path, profile, &err), 0, "%s", err.msg);
    cs.by_position = by_position;
    cr_assert_eq(claims_block_data(&cs, dat, &err), 0, "%s", err.msg);
    snprintf(base, sizeof base, "%s/claims-out", x->dir);
    FILE *out = fopen("/dev/null", "w");
    cr_assert_eq(claims_write(&cs, results_dir, base, out, &err), 0, "%s", err.msg);
    fclose(out);
    claims_free(&cs);
    snprintf(path, sizeof path, "%s.md", base);
    FILE *f = fopen(path, "r");
    cr_assert(f);
    md_all[fread(md_all, 1, sizeof md_all - 1, f)] = '\0';
    fclose(f);
    static char md[16384];
    memcpy(md, md_all, sizeof md);
    char *row = strstr(md, "| blocks |");
    cr_assert(row, "%s", md);
    row[strcspn(row, "\n")] = '\0';
    return row;
}

static int text_lines(const char *text)
{
    int n = 0;
    for (; *text; text++)
        n += *text == '\n';
    return n;
}

#define expect_in(text, want) cr_assert(strstr(text, want), "expected\n  %s\nin\n  %s", want, text)

/* `make plots PROFILE=smoke` leaves an untrained smoke probe in plots/data: the quick claims
 * table must not take a verdict from it, and says which command measures its own. */
Test(claim_source, a_smoke_probe_leaves_the_quick_block_claim_missing_with_its_make_command)
{
    Fix x;
    ProbeConfig c;
    Experiment e;
    CellList l;
    fix_start(&x);
    const char *dat = probe(&c, "smoke", x.results, &x, NULL);
    load(&x, "quick", &e, &l);
    const char *row = claims_row(&x, "quick", x.results, 0, dat);
    char want[2048];
    expect_in(row, "**missing** in ");
    snprintf(want, sizeof want, "%s was measured on profile smoke, untrained quantizers, synth "
             "data, 8 samples: profile smoke is not this table's (quick)", dat);
    expect_in(row, want);
    snprintf(want, sizeof want, "first `make reproduce-pc PROFILE=quick RESULTS=%s` for the "
             "checkpoints of its cells, then `make plots-probe PROFILE=quick RESULTS=%s "
             "PROBE_NET=small_cnn PROBE_CKPT=" PFIX_CKPT " PROBE_SCHEMES=asq,lsq "
             "PROBE_FLAGS=\"--data synth --error-bits 4 --batch 1000\" PROBE_QAT=\"asq:4=%s/pc/%s.ckpt "
             "lsq:4=%s/pc/%s.ckpt\" PROBE_DATA=%s`", x.results, x.results, x.results,
             cell_of(&l, "asq")->id, x.results, cell_of(&l, "lsq")->id, c.out);
    expect_in(row, want);
    /* in its own profile too: untrained quantizers are no cell's */
    row = claims_row(&x, "smoke", x.results, 0, dat);
    expect_in(row, "its asq net has untrained quantizers, not a trained cell's");
    /* the same data without its provenance, as written before it was recorded */
    char old[800], line[1024];
    snprintf(old, sizeof old, "%s/old_block_error.dat", x.dir);
    FILE *in = fopen(dat, "r"), *out = fopen(old, "w");
    while (fgets(line, sizeof line, in))
        if (strncmp(line, "# provenance ", 13))
            fputs(line, out);
    fclose(in);
    fclose(out);
    row = claims_row(&x, "quick", x.results, 0, old);
    snprintf(want, sizeof want, "%s has no provenance (written before the probe recorded which "
             "cells it measured); regenerate it: first `make reproduce-pc", old);
    expect_in(row, want);
    cells_free(&l);
    scratch_remove(c.out);
    scratch_remove(x.dir);
    experiment_free(&e);
}

/* The reference's results under other ids than the trained cells' (as made by older code). */
static void reference_copy(const Fix *x, const char *ref, const Experiment *e, const CellList *l,
                           const char *suffix)
{
    char dir[400], path[600];
    snprintf(dir, sizeof dir, "%s/pc", ref);
    mkdir(ref, 0777);
    mkdir(dir, 0777);
    for (int i = 0; i < l->n; i++) {
        Cell c = l->cells[i];
        char src[600];
        ResultSummary s;
        QbErr err = {{0}};
        snprintf(src, sizeof src, "%s/pc/%s.json", x->results, c.id);
        cr_assert_eq(result_read(src, &s, &err), 0, "%s", err.msg);
        strncat(c.id, suffix, sizeof c.id - strlen(c.id) - 1);
        snprintf(path, sizeof path, "%s/%s.json", dir, c.id);
        EpochRecord ep = {0};
        ep.test_top1 = s.final_top1, ep.test_top5 = s.final_top5;
        RunResult r = {0};
        r.status = RUN_OK, r.epochs = &ep, r.n_epochs = 1;
        cr_assert_eq(result_write(path, e, &c, &c.cfg, &r, NULL, &err), 0, "%s", err.msg);
    }
}

Test(claim_source, the_probe_of_the_claims_own_cells_is_used_and_only_in_their_regime)
{
    Fix x;
    ProbeConfig c;
    Experiment e;
    CellList l;
    fix_start(&x);
    load(&x, "quick", &e, &l);
    train(&x, &e, &l);
    const char *dat = probe(&c, "quick", x.results, &x, &l);
    char want[1024];
    /* the file names the cells it measured */
    Dat *d = dat_load(c.out, "block_error.dat");
    int ia = dat_col(d, "asq_rel"), ib = dat_col(d, "lsq_rel");
    double lo = INFINITY, hi = -INFINITY;
    for (int i = 0; i < d->nrows; i++) {
        double diff = dat_num(d, i, ia) - dat_num(d, i, ib);
        lo = fmin(lo, diff), hi = fmax(hi, diff);
    }
    int nblocks = d->nrows;
    free(d);
    char text[8192];
    FILE *f = fopen(dat, "r");
    text[fread(text, 1, sizeof text - 1, f)] = '\0';
    fclose(f);
    snprintf(want, sizeof want, "# provenance scheme asq bits 4 cell pc/%s\n",
             cell_of(&l, "asq")->id);
    expect_in(text, want);
    /* its own regime: measured, every block's difference in the range */
    const char *row = claims_row(&x, "quick", x.results, 0, dat);
    snprintf(want, sizeof want, "| [%+.4f, %+.4f] range over blocks | %d | **%s** in ", lo, hi,
             nblocks, hi < 0 ? "holds" : "contradicted");
    expect_in(row, want);
    /* "every block": the same header over rows of known differences; one block on the
     * wrong side contradicts the claim */
    char head[4096] = "", crafted[800];
    for (const char *t = text; *t == '#'; t = strchr(t, '\n') + 1)
        strncat(head, t, (size_t)(strchr(t, '\n') + 1 - t));
    snprintf(crafted, sizeof crafted, "%s/crafted_block_error.dat", x.dir);
    snprintf(text, sizeof text, "%s0 a 1 0.10 1 0.20\n1 b 1 0.25 1 0.30\n2 fc 1 0.45 1 0.40\n",
             head);
    write_file(crafted, text);
    row = claims_row(&x, "quick", x.results, 0, crafted);
    expect_in(row, "| -0.0333 (0.2667 vs 0.3000) | [-0.1000, +0.0500] range over blocks | 3 | "
                   "**contradicted** in ");
    snprintf(text, sizeof text, "%s0 a 1 0.10 1 0.20\n1 b 1 0.25 1 0.30\n", head);
    write_file(crafted, text);
    row = claims_row(&x, "quick", x.results, 0, crafted);
    expect_in(row, "[-0.1000, -0.0500] range over blocks | 2 | **holds** in ");
    /* the layer file beside it, under the same provenance: some layer's activation error
     * (rounding + clipping) of asq above lsq's holds "some layer" */
    char layers[400];
    snprintf(layers, sizeof layers, "%s/layer_error.dat", x.dir);
    snprintf(text, sizeof text, "# index layer lsq_w_round lsq_w_clip lsq_a_round lsq_a_clip "
             "asq_w_round asq_w_clip asq_a_round asq_a_clip\n%s"
             "0 conv1 0.1 0 nan nan 0.1 0 nan nan\n"
             "1 l1 0.1 0 0.20 0.05 0.1 0 0.10 0.05\n"
             "2 l2 0.1 0 0.30 0.00 0.1 0 0.32 0.01\n", strchr(head, '\n') + 1);
    write_file(layers, text);
    claims_row(&x, "quick", x.results, 0, crafted);
    expect_in(md_all, "| -0.0350 (0.2400 vs 0.2750) | [-0.1000, +0.0300] range over layers | 2 | "
                      "**holds** in ");
    /* and not in another profile's table */
    claims_row(&x, "smoke", x.results, 0, crafted);
    expect_in(strstr(md_all, "| layers |"), "profile quick is not this table's (smoke)");
    snprintf(text, sizeof text, "%s0 a 1 0.10 1 0.20\n1 b 1 zero 1 0.30\n", head);
    write_file(crafted, text);
    row = claims_row(&x, "quick", x.results, 0, crafted);
    snprintf(want, sizeof want, "%s:%d: column 4: expected a finite number, got 'zero'; "
             "regenerate it: `make plots-probe", crafted, text_lines(head) + 2);
    expect_in(row, want);
    /* another profile, another results directory */
    row = claims_row(&x, "smoke", x.results, 0, dat);
    expect_in(row, "profile quick is not this table's (smoke)");
    char elsewhere[200];
    snprintf(elsewhere, sizeof elsewhere, "%s/elsewhere", x.dir);
    mkdir(elsewhere, 0777);
    row = claims_row(&x, "quick", elsewhere, 0, dat);
    snprintf(want, sizeof want, "the results directory %s is not this table's (%s)", x.results,
             elsewhere);
    expect_in(row, want);
    /* the reference (by matrix position): its result files at the claim's positions must be
     * the cells the probe measured; the results directory is not compared */
    char ref[200];
    snprintf(ref, sizeof ref, "%s/reference", x.dir);
    reference_copy(&x, ref, &e, &l, "");
    row = claims_row(&x, "quick", ref, 1, dat);
    expect_in(row, "range over blocks");
    snprintf(ref, sizeof ref, "%s/older-reference", x.dir);
    reference_copy(&x, ref, &e, &l, "_older");
    row = claims_row(&x, "quick", ref, 1, dat);
    snprintf(want, sizeof want, "its cells pc/%s and pc/%s are not this table's 4-bit asq and "
             "lsq cells of one seed (seed 1: pc/%s_older and pc/%s_older)",
             cell_of(&l, "asq")->id, cell_of(&l, "lsq")->id, cell_of(&l, "asq")->id,
             cell_of(&l, "lsq")->id);
    expect_in(row, want);
    snprintf(want, sizeof want, "the reference's probe data is measured on the reference's "
             "cells as %s/README.md describes", c.out);
    expect_in(row, want);
    cells_free(&l);
    scratch_remove(c.out);
    scratch_remove(x.dir);
    experiment_free(&e);
}

/* The committed reference probe data answers the reference claims table: `make claims` and
 * `make reference-tables` read it by matrix position. */
Test(claim_source, the_committed_reference_probe_data_answers_the_reference_claims)
{
    ClaimSet cs;
    QbErr err = {{0}};
    char dir[64], base[128], path[160];
    cr_assert_eq(claims_load(&cs, "experiments/claims.yaml", "quick", &err), 0, "%s", err.msg);
    cs.by_position = 1;
    cr_assert_eq(claims_block_data(&cs, "results/reference/probe/block_error.dat", &err), 0,
                 "%s", err.msg);
    scratch_make(dir, sizeof dir, "claim-ref");
    snprintf(base, sizeof base, "%s/claims", dir);
    FILE *out = fopen("/dev/null", "w");
    cr_assert_eq(claims_write(&cs, "results/reference", base, out, &err), 0, "%s", err.msg);
    fclose(out);
    claims_free(&cs);
    snprintf(path, sizeof path, "%s.md", base);
    /* the whole table: it grows with every claim the file gains */
    char *md;
    size_t n;
    cr_assert_eq(file_read_all(path, &md, &n, &err), 0, "%s", err.msg);
    char *row = strstr(md, "| fig5-block-error |");
    cr_assert(row, "%s", md);
    row[strcspn(row, "\n")] = '\0';
    expect_in(row, "| [-0.0239, +0.0351] range over blocks | 10 | **contradicted** in ");
    free(md);
    scratch_remove(dir);
}
