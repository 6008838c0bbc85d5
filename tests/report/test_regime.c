/* The regime in words, derived from the loaded experiment (the committed table 2 in its three
 * profiles, table 1's cost layout, a paper profile that is not the paper's regime), the
 * paper.regime field, and the sign/magnitude comparison with the paper's own difference. */
#include <criterion/criterion.h>
#include <math.h>
#include <string.h>

#include "report/regime.h"
#include "tests/support/hfix.h"

/* A small experiment whose profile `paper` trains on a subset and `wide` at width 2;
 * paper_block is its whole `paper:` section. */
static const char *experiment_file(const char *name, const char *paper_block)
{
    char text[1024], file[64];
    snprintf(text, sizeof text,
             "name: %s\n"
             "title: t\n"
             "matrix: {nets: [small_cnn], schemes: [lsq], bits: [4]}\n"
             "train: {data: synth, input: 1x8x8, epochs: 1, batch: 32}\n"
             "%s"
             "profiles:\n"
             "  paper: {train: {train_subset: 64}}\n"
             "  wide: {train: {width: 2}}\n",
             name, paper_block);
    snprintf(file, sizeof file, "%s.yaml", name);
    return hfix_write(file, text);
}

static void describe(const char *path, const char *profile, Regime *r)
{
    Experiment e;
    QbErr err = {{0}};
    cr_assert_eq(experiment_load(&e, path, profile, &err), 0, "%s", err.msg);
    regime_describe(&e, r);
    experiment_free(&e);
}

/* The committed table 2 in its three profiles, every word from the resolved settings. */
Test(regime, table2_profiles_in_words)
{
    static const struct {
        const char *profile;
        RegimeKind kind;
        const char *data, *nets, *budget, *start;
    } want[] = {
        {"quick", REGIME_REPLICA, "Fashion-MNIST", "quarter-width ResNet-18/34",
         "1 epoch of a 3200-image subset at batch 64 (50 steps)",
         "from pretrained full-precision checkpoints"},
        {"smoke", REGIME_REPLICA, "synthetic gratings 16x16", "eighth-width ResNet-18/34",
         "3 epochs of a 640-image subset at batch 16 (120 steps)", "from scratch"},
        {"paper", REGIME_PAPER, "npy arrays (data/imagenet-npy)", "full-width ResNet-18/34",
         "90 epochs of the full training set at batch 512",
         "from pretrained full-precision checkpoints"},
    };
    for (size_t i = 0; i < sizeof want / sizeof *want; i++) {
        Regime r;
        describe("experiments/table2.yaml", want[i].profile, &r);
        cr_assert_eq(r.kind, want[i].kind, "%s", want[i].profile);
        cr_assert_str_eq(r.data, want[i].data);
        cr_assert_str_eq(r.nets, want[i].nets);
        cr_assert_str_eq(r.budget, want[i].budget);
        cr_assert_str_eq(r.start, want[i].start);
        cr_assert(strstr(r.paper, "ImageNet") && strstr(r.paper, "full-width ResNet-18/34") &&
                  strstr(r.paper, "90 epochs"), "%s", r.paper);
    }
}

Test(regime, one_line_names_the_kind_first)
{
    Regime r;
    describe("experiments/table2.yaml", "quick", &r);
    cr_assert_str_eq(r.text, "scaled replica: Fashion-MNIST, quarter-width ResNet-18/34, 1 epoch "
                             "of a 3200-image subset at batch 64 (50 steps), from pretrained "
                             "full-precision checkpoints");
    describe("experiments/table2.yaml", "paper", &r);
    cr_assert(!strncmp(r.text, "paper's own regime: ", 20), "%s", r.text);
}

Test(regime, chains_and_unlike_names)
{
    Regime r;
    describe("experiments/table4.yaml", "quick", &r);
    cr_assert_str_eq(r.nets, "full-width ResNet-20");
    cr_assert(strstr(r.budget, "(156 steps), per link of a progressive chain"), "%s", r.budget);
    describe("experiments/table3.yaml", "quick", &r);
    cr_assert_str_eq(r.nets, "full-width MobileNet-V2");
}

Test(regime, cost_tables_train_nothing)
{
    Regime r;
    describe("experiments/table1.yaml", "quick", &r);
    cr_assert_eq(r.kind, REGIME_UNTRAINED);
    cr_assert_str_eq(r.text, "no training: full-width ResNet-18 counted at input 3x224x224, "
                             "1000 classes");
    cr_assert_str_eq(r.budget, "");
}

/* A profile called paper that trains on a subset, or at another width, is not the paper's
 * regime; a file without paper.regime leaves it empty. */
Test(regime, a_paper_profile_on_a_subset_is_a_replica)
{
    Regime r;
    const char *path = experiment_file("rg", "");
    describe(path, "paper", &r);
    cr_assert_eq(r.kind, REGIME_REPLICA);
    cr_assert_str_eq(r.paper, "");
    describe(path, "wide", &r);
    cr_assert(strstr(r.nets, "width-2 "), "%s", r.nets);
}

Test(regime, paper_regime_must_be_text)
{
    Experiment e;
    QbErr err = {{0}};
    const char *path = experiment_file("rgbad", "paper: {source: x, regime: [a], rows: []}\n");
    cr_assert_lt(experiment_load(&e, path, "", &err), 0);
    cr_assert(strstr(err.msg, "paper.regime") && strstr(err.msg, "string"), "%s", err.msg);
    experiment_free(&e);
}

static Paired interval(double lo, double hi, int n)
{
    Paired p = {n, (lo + hi) / 2, NAN, lo, hi, (hi - lo) / 2};
    return p;
}

Test(regime, sign_and_magnitude_against_the_papers_difference)
{
    RegimeCheck c;
    char text[96];
    Paired q = interval(-0.09, 0.82, 3);
    regime_check(&q, 67.1 - 66.3, &c);     /* ASQ − LSQ 2-bit, ResNet-18, paper +0.80 */
    cr_assert_eq(c.sign, SIGN_UNRESOLVED);
    cr_assert_eq(c.magnitude, MAGNITUDE_INSIDE);
    regime_check_text(&c, text, sizeof text);
    cr_assert_str_eq(text, "+0.80: sign unresolved, inside");

    q = interval(-70.23, -28.07, 3);
    regime_check(&q, 64.4 - 66.3, &c);     /* PACT − LSQ: paper −1.90 */
    cr_assert_eq(c.sign, SIGN_AGREES);
    cr_assert_eq(c.magnitude, MAGNITUDE_OUTSIDE);
    regime_check_text(&c, text, sizeof text);
    cr_assert_str_eq(text, "-1.90: sign agrees, outside");

    q = interval(0.1, 0.5, 3);
    regime_check(&q, -0.3, &c);
    cr_assert_eq(c.sign, SIGN_OPPOSITE);
    cr_assert_eq(c.magnitude, MAGNITUDE_OUTSIDE);

    /* the interval's own end is inside; 69.8 - 69.8 is no sign at all */
    q = interval(-0.2, 0.3, 2);
    regime_check(&q, 70.1 - 69.8, &c);
    cr_assert_eq(c.magnitude, MAGNITUDE_INSIDE);
    regime_check(&q, 69.8 - 69.8, &c);
    cr_assert_eq(c.sign, SIGN_NONE);
    regime_check_text(&c, text, sizeof text);
    cr_assert_str_eq(text, "+0.00: paper has no sign, inside");
}

Test(regime, no_interval_no_pairs_no_paper)
{
    RegimeCheck c;
    char text[96];
    Paired one = {1, 0.5, NAN, NAN, NAN, NAN}, none = {0, NAN, NAN, NAN, NAN, NAN};
    regime_check(&one, 0.4, &c);
    cr_assert_eq(c.sign, SIGN_UNRESOLVED);
    cr_assert_eq(c.magnitude, MAGNITUDE_NO_INTERVAL);
    regime_check_text(&c, text, sizeof text);
    cr_assert_str_eq(text, "+0.40: sign unresolved, no interval");
    regime_check(&none, 0.4, &c);
    cr_assert_eq(c.magnitude, MAGNITUDE_NONE);
    regime_check_text(&c, text, sizeof text);
    cr_assert_str_eq(text, "+0.40 (no pairs)");
    regime_check(&one, NAN, &c);
    regime_check_text(&c, text, sizeof text);
    cr_assert_str_eq(text, "–");
}

/* The profile at K times its length: the epochs and steps it trains, then the multiple and
 * the profile it multiplies; at 1x no multiple. */
static void describe_at(const char *path, const char *profile, int budget, Regime *r)
{
    Experiment e;
    QbErr err = {{0}};
    cr_assert_eq(experiment_load(&e, path, profile, &err), 0, "%s", err.msg);
    cr_assert_eq(experiment_budget(&e, budget, &err), 0, "%s", err.msg);
    regime_describe(&e, r);
    experiment_free(&e);
}

Test(regime, a_budget_names_its_multiple_of_the_profile)
{
    Regime r;
    describe_at("experiments/table2.yaml", "smoke", 3, &r);
    cr_assert_str_eq(r.budget, "9 epochs of a 640-image subset at batch 16 (360 steps), 3x the "
                               "smoke profile's length");
    cr_assert_eq(r.kind, REGIME_REPLICA);
    describe_at("experiments/table4.yaml", "quick", 2, &r);
    cr_assert(strstr(r.budget, "(312 steps), 2x the quick profile's length, per link of a "
                               "progressive chain"), "%s", r.budget);
    describe_at("experiments/table2.yaml", "smoke", 1, &r);
    cr_assert(!strstr(r.budget, "length"), "1x names no multiple: %s", r.budget);
    /* a file read without a profile: the length is the file's own */
    describe_at(experiment_file("rgnone", ""), "", 3, &r);
    cr_assert_str_eq(r.budget, "3 epochs of the full training set at batch 32, 3x the file's "
                               "own length");
}

/* The paper's data, width and schedule trained three times as long is no longer the paper's
 * regime: its verdicts must not read as the paper's. */
Test(regime, the_paper_profile_at_another_budget_is_not_the_papers_regime)
{
    Regime r;
    describe_at("experiments/table2.yaml", "paper", 1, &r);
    cr_assert_eq(r.kind, REGIME_PAPER);
    describe_at("experiments/table2.yaml", "paper", 3, &r);
    cr_assert_eq(r.kind, REGIME_REPLICA, "%s", r.text);
    cr_assert(!strncmp(r.text, "scaled replica: ", 16), "%s", r.text);
    cr_assert(strstr(r.text, "270 epochs of the full training set at batch 512, 3x the paper "
                             "profile's length"), "%s", r.text);
}
