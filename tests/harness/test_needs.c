/* What a profile needs before its cells can exist: every committed paper profile without its
 * data lists every missing file and checkpoint at once (and PLAN says the same, with an
 * estimate timed here); pretraining recipes and --set settings checked before anything runs;
 * the pretraining rule's flags rebuild the same run; `qbench train --partial` leaves the
 * checkpoint only once training finished. */
#include <criterion/criterion.h>
#include <glob.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "harness/needs.h"
#include "tests/support/hfix.h"
#include "tests/support/shell.h"

#define CIFAR_RECIPE "--pretrain 'cifar10=--epochs 200 --lr 0.1 --schedule cosine'"

static void skip_if_data_here(void)
{
    if (access("data/cifar-10-batches-bin", F_OK) == 0 || access("data/imagenet-npy", F_OK) == 0)
        cr_skip_test("data/ holds a data set here: the paper profiles would find it");
}

/* Every data file and checkpoint of one paper profile named, with what to do, in one listing
 * and one error line. */
static void check_listing(const char *file, const char *out, const Needs *n)
{
    cr_assert(strstr(out, "needs ") && strstr(out, "not here:"), "%s: %s", file, out);
    for (int i = 0; i < n->files.nfiles; i++)
        cr_assert(strstr(out, n->files.files[i]), "%s: %s missing from\n%s", file,
                  n->files.files[i], out);
    cr_assert(strstr(out, n->files.dir) && strstr(out, "Expected:") &&
              strstr(out, "SET=train.data_dir=DIR"), "%s: %s", file, out);
    for (int i = 0; i < n->nckpts; i++)
        cr_assert(strstr(out, n->ckpts[i].path), "%s: %s missing from\n%s", file,
                  n->ckpts[i].path, out);
    cr_assert(n->nckpts == 0 || strstr(out, "SET=train.from=PATH"), "%s: %s", file, out);
}

Test(needs, every_paper_profile_without_its_data_lists_every_missing_input_at_once)
{
    skip_if_data_here();
    glob_t g;
    cr_assert_eq(glob("experiments/*.yaml", 0, NULL, &g), 0);
    int checked = 0, planned = 0;
    for (size_t i = 0; i < g.gl_pathc; i++) {
        Experiment e;
        Needs n;
        QbErr err = {{0}};
        int loaded = experiment_load(&e, g.gl_pathv[i], "paper", &err) == 0;
        int cost = e.layout == LAYOUT_COST, cifar = !strcmp(e.base.data, "cifar10");
        if (loaded)
            cr_assert_eq(needs_find(&e, NULL, 0, &n, &err), 0, "%s", err.msg);
        experiment_free(&e);
        if (!loaded)
            continue;  /* claims.yaml, or a file without a paper profile */
        static char out[16384];
        char args[600];
        snprintf(args, sizeof args, "needs %s --profile paper " CIFAR_RECIPE
                 " --pretrain 'imagenet=--epochs 90'", g.gl_pathv[i]);
        int rc = qbench_run(NULL, args, out, sizeof out);
        if (cost) {
            cr_assert_eq(rc, 0, "%s: %s", g.gl_pathv[i], out);  /* it trains nothing */
            needs_free(&n);
            continue;
        }
        cr_assert_eq(rc, 1, "%s: %s", g.gl_pathv[i], out);
        cr_assert(n.data_missing == n.files.nfiles && n.nckpts >= 1, "%s", g.gl_pathv[i]);
        check_listing(g.gl_pathv[i], out, &n);
        cr_assert(strstr(out, "a run trains it first, once the data is there"), "%s", out);
        cr_assert_eq(hfix_count(out, "qbench needs: "), 1, "%s", out);
        checked++;

        /* PLAN=1 says the same, then the cells with an estimate timed here; timing an
         * ImageNet step takes seconds, so one CIFAR file is planned */
        if (!cifar || planned++) {
            needs_free(&n);
            continue;
        }
        snprintf(args, sizeof args, "plan %s --profile paper " CIFAR_RECIPE,
                 g.gl_pathv[i]);
        cr_assert_eq(qbench_run(NULL, args, out, sizeof out), 0, "%s", out);
        check_listing(g.gl_pathv[i], out, &n);
        cr_assert(strstr(out, "timed here now") && strstr(out, "CIFAR-10's 50000 training") &&
                  strstr(out, "to pretrain, about") && strstr(out, "cannot start until"),
                  "%s", out);
        needs_free(&n);
    }
    globfree(&g);
    cr_assert(checked >= 6 && planned, "paper profiles checked: %d", checked);
}

Test(needs, a_recipe_with_a_bad_flag_is_one_error_naming_its_variable)
{
    skip_if_data_here();
    char out[4096];
    cr_assert_eq(qbench_run(NULL, "needs experiments/table4.yaml --profile paper "
                            "--pretrain 'cifar10=--epochs 2 --lr fast'", out, sizeof out), 1);
    cr_assert(strstr(out, "PRETRAIN_cifar10") && strstr(out, "--lr fast: expected a number"),
              "%s", out);
    cr_assert_eq(qbench_run(NULL, "needs experiments/table4.yaml --profile paper "
                            "--pretrain 'cifar10=--epochs 2 --scheme lsq'", out, sizeof out), 1);
    cr_assert(strstr(out, "full precision") && strstr(out, "--scheme"), "%s", out);
    /* without a recipe the checkpoint cannot be made: the listing says so */
    cr_assert_eq(qbench_run(NULL, "needs experiments/table4.yaml --profile paper",
                            out, sizeof out), 1);
    cr_assert(strstr(out, "no pretraining recipe matches"), "%s", out);
}

Test(needs, set_that_changes_pretraining_needs_a_starting_point_of_its_own)
{
    char out[4096], args[800];
    /* the profile's own checkpoint would be made with 1 epoch: refused */
    cr_assert_eq(qbench_run(NULL, "needs experiments/table4.yaml --profile paper "
                            "--set train.epochs=1 " CIFAR_RECIPE, out, sizeof out), 1);
    cr_assert(strstr(out, "train.epochs=1") && strstr(out, "nets/pretrained/resnet20-cifar10.ckpt")
              && strstr(out, "train.from="), "%s", out);
    /* with a train.from of its own it is the run's: listed with the changed schedule */
    snprintf(args, sizeof args, "needs experiments/table4.yaml --profile paper "
             "--set train.epochs=1 --set train.from=%s/{net}-cifar10.ckpt " CIFAR_RECIPE,
             hfix_dir());
    cr_assert_eq(qbench_run(NULL, args, out, sizeof out), 1);
    cr_assert(strstr(out, "resnet20-cifar10.ckpt") && strstr(out, ": 1 epochs, batch 128"),
              "%s", out);
    /* data_dir enters no id: pointing at the data elsewhere is no change of recipe */
    cr_assert_eq(qbench_run(NULL, "needs experiments/table4.yaml --profile paper "
                            "--set train.data_dir=/nonexistent/cifar " CIFAR_RECIPE,
                            out, sizeof out), 1);
    cr_assert(strstr(out, "/nonexistent/cifar/ (train.data_dir) lacks"), "%s", out);
}

Test(needs, bad_settings_are_one_error_each)
{
    static const struct {
        const char *set, *expect;
    } cases[] = {
        {"train.nope=1", "train has no field 'nope'"},
        {"train.epochs=many", "expected an integer in [1, 100000]"},
        {"quant.overrides=fc=fp", "is a list"},
        {"epochs=1", "expected train.KEY=VALUE"},
        {"model.width=1", "the section is train or quant"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char out[2048], args[600];
        snprintf(args, sizeof args, "expand %s --set %s", hfix_experiment("sets", NULL),
                 cases[i].set);
        cr_assert_eq(qbench_run(NULL, args, out, sizeof out), 1, "%s: %s", cases[i].set, out);
        cr_assert(strstr(out, cases[i].expect) && strstr(out, cases[i].set), "%s: %s",
                  cases[i].set, out);
    }
}

Test(needs, set_wins_over_the_profile_and_the_links_and_changes_the_ids)
{
    Experiment e;
    CellList before, after;
    QbErr err = {{0}};
    const char *file = hfix_experiment(
        "chained", "progressive:\n  - scheme: lsq\n    bits: [4, 2]\n    links:\n"
                   "      2: {train: {epochs: 3}}\n");
    cr_assert_eq(experiment_load(&e, file, "smoke", &err), 0, "%s", err.msg);
    cr_assert_eq(cells_expand(&e, &before, &err), 0, "%s", err.msg);
    cr_assert_eq(experiment_set(&e, "train.epochs=2", &err), 0, "%s", err.msg);
    cr_assert_eq(experiment_set(&e, "train.lr=0.5", &err), 0, "%s", err.msg);
    cr_assert_eq(cells_expand(&e, &after, &err), 0, "%s", err.msg);
    for (int i = 0; i < after.n; i++) {
        cr_assert_eq(after.cells[i].cfg.epochs, 2, "%s", after.cells[i].id);
        cr_assert_float_eq(after.cells[i].cfg.lr, 0.5f, 1e-7, "%s", after.cells[i].id);
        cr_assert_str_neq(after.cells[i].id, before.cells[i].id);
    }
    cr_assert(strstr(e.profile_description, "changed by --set: train.epochs=2, train.lr=0.5"),
              "%s", e.profile_description);
    cells_free(&before);
    cells_free(&after);
    experiment_free(&e);
}

Test(needs, the_pretraining_flags_rebuild_the_same_run)
{
    RunConfig c, back;
    QbErr err = {{0}};
    runcfg_defaults(&c);
    cr_assert_eq(runcfg_parse_flags(&c, "--net resnet18 --width 0.25 --data npy --data-dir /d "
                                    "--epochs 90 --lr 0.045 --weight-decay 4e-5 --schedule step "
                                    "--milestones 30,60 --no-flip --nesterov --input 3x64x64 "
                                    "--classes 100 --seed 7 --label-smoothing 0.1",
                                    "test", &err), 0, "%s", err.msg);
    char *text;
    size_t n;
    FILE *f = open_memstream(&text, &n);
    runcfg_write_flags(f, &c, NULL);
    fclose(f);
    cr_assert(strstr(text, " --lr 0.045 ") && strstr(text, " --milestones 30,60 ") &&
              strstr(text, " --no-flip") && !strstr(text, "--threads"), "%s", text);
    runcfg_defaults(&back);
    cr_assert_eq(runcfg_parse_flags(&back, text, "written", &err), 0, "%s: %s", err.msg, text);
    JsonW a, b;
    jw_init(&a, 0);
    jw_init(&b, 0);
    runcfg_to_json(&c, &a, NULL);
    runcfg_to_json(&back, &b, NULL);
    cr_assert_str_eq(a.buf, b.buf, "%s", text);
    free(a.buf);
    free(b.buf);
    free(text);
    cr_assert_eq(runcfg_parse_flags(&c, "--epochs", "PRETRAIN_x", &err), -1);
    cr_assert(strstr(err.msg, "PRETRAIN_x: --epochs needs a value"), "%s", err.msg);
    cr_assert_eq(runcfg_parse_flags(&c, "--bogus 1", "PRETRAIN_x", &err), -1);
    cr_assert(strstr(err.msg, "unknown flag '--bogus'"), "%s", err.msg);
}

Test(needs, train_partial_leaves_the_checkpoint_only_once_finished)
{
    char out[4096], args[800], ckpt[400], partial[420];
    snprintf(ckpt, sizeof ckpt, "%s/partial.ckpt", hfix_dir());
    snprintf(partial, sizeof partial, "%s.partial", ckpt);
    snprintf(args, sizeof args, "train --net small_cnn --data synth --input 1x8x8 --width 0.25 "
             "--epochs 1 --train-subset 64 --batch 32 --quiet --checkpoint %s --partial --resume",
             ckpt);
    cr_assert_eq(qbench_run(NULL, args, out, sizeof out), 0, "%s", out);
    cr_assert(access(ckpt, F_OK) == 0 && access(partial, F_OK) != 0, "%s", out);
    cr_assert_eq(qbench_run(NULL, "train --net small_cnn --data synth --epochs 1 --partial", out,
                            sizeof out), 2);
    cr_assert(strstr(out, "--partial need --checkpoint"), "%s", out);
}
