/* A full disk or an unwritable results path: a clear error, and what was there before (a
 * result, a checkpoint) untouched, with no temp file left beside it. A full disk is
 * simulated per process with RLIMIT_FSIZE (bad_limit_writes). */
#include <criterion/criterion.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/atomic_file.h"
#include "bad.h"

TestSuite(diskfull, .init = bad_setup, .fini = bad_teardown);

static const char previous[] = "the previous file\n";

static void expect_previous(const char *path)
{
    size_t n;
    unsigned char *p = bad_read(path, &n);
    cr_expect(n == sizeof previous - 1 && !memcmp(p, previous, n), "%s was changed", path);
    free(p);
}

static void expect_no_temp_files(void)
{
    char pattern[300];
    glob_t g;
    snprintf(pattern, sizeof pattern, "%s/**.tmp", bad_dir);
    int found = glob(pattern, 0, NULL, &g) == 0;
    cr_expect(!found, "temp file left behind: %s", found ? g.gl_pathv[0] : "");
    if (found)
        globfree(&g);
}

static int count_lines(const char *s)
{
    int n = 0;
    for (; *s; s++)
        n += *s == '\n';
    return n;
}

/* The start of the last line of s (which ends in a newline). */
static const char *last_line(const char *s)
{
    const char *last = s;
    for (const char *p = s; *p; p++)
        if (*p == '\n' && p[1])
            last = p + 1;
    return last;
}

Test(diskfull, atomic_write_past_the_limit_keeps_the_previous_file)
{
    char path[512], msg[1024] = "";
    int fd[2];
    bad_path(path, sizeof path, "result.json", 0);
    bad_write(path, previous, sizeof previous - 1);
    cr_assert_eq(pipe(fd), 0);
    pid_t pid = fork();
    cr_assert_geq(pid, 0);
    if (pid == 0) {
        static char big[1 << 16];
        QbErr err = {{0}};
        memset(big, 'x', sizeof big);
        bad_limit_writes(4096);
        int rc = atomic_write(path, big, sizeof big, &err);
        if (write(fd[1], err.msg, strlen(err.msg)) < 0)
            _exit(2);
        _exit(rc == -1 ? 0 : 1);
    }
    close(fd[1]);
    ssize_t n = read(fd[0], msg, sizeof msg - 1);
    msg[n > 0 ? n : 0] = '\0';
    close(fd[0]);
    int st;
    cr_assert_eq(waitpid(pid, &st, 0), pid);
    cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "atomic_write: status %d (%s)", st, msg);
    cr_expect(strstr(msg, path) && strstr(msg, "File too large") && strstr(msg, "untouched"),
              "%s", msg);
    expect_previous(path);
    expect_no_temp_files();
}

Test(diskfull, atomic_write_below_a_regular_file_names_the_path)
{
    char file[512], path[600];
    QbErr err = {{0}};
    bad_path(file, sizeof file, "not-a-dir", 0);
    bad_write(file, previous, sizeof previous - 1);
    snprintf(path, sizeof path, "%s/result.json", file);
    cr_assert_eq(atomic_write(path, "{}", 2, &err), -1);
    cr_expect(strstr(err.msg, path) && strstr(err.msg, "Not a directory"), "%s", err.msg);
    expect_previous(file);
}

/* qbench train --checkpoint on a full disk: the epoch's checkpoint cannot be written. */
Test(diskfull, train_checkpoint_on_a_full_disk_keeps_the_previous_checkpoint)
{
    char ckpt[512], err[8192];
    bad_path(ckpt, sizeof ckpt, "run.ckpt", 0);
    bad_write(ckpt, previous, sizeof previous - 1);
    char *const argv[] = {"qbench", "train", "--net", "small_cnn", "--width", "0.25", "--data",
                          "synth", "--train-subset", "64", "--batch", "32", "--epochs", "1",
                          "--checkpoint", ckpt, "--quiet", NULL};
    int code = bad_run_limited(argv, 4096, err, sizeof err);
    cr_expect_eq(code, 1, "exit %d:\n%s", code, err);
    cr_expect_eq(count_lines(err), 1, "%s", err);
    cr_expect(strstr(err, ckpt) && strstr(err, "File too large"), "%s", err);
    expect_previous(ckpt);
    expect_no_temp_files();
}

/* One experiment of two cells (seeds 1 and 2) in bad_dir; its path in exp, ids in ids. */
static void two_cells(char *exp, size_t cap, char (*ids)[128])
{
    static const char yaml[] = "name: full\ntitle: \"two cells\"\n"
                               "matrix: {nets: [small_cnn], schemes: [fp], seeds: [1, 2]}\n"
                               "train: {data: synth, input: 1x8x8, width: 0.25, epochs: 1, "
                               "train_subset: 64, batch: 32, from: none}\n";
    bad_path(exp, cap, "full.yaml", 0);
    bad_write(exp, yaml, strlen(yaml));
    cr_assert_eq(bad_cells(exp, ids, 2), 2);
}

Test(diskfull, run_cell_with_results_on_a_regular_file)
{
    char exp[512], ids[2][128], results[512], args[1400], want[600];
    two_cells(exp, sizeof exp, ids);
    bad_path(results, sizeof results, "results-file", 0);
    bad_write(results, previous, sizeof previous - 1);
    snprintf(args, sizeof args, "run-cell %s --cell %s --results %s", exp, ids[0], results);
    snprintf(want, sizeof want, "%s/full", results);
    bad_expect("results is a file", args, want, "Not a directory");
    expect_previous(results);
}

/* A full disk: the cell can write neither its checkpoint nor its result. It fails with the
 * error as its last line, leaves the finished cell's result as it was, and writes no result
 * (partial or not) of its own, so a rerun runs it. Its progress lines come first. */
Test(diskfull, run_cell_on_a_full_disk_keeps_finished_results)
{
    char exp[512], ids[2][128], dir[256], done[512], mine[512], err[8192];
    two_cells(exp, sizeof exp, ids);
    bad_path(dir, sizeof dir, "results", 1);
    bad_path(dir, sizeof dir, "results/full", 1);
    snprintf(done, sizeof done, "%.255s/%.127s.json", dir, ids[0]);
    snprintf(mine, sizeof mine, "%.255s/%.127s.json", dir, ids[1]);
    bad_write(done, previous, sizeof previous - 1);
    char results[512];
    bad_path(results, sizeof results, "results", 0);
    char *const argv[] = {"qbench", "run-cell", exp, "--cell", ids[1], "--results", results,
                          NULL};
    int code = bad_run_limited(argv, 512, err, sizeof err);
    cr_expect_eq(code, 1, "exit %d:\n%s", code, err);
    const char *last = last_line(err);
    cr_expect(!strncmp(last, "qbench run-cell: ", 17) && strstr(last, mine) &&
                  strstr(last, "File too large"),
              "last line: %s", last);
    cr_expect(!strstr(err, "internal error") && !strstr(err, "Sanitizer"), "%s", err);
    expect_previous(done);
    cr_expect(access(mine, F_OK) != 0, "%s was written on a full disk", mine);
    expect_no_temp_files();
}
