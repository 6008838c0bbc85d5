/* Progressive schedules (`progressive:`): a located error for every kind of bad chain, the
 * parent links and ids of the expanded cells, and the make fragment's order and
 * prerequisites. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/chain.h"
#include "tests/support/hfix.h"

static void load(const char *path, const char *profile, Experiment *e, CellList *l)
{
    QbErr err = {{0}};
    cr_assert_eq(experiment_load(e, path, profile, &err), 0, "%s", err.msg);
    cr_assert_eq(cells_expand(e, l, &err), 0, "%s", err.msg);
}

/* Loading the fixture experiment (lsq at 4/2 bits, asq at 4, fp; seeds 1 and 2) with
 * `chains` appended fails with every NULL-terminated fragment in the error. */
static void expect_error(const char *name, const char *profile, const char *chains,
                         const char *const *want)
{
    Experiment e;
    QbErr err = {{0}};
    const char *path = hfix_experiment(name, chains);
    cr_assert_eq(experiment_load(&e, path, profile, &err), -1, "%s loaded", name);
    experiment_free(&e);
    cr_assert(strstr(err.msg, path), "no file name in: %s", err.msg);
    for (const char *const *w = want; *w; w++)
        cr_assert(strstr(err.msg, *w), "'%s' not in: %s", *w, err.msg);
}

/* The fixture has 27 lines: `progressive:` is line 28, its first entry line 29. */
Test(chain, a_bit_width_outside_the_matrix_is_located)
{
    expect_error("c_bits", "", "progressive:\n  - {scheme: lsq, bits: [4, 3]}\n",
                 (const char *[]){":29:29:", "progressive[0].bits[1]", "3 bits is not in matrix.bits (4, 2)",
                                  NULL});
}

Test(chain, coming_back_to_a_bit_width_is_a_cycle)
{
    expect_error("c_cycle", "", "progressive:\n  - {scheme: lsq, bits: [4, 2, 4]}\n",
                 (const char *[]){":29:32:", "progressive[0].bits[2]", "already link 1", "cycle", NULL});
}

Test(chain, a_scheme_that_does_not_exist_or_is_not_in_the_matrix)
{
    expect_error("c_unknown", "", "progressive:\n  - {scheme: lsqq, bits: [4, 2]}\n",
                 (const char *[]){":29:14:", "progressive[0].scheme", "unknown scheme 'lsqq'", "asq",
                                  NULL});
    expect_error("c_absent", "", "progressive:\n  - {scheme: pact, bits: [4, 2]}\n",
                 (const char *[]){"progressive[0].scheme", "'pact' is not in matrix.schemes", NULL});
    expect_error("c_fp", "", "progressive:\n  - {scheme: fp, bits: [4, 2]}\n",
                 (const char *[]){"progressive[0].scheme", "full precision", NULL});
}

Test(chain, an_excluded_link_a_shared_cell_and_a_one_link_chain)
{
    expect_error("c_excl", "", "progressive:\n  - {scheme: asq, bits: [4, 2]}\n",
                 (const char *[]){"progressive[0].bits[1]", "excluded for small_cnn", NULL});
    expect_error("c_two", "",
                 "progressive:\n  - {scheme: lsq, bits: [4, 2]}\n  - {scheme: lsq, bits: [2, 4]}\n",
                 (const char *[]){"progressive[1].bits[0]", "already a link of progressive[0]", NULL});
    expect_error("c_one", "", "progressive:\n  - {scheme: lsq, bits: [4]}\n",
                 (const char *[]){"progressive[0].bits", "expected at least 2 bit-widths", NULL});
    expect_error("c_key", "", "progressive:\n  - {scheme: lsq, bits: [4, 2], from: fp}\n",
                 (const char *[]){"progressive[0].from: unknown key", "scheme, bits, start, links", NULL});
}

Test(chain, link_settings_are_checked_like_the_train_section)
{
    expect_error("c_link", "", "progressive:\n  - scheme: lsq\n    bits: [4, 2]\n    links:\n"
                                "      3: {train: {lr: 0.01}}\n",
                 (const char *[]){"progressive[0].links.3", "expected one of this chain's bit-widths (4, 2)",
                                  NULL});
    expect_error("c_linkbad", "", "progressive:\n  - scheme: lsq\n    bits: [4, 2]\n    links:\n"
                                   "      2: {train: {weight_decay: x}}\n",
                 (const char *[]){"progressive[0].links.2.train.weight_decay", NULL});
    expect_error("c_linkfrom", "", "progressive:\n  - scheme: lsq\n    bits: [4, 2]\n    links:\n"
                                    "      2: {train: {from: a.ckpt}}\n",
                 (const char *[]){"progressive[0].links.2.train", "no `from` of its own", NULL});
}

Test(chain, a_profile_chain_replaces_the_top_level_one_and_is_located_there)
{
    /* the fixture's profile section is the last one, so this extends profiles.smoke */
    expect_error("c_prof", "smoke", "    progressive:\n      - {scheme: lsq, bits: [4, 8]}\n",
                 (const char *[]){"profiles.smoke.progressive[0].bits[1]", "8 bits is not in matrix.bits",
                                  NULL});
    Experiment e;
    CellList l;
    load(hfix_experiment("c_prof_ok", "    progressive:\n      - {scheme: lsq, bits: [4, 2]}\n"), "smoke", &e, &l);
    cr_assert_eq(e.nchains, 1);
    cr_assert_eq(hfix_cell(&l, "lsq", 2, 1)->parent >= 0, 1);
    cells_free(&l);
    load(hfix_experiment("c_prof_ok", "    progressive:\n      - {scheme: lsq, bits: [4, 2]}\n"), "", &e, &l);
    cr_assert_eq(e.nchains, 0);
    cells_free(&l);
    experiment_free(&e);
}

Test(chain, each_seed_is_its_own_chain_and_the_child_holds_its_parent_id)
{
    Experiment e;
    CellList l;
    load(hfix_experiment("c_cells", "progressive:\n  - {scheme: lsq, bits: [4, 2]}\n"), "", &e, &l);
    cr_assert_eq(l.n, 8);
    for (long long seed = 1; seed <= 2; seed++) {
        const Cell *p = hfix_cell(&l, "lsq", 4, seed), *c = hfix_cell(&l, "lsq", 2, seed);
        cr_assert_eq(&l.cells[c->parent], p);
        cr_assert_eq(p->parent, -1);
        cr_assert_eq(p->children, 1);
        cr_assert_eq(c->children, 0);
        cr_assert(strstr(c->id, "_2b_from4b_"), "%s", c->id);
        cr_assert(strstr(c->identity, p->id), "%s", c->identity);
        cr_assert_str_eq(c->cfg.from, "");
    }
    cr_assert_eq(hfix_cell(&l, "asq", 4, 1)->parent, -1);
    cr_assert_eq(hfix_cell(&l, "fp", 0, 1)->children, 0);
    cells_free(&l);
    experiment_free(&e);
}

/* The ids of `a` and `b` for every cell: same or not, in the order of `same` ("s" or "d"). */
static void compare_ids(const CellList *a, const CellList *b, const char *scheme, int bits, int same)
{
    for (long long seed = 1; seed <= 2; seed++) {
        const char *x = hfix_cell(a, scheme, bits, seed)->id, *y = hfix_cell(b, scheme, bits, seed)->id;
        cr_assert_eq(!strcmp(x, y), same, "%s/%d: %s vs %s", scheme, bits, x, y);
    }
}

Test(chain, a_parent_setting_changes_the_parent_and_every_later_link_only)
{
    Experiment e;
    CellList plain, chain, parent_lr, child_wd;
    load(hfix_experiment("c_ids0", NULL), "", &e, &plain);
    load(hfix_experiment("c_ids1", "progressive:\n  - {scheme: lsq, bits: [4, 2]}\n"), "", &e, &chain);
    load(hfix_experiment("c_ids2", "progressive:\n  - scheme: lsq\n    bits: [4, 2]\n    links:\n"
                           "      4: {train: {lr: 0.03}}\n"), "", &e, &parent_lr);
    load(hfix_experiment("c_ids3", "progressive:\n  - scheme: lsq\n    bits: [4, 2]\n    links:\n"
                           "      2: {train: {weight_decay: 3.0e-5}}\n"), "", &e, &child_wd);
    /* the first link trains as an unchained cell; the others keep their ids */
    compare_ids(&plain, &chain, "lsq", 4, 1);
    compare_ids(&plain, &chain, "lsq", 2, 0);
    compare_ids(&plain, &chain, "asq", 4, 1);
    compare_ids(&plain, &chain, "fp", 0, 1);
    /* a setting of the parent: the parent and its child change */
    compare_ids(&chain, &parent_lr, "lsq", 4, 0);
    compare_ids(&chain, &parent_lr, "lsq", 2, 0);
    compare_ids(&chain, &parent_lr, "asq", 4, 1);
    /* a setting of the child: only the child */
    compare_ids(&chain, &child_wd, "lsq", 4, 1);
    compare_ids(&chain, &child_wd, "lsq", 2, 0);
    cr_assert_float_eq(hfix_cell(&child_wd, "lsq", 2, 1)->cfg.weight_decay, 3e-5f, 1e-12);
    cr_assert_float_eq(hfix_cell(&child_wd, "lsq", 4, 1)->cfg.weight_decay, 1e-4f, 1e-12);
    cr_assert_float_eq(hfix_cell(&parent_lr, "lsq", 4, 1)->cfg.lr, 0.03f, 1e-9);
    cr_assert_float_eq(hfix_cell(&parent_lr, "lsq", 2, 1)->cfg.lr, 0.05f, 1e-9);
    cells_free(&plain);
    cells_free(&chain);
    cells_free(&parent_lr);
    cells_free(&child_wd);
    experiment_free(&e);
}

Test(chain, the_make_fragment_orders_each_chain_by_its_parent_checkpoint)
{
    Experiment e;
    CellList l;
    QbErr err = {{0}};
    load(hfix_experiment("c_frag", "progressive:\n  - {scheme: lsq, bits: [4, 2]}\n"), "smoke", &e, &l);
    char path[256];
    snprintf(path, sizeof path, "%s/c_frag.mk", hfix_dir());
    cr_assert_eq(hfix_fragment(path, &e, &l, "c_frag", &err), 0, "%s", err.msg);
    static char text[65536];
    hfix_read(path, text, sizeof text);
    for (long long seed = 1; seed <= 2; seed++) {
        const char *p = hfix_cell(&l, "lsq", 4, seed)->id, *c = hfix_cell(&l, "lsq", 2, seed)->id;
        char want[1024];
        /* the parent makes its checkpoint with its result; the child needs both */
        snprintf(want, sizeof want, "$(RESULTS)/c_frag/%s.json $(RESULTS)/c_frag/%s.ckpt &:\n", p, p);
        cr_assert(strstr(text, want), "no grouped parent target %s in:\n%s", want, text);
        snprintf(want, sizeof want, "$(RESULTS)/c_frag/%s.json: $(RESULTS)/c_frag/%s.ckpt | "
                 "$(RESULTS)/c_frag/%s.json\n", c, p, p);
        cr_assert(strstr(text, want), "no child target %s in:\n%s", want, text);
        snprintf(want, sizeof want, ".PRECIOUS: $(RESULTS)/c_frag/%s.ckpt\n", p);
        cr_assert(strstr(text, want), "%s", text);
        snprintf(want, sizeof want, "CELL_PARENT=$(RESULTS)/c_frag/%s $(CELL_RUNNER)", p);
        cr_assert(strstr(text, want), "%s", text);
    }
    /* an unchained cell keeps its plain rule */
    char want[256];
    snprintf(want, sizeof want, "$(RESULTS)/c_frag/%s.json:\n\t@mkdir -p $(@D)\n",
             hfix_cell(&l, "asq", 4, 1)->id);
    cr_assert(strstr(text, want), "%s", text);
    /* make -j starts what CELLS lists first: the chains, whose links cannot overlap, even
     * when the matrix lists them last (the cell list reversed, parents re-pointed) */
    CellList rev = l;
    rev.cells = calloc((size_t)l.n, sizeof *rev.cells);
    for (int i = 0; i < l.n; i++) {
        rev.cells[l.n - 1 - i] = l.cells[i];
        if (l.cells[i].parent >= 0)
            rev.cells[l.n - 1 - i].parent = l.n - 1 - l.cells[i].parent;
    }
    cr_assert_eq(hfix_fragment(path, &e, &rev, "c_frag", &err), 0, "%s", err.msg);
    hfix_read(path, text, sizeof text);
    const char *cells = strstr(text, "CELLS :="), *plain = strstr(cells, hfix_cell(&l, "asq", 4, 1)->id);
    for (long long seed = 1; seed <= 2; seed++)
        cr_assert_lt(strstr(cells, hfix_cell(&l, "lsq", 4, seed)->id), plain, "seed %lld", seed);
    free(rev.cells);
    cells_free(&l);
    experiment_free(&e);
}

Test(chain, a_table_header_names_each_chain_and_what_its_links_change)
{
    Experiment e;
    QbErr err = {{0}};
    char text[512];
    cr_assert_eq(experiment_load(&e, hfix_experiment("c_desc", NULL), "", &err), 0, "%s", err.msg);
    chain_describe(&e, text, sizeof text);
    cr_assert_str_eq(text, "");
    experiment_free(&e);
    cr_assert_eq(experiment_load(&e, hfix_experiment("c_desc", "progressive:\n  - scheme: lsq\n"
                                                     "    bits: [4, 2]\n    links:\n"
                                                     "      2: {train: {weight_decay: 3.0e-5}}\n"),
                                 "", &err), 0, "%s", err.msg);
    chain_describe(&e, text, sizeof text);
    cr_assert_str_eq(text, "Progressive: lsq 4 -> 2 bits, at 2 bits weight decay 3e-05; each link "
                           "starts from the previous link's final checkpoint, the first from the "
                           "start above. ");
    experiment_free(&e);
}

/* start: best changes the ids of the links after the first (they start from other weights)
 * and nothing else; the fragment makes the parent's best weights and the child needs them. */
Test(chain, a_chain_from_the_best_epoch_is_its_own_cells_and_rules)
{
    Experiment e, eb;
    CellList l, lb;
    load(hfix_experiment("c_last", "progressive:\n  - {scheme: lsq, bits: [4, 2]}\n"), "", &e, &l);
    load(hfix_experiment("c_best", "progressive:\n  - {scheme: lsq, bits: [4, 2], start: best}\n"),
         "", &eb, &lb);
    const Cell *p = hfix_cell(&lb, "lsq", 4, 1), *c = hfix_cell(&lb, "lsq", 2, 1);
    cr_assert_str_eq(p->id, hfix_cell(&l, "lsq", 4, 1)->id);
    cr_assert_str_neq(c->id, hfix_cell(&l, "lsq", 2, 1)->id);
    cr_assert(strstr(c->identity, "\"parent_epoch\":\"best\""), "%s", c->identity);
    cr_assert(!strstr(hfix_cell(&l, "lsq", 2, 1)->identity, "parent_epoch"));
    cr_assert(c->from_best && !p->from_best && p->best_children == 1);
    char desc[1024];
    chain_describe(&eb, desc, sizeof desc);
    cr_assert(strstr(desc, "weights at its best test epoch"), "%s", desc);
    chain_describe(&e, desc, sizeof desc);
    cr_assert(strstr(desc, "final checkpoint"), "%s", desc);
    char mk[400];
    snprintf(mk, sizeof mk, "%s/c_best.mk", hfix_dir());
    QbErr err = {{0}};
    cr_assert_eq(hfix_fragment(mk, &eb, &lb, "c_best", &err), 0, "%s", err.msg);
    static char text[16384];
    hfix_read(mk, text, sizeof text);
    char want[600];
    snprintf(want, sizeof want, "%s.ckpt $(RESULTS)/c_best/%s.best.ckpt &:", p->id, p->id);
    cr_assert(strstr(text, want), "%s", text);
    snprintf(want, sizeof want, "%s.json: $(RESULTS)/c_best/%s.best.ckpt | $(RESULTS)/c_best/%s.json",
             c->id, p->id, p->id);
    cr_assert(strstr(text, want), "%s", text);
    cells_free(&l);
    cells_free(&lb);
    experiment_free(&e);
    experiment_free(&eb);
}

Test(chain, a_start_other_than_last_or_best_is_located)
{
    expect_error("c_start", "", "progressive:\n  - {scheme: lsq, bits: [4, 2], start: first}\n",
                 (const char *[]){":29:", "progressive[0].start", "last", "best", NULL});
}
