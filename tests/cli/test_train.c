/* `qbench train` as users run it: a finished run resumed from its checkpoint (--resume)
 * trains nothing and reports the final and best epochs the run reported. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "tests/support/scratch.h"
#include "tests/support/shell.h"

static char dir[128];

static void setup(void) { scratch_make(dir, sizeof dir, "train"); }
static void teardown(void) { scratch_remove(dir); }

TestSuite(train, .init = setup, .fini = teardown);

/* Three epochs of 1x16x16 gratings at a constant learning rate, whose test accuracy peaks in
 * the second. */
#define TRAIN_ARGS "train --net small_cnn --data synth --input 1x16x16 --width 0.25 --epochs 3 " \
                   "--train-subset 256 --batch 16 --lr 0.12 --schedule constant --crop-pad 0 " \
                   "--threads 1 --checkpoint run.ckpt"

/* The run's summary line without its wall time ("..., N s this run, ..."), into line. */
static void summary(const char *out, char *line, size_t cap)
{
    const char *at = strstr(out, "small_cnn on synth: final");
    cr_assert(at, "no summary: %s", out);
    const char *wall = strstr(at, " epochs, "), *rest = wall ? strstr(wall, " s this run") : NULL;
    cr_assert(rest, "no wall time in: %s", at);
    wall += strlen(" epochs, ");
    snprintf(line, cap, "%.*sN%.*s", (int)(wall - at), at, (int)strcspn(rest, "\n"), rest);
}

/* The best test top-1 of the epoch log lines ("epoch E/3 ... test loss L top1 T% ..."), the
 * first of equal ones, as the summary prints it. */
static void best_of_log(const char *out, char *want, size_t cap)
{
    double best = -1, top1;
    int best_epoch = 0, epoch;
    for (const char *p = out; *p; p += strcspn(p, "\n") + (p[strcspn(p, "\n")] == '\n')) {
        const char *test = strstr(p, "test loss");
        if (sscanf(p, "epoch %d/3", &epoch) == 1 && test &&
            sscanf(test, "test loss %*f top1 %lf%%", &top1) == 1 && top1 > best)
            best = top1, best_epoch = epoch;
    }
    cr_assert_gt(best_epoch, 1, "the run peaks in its first epoch, so the configuration no "
                                "longer tests a best epoch: %s", out);
    snprintf(want, cap, "(best %.2f%% at epoch %d)", best, best_epoch);
}

Test(train, resuming_a_finished_run_reports_its_final_and_best_epochs, .timeout = 60)
{
    char out[1 << 14], want[64], first[512], again[512];
    cr_assert_eq(qbench_run(dir, TRAIN_ARGS, out, sizeof out), 0, "%s", out);
    cr_assert(strstr(out, "epoch 3/3"), "%s", out);
    best_of_log(out, want, sizeof want);
    summary(out, first, sizeof first);
    cr_assert(strstr(first, want), "the run reports %s, its epochs say %s", first, want);

    cr_assert_eq(qbench_run(dir, TRAIN_ARGS " --resume", out, sizeof out), 0, "%s", out);
    cr_assert_null(strstr(out, "epoch 1/3"), "the finished run trained again: %s", out);
    summary(out, again, sizeof again);
    cr_assert_str_eq(again, first, "resumed: %s\nthe run: %s", again, first);
}

/* The summary line says what was trained: the scheme and its weight and activation bits (full
 * precision keeps the plain form the pretraining logs have). */
Test(train, the_summary_names_the_scheme_and_bits, .timeout = 60)
{
    char out[1 << 14];
    cr_assert_eq(qbench_run(dir, "train --net small_cnn --data synth --input 1x16x16 --width 0.25 "
                                 "--epochs 1 --train-subset 64 --batch 16 --threads 1 --scheme lsq "
                                 "--wbits 4 --abits 3 --checkpoint q.ckpt", out, sizeof out),
                 0, "%s", out);
    cr_assert(strstr(out, "small_cnn lsq W4A3 on synth: final test top-1"), "%s", out);
}

/* The help states the range a user can rely on (the bit-widths: each method checks its own,
 * not the field's internal ceiling) and what a --no- flag does. */
Test(train, the_help_states_ranges_and_defaults_as_a_user_reads_them)
{
    char out[1 << 15];
    cr_assert_eq(qbench_run(dir, "train --help", out, sizeof out), 0, "%s", out);
    const char *abits = strstr(out, "--abits N");
    cr_assert(abits && strstr(abits, "an integer, at least 0"), "%s", out);
    cr_assert_null(strstr(out, "1073741824"), "%s", out);
    /* a flag that turns a default off says so, not the default beside the flag */
    cr_assert(strstr(out, "  --no-flip\n      no random horizontal flip (without the flag: on)\n"),
              "%s", out);
}
