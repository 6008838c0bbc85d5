/* Matrix expansion, cell ids and the make fragment. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "harness/cell.h"
#include "quantizers/registry.h"
#include "tests/support/hfix.h"

static void expand(const char *path, const char *profile, Experiment *e, CellList *l)
{
    QbErr err = {{0}};
    cr_assert_eq(experiment_load(e, path, profile, &err), 0, "%s", err.msg);
    cr_assert_eq(cells_expand(e, l, &err), 0, "%s", err.msg);
}

Test(cell, expansion_covers_the_matrix_minus_exclusions)
{
    Experiment e;
    CellList l;
    expand(hfix_experiment("cells", NULL), "", &e, &l);
    /* lsq x {4,2} + asq x {4} + fp, each x 2 seeds */
    cr_assert_eq(l.n, 8);
    int fp = 0;
    for (int i = 0; i < l.n; i++) {
        fp += !strcmp(l.cells[i].scheme, "fp");
        cr_assert_neq(strcmp(l.cells[i].scheme, "asq") || l.cells[i].bits != 2, 0);
        cr_assert_eq(l.cells[i].cfg.wbits, l.cells[i].bits);
        cr_assert(strstr(l.cells[i].id, l.cells[i].scheme), "%s", l.cells[i].id);
    }
    cr_assert_eq(fp, 2);
    for (int i = 0; i < l.n; i++)
        for (int j = 0; j < i; j++)
            cr_assert_str_neq(l.cells[i].id, l.cells[j].id);
    cells_free(&l);
    experiment_free(&e);
}

Test(cell, ids_are_stable_and_follow_the_configuration)
{
    Experiment e;
    CellList a, b, c, d;
    const char *path = hfix_experiment("ids", NULL);
    expand(path, "", &e, &a);
    expand(path, "", &e, &b);
    for (int i = 0; i < a.n; i++)
        cr_assert_str_eq(a.cells[i].id, b.cells[i].id);
    /* the profile changes lr: every id changes */
    expand(path, "smoke", &e, &c);
    for (int i = 0; i < a.n; i++)
        cr_assert_str_neq(a.cells[i].id, c.cells[i].id);
    /* spelling out a default changes nothing */
    expand(hfix_experiment("ids", "quant: {first_last: lsq8}\n"), "", &e, &d);
    cr_assert_str_eq(a.cells[0].id, d.cells[0].id);
    cells_free(&d);
    cells_free(&a);
    cells_free(&b);
    cells_free(&c);
    experiment_free(&e);
}

Test(cell, threads_do_not_enter_the_id_but_options_do)
{
    Experiment e;
    CellList a, b, c;
    expand(hfix_experiment("thr", NULL), "", &e, &a);
    char extra[] = "quant: {options: {lsq_grad_scale: per_sample}}\n";
    expand(hfix_experiment("thr", extra), "", &e, &c);
    cr_assert_str_neq(a.cells[0].id, c.cells[0].id);
    cr_assert(strstr(c.cells[0].conventions, "\"lsq_grad_scale\":\"per_sample\""), "%s",
              c.cells[0].conventions);
    cr_assert(strstr(a.cells[0].conventions, "\"lsq_grad_scale\":\"batch\""), "%s",
              a.cells[0].conventions);
    /* the same file with another thread count */
    QbErr err = {{0}};
    cr_assert_eq(experiment_load(&e, hfix_experiment("thr", NULL), "", &err), 0);
    e.base.threads = 2;
    cr_assert_eq(cells_expand(&e, &b, &err), 0, "%s", err.msg);
    cr_assert_str_eq(a.cells[0].id, b.cells[0].id);
    cells_free(&a);
    cells_free(&b);
    cells_free(&c);
    experiment_free(&e);
}

/* A method's own bit constraint (POST has no 2-bit code) fails when the file is loaded,
 * located at the bit-width, before any cell is expanded. */
Test(cell, unsupported_bits_fail_at_load_naming_the_scheme)
{
    Experiment e;
    QbErr err = {{0}};
    const char *path = hfix_write("post2.yaml",
                                  "name: post2\ntitle: T\nmatrix:\n  nets: [small_cnn]\n"
                                  "  schemes: [lsq+post]\n  bits: [2]\n"
                                  "train: {data: synth, input: 1x8x8}\n");
    cr_assert_eq(experiment_load(&e, path, "", &err), -1);
    cr_assert(strstr(err.msg, "post2.yaml:6:10: matrix.bits[0]") && strstr(err.msg, "lsq+post"),
              "%s", err.msg);
    experiment_free(&e);
}

Test(cell, missing_starting_checkpoint_says_what_to_do)
{
    Experiment e;
    CellList l;
    QbErr err = {{0}};
    const char *path = hfix_experiment("from", NULL);
    cr_assert_eq(experiment_load(&e, path, "", &err), 0);
    snprintf(e.base.from, sizeof e.base.from, "/nonexistent/{net}.ckpt");
    cr_assert_eq(cells_expand(&e, &l, &err), -1);
    cr_assert(strstr(err.msg, "train.from") && strstr(err.msg, "/nonexistent/small_cnn.ckpt") &&
              strstr(err.msg, "qbench needs FILE"), "%s", err.msg);
    experiment_free(&e);
}

/* The make fragment of (e, l) written to path, as text (static buffer). */
static const char *fragment(const char *path, const Experiment *e, const CellList *l,
                            const char *table)
{
    QbErr err = {{0}};
    cr_assert_eq(hfix_fragment(path, e, l, table, &err), 0, "%s", err.msg);
    FILE *f = fopen(path, "r");
    cr_assert(f);
    static char text[65536];
    text[fread(text, 1, sizeof text - 1, f)] = '\0';
    fclose(f);
    return text;
}

Test(cell, make_fragment_has_one_target_per_result_file)
{
    Experiment e;
    CellList l;
    expand(hfix_experiment("frag", NULL), "smoke", &e, &l);
    char path[256];
    snprintf(path, sizeof path, "%s/frag.mk", hfix_dir());
    const char *text = fragment(path, &e, &l, "frag-smoke");
    for (int i = 0; i < l.n; i++) {
        char target[256];
        snprintf(target, sizeof target, "$(RESULTS)/frag/%s.json:\n", l.cells[i].id);
        cr_assert(strstr(text, target), "no target for %s", l.cells[i].id);
        snprintf(target, sizeof target, "--cell %s ", l.cells[i].id);
        cr_assert(strstr(text, target));
    }
    cr_assert(strstr(text, "table: cells\n"));
    cr_assert(strstr(text, "--out $(RESULTS)/tables/frag-smoke"));
    cells_free(&l);
    experiment_free(&e);
}

/* SEEDS=N: the first N seeds of the file's list, or the next seeds after its last; the
 * fragment hands the same count to every run-cell and to the report, so the ids agree. */
Test(cell, a_seed_count_truncates_or_extends_the_list_and_reaches_the_fragment)
{
    Experiment e;
    CellList l;
    QbErr err = {{0}};
    const char *file = hfix_experiment("seeds", NULL);
    expand(file, "smoke", &e, &l);
    int per_seed = l.n / e.nseeds;
    cells_free(&l);
    cr_assert_eq(experiment_seed_count(&e, 1, &err), 0, "%s", err.msg);
    cr_assert_eq(e.nseeds, 1);
    cr_assert_eq(experiment_seed_count(&e, 4, &err), 0, "%s", err.msg);
    cr_assert_eq(e.nseeds, 4);
    for (int i = 1; i < 4; i++)
        cr_assert_eq(e.seeds[i], e.seeds[0] + i, "seed %d", i);
    cr_assert_eq(experiment_seed_count(&e, 0, &err), -1);
    cr_assert(strstr(err.msg, "--seeds 0: expected 1..1048576 seeds"), "%s", err.msg);
    cr_assert_eq(experiment_seed_count(&e, EXP_SEED_COUNT_MAX + 1, &err), -1);
    cr_assert_eq(cells_expand(&e, &l, &err), 0, "%s", err.msg);
    cr_assert_eq(l.n, 4 * per_seed);
    char path[256];
    snprintf(path, sizeof path, "%s/seeds.mk", hfix_dir());
    const char *text = fragment(path, &e, &l, "seeds-smoke");
    int runs = 0;
    for (const char *p = text; (p = strstr(p, "run-cell ")); p++, runs++)
        cr_assert(!strncmp(strstr(p, "--profile smoke"), "--profile smoke --seeds 4 --cell", 32),
                  "%.120s", p);
    cr_assert_eq(runs, l.n);
    cr_assert(strstr(text, "report ") && strstr(strstr(text, "report "), "--seeds 4 --results"));
    cells_free(&l);
    experiment_free(&e);
}

/* The built source hashes with one entry changed: the method `ops`'s, or the shared code's. */
static MethodSourceHash edited[64];

static SourceHashes hashes_edited(const QuantizerOps *ops, int shared)
{
    SourceHashes h = source_hashes_built();
    int n = 0;
    for (; h.methods[n].ops; n++) {
        cr_assert_lt(n, 63);
        edited[n] = h.methods[n];
        if (h.methods[n].ops == ops)
            edited[n].hash = "0123456789abcdef";
    }
    edited[n] = h.methods[n];
    h.methods = edited;
    if (shared)
        h.shared = "fedcba9876543210";
    return h;
}

/* Expands the fixture with hashes h; counts the cells whose id differs from l's, per scheme. */
static void changed_ids(const CellList *l, const SourceHashes *h, int *lsq, int *asq, int *fp)
{
    Experiment e;
    CellList m;
    QbErr err = {{0}};
    cr_assert_eq(experiment_load(&e, hfix_experiment("hashed", NULL), "", &err), 0, "%s", err.msg);
    cr_assert_eq(cells_expand_hashed(&e, h, &m, &err), 0, "%s", err.msg);
    cr_assert_eq(m.n, l->n);
    *lsq = *asq = *fp = 0;
    for (int i = 0; i < m.n; i++) {
        int diff = strcmp(m.cells[i].id, l->cells[i].id) != 0;
        const char *s = m.cells[i].scheme;
        *(strcmp(s, "lsq") == 0 ? lsq : strcmp(s, "asq") == 0 ? asq : fp) += diff;
    }
    cells_free(&m);
    experiment_free(&e);
}

Test(cell, editing_a_method_changes_its_cells_ids_and_no_others)
{
    Experiment e;
    CellList l;
    expand(hfix_experiment("hashed", NULL), "", &e, &l);
    const QuantizerOps *asq = quantizer_find("asq");
    cr_assert(asq);
    int nl, na, nf;
    SourceHashes h = hashes_edited(asq, 0);
    changed_ids(&l, &h, &nl, &na, &nf);
    cr_assert_eq(na, 2, "both asq cells (2 seeds) get new ids");
    cr_assert_eq(nl + nf, 0, "%d lsq and %d fp cells changed with asq's source", nl, nf);
    h = hashes_edited(NULL, 1);
    changed_ids(&l, &h, &nl, &na, &nf);
    cr_assert_eq(nl + na, 6, "the shared quantizer code is in every quantized cell");
    cr_assert_eq(nf, 0);
    h = source_hashes_built();
    changed_ids(&l, &h, &nl, &na, &nf);
    cr_assert_eq(nl + na + nf, 0, "the same code gives the same ids");
    cells_free(&l);
    experiment_free(&e);
}

/* The build-time generator on a copy of quantizers/ with one method edited (a comment
 * added): only that method's line of the table changes. */
Test(cell, the_hash_generator_follows_an_edit_of_one_method_file)
{
    char cmd[2048], out[4096];
    const char *d = hfix_dir();
    snprintf(cmd, sizeof cmd,
             "rm -rf %s/q && cp -r quantizers %s/q && sh bench/scripts/source-hashes.sh %s/q > "
             "%s/before.c && echo '/* edited */' >> %s/q/asq.c && "
             "sh bench/scripts/source-hashes.sh %s/q > %s/after.c && "
             "diff %s/before.c %s/after.c | grep '^[<>]'", d, d, d, d, d, d, d, d, d);
    FILE *p = popen(cmd, "r");
    cr_assert(p);
    out[fread(out, 1, sizeof out - 1, p)] = '\0';
    pclose(p);
    char *second = strchr(out, '\n');
    cr_assert(second && strstr(out, "{&asq_ops, \"asq.c\""), "%s", out);
    cr_assert(strstr(second + 1, "{&asq_ops, \"asq.c\""), "%s", out);
    cr_assert_eq(strchr(second + 1, '\n'), strrchr(out, '\n'), "more than asq's line: %s", out);
}

Test(cell, options_reach_only_the_cells_whose_methods_declare_them)
{
    Experiment e;
    CellList plain, set;
    expand(hfix_experiment("scope", NULL), "", &e, &plain);
    expand(hfix_experiment("scope", "quant: {options: {adapter_ratio: 2}}\n"), "", &e, &set);
    cr_assert_eq(plain.n, set.n);
    for (int i = 0; i < set.n; i++) {
        const Cell *c = &set.cells[i];
        int asq = !strcmp(c->scheme, "asq");
        cr_assert_eq(c->cfg.nqopts, asq, "%s", c->id);
        if (asq)
            cr_assert_str_neq(c->id, plain.cells[i].id);
        else
            cr_assert_str_eq(c->id, plain.cells[i].id);
    }
    cells_free(&plain);
    cells_free(&set);
    experiment_free(&e);
}

Test(cell, an_option_no_cell_takes_is_an_error_naming_it)
{
    Experiment e;
    CellList l;
    QbErr err = {{0}};
    const char *path = hfix_experiment("noreach", "quant: {options: {pact_alpha_init: calibrated}}\n");
    cr_assert_eq(experiment_load(&e, path, "", &err), 0, "%s", err.msg);
    cr_assert_eq(cells_expand(&e, &l, &err), -1);
    cr_assert(strstr(err.msg, "quant.options.pact_alpha_init") && strstr(err.msg, path), "%s",
              err.msg);
    int count;
    cr_assert_eq(cells_check(&e, &count, &err), -1);
    cr_assert(strstr(err.msg, "pact_alpha_init"), "%s", err.msg);
    experiment_free(&e);
}
