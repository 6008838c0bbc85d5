/* Progressive schedules end to end through make, as users run them: the smoke APoT chain
 * (4 -> 3 -> 2 bits) trains in order and a rerun trains nothing; deleting a parent retrains it
 * and the links after it only; a chain killed with SIGKILL finishes only what is missing; a
 * parent that failed leaves its children not runnable and the next make retries it first;
 * and a child's weights start at its parent's final checkpoint, not anywhere else. */
#include <criterion/criterion.h>
#include <glob.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/checkpoint.h"
#include "harness/result.h"
#include "run/run.h"
#include "tests/support/shell.h"
#include "tests/support/hfix.h"

#define MAKE_ENV "env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make --no-print-directory "

/* `make reproduce-apot PROFILE=smoke` into results (-o: the binary under test is never
 * rebuilt by this make). */
static void apot_command(const char *results, char *cmd, size_t cap)
{
    const char *bin = test_qbench_bin();
    snprintf(cmd, cap, MAKE_ENV "-o %s reproduce-apot PROFILE=smoke RESULTS=%s BIN=%s", bin,
             results, bin);
}

static int run_apot(const char *results, char *out, size_t cap)
{
    char cmd[1024];
    apot_command(results, cmd, sizeof cmd);
    return shell_run(cmd, out, cap);
}

/* The one file matching dir/pattern (a glob), into out. */
static void one_file(const char *dir, const char *pattern, char *out, size_t cap)
{
    char pat[600];
    glob_t g;
    snprintf(pat, sizeof pat, "%s/%s", dir, pattern);
    cr_assert_eq(glob(pat, 0, NULL, &g), 0, "no %s", pat);
    cr_assert_eq(g.gl_pathc, 1, "%zu files match %s", g.gl_pathc, pat);
    snprintf(out, cap, "%s", g.gl_pathv[0]);
    globfree(&g);
}

static long long mtime_ns(const char *path)
{
    struct stat st;
    cr_assert_eq(stat(path, &st), 0, "no %s", path);
    return (long long)st.st_mtim.tv_sec * 1000000000LL + st.st_mtim.tv_nsec;
}

/* Every link's result is ok, newer than the checkpoint it started from (apot.yaml's chain
 * starts each link from its parent's best epoch), and says so. */
static void expect_chain_in_order(const char *dir)
{
    static const char *const links[] = {"*apot_4b_s1_*.json", "*apot_3b_from4b_*.json",
                                        "*apot_2b_from3b_*.json"};
    char prev_ckpt[600] = "";
    for (int i = 0; i < 3; i++) {
        char json[600], ckpt[600], text[1 << 14], from[700];
        ResultSummary s;
        QbErr err = {{0}};
        one_file(dir, links[i], json, sizeof json);
        snprintf(ckpt, sizeof ckpt, "%.*s.best.ckpt", (int)(strlen(json) - 5), json);
        cr_assert_eq(result_read(json, &s, &err), 0, "%s", err.msg);
        cr_assert(s.ok, "%s: %s", json, s.reason);
        hfix_read(json, text, sizeof text);
        snprintf(from, sizeof from, "\"from\": \"%s\"", prev_ckpt);
        cr_assert(strstr(text, from), "%s does not start from '%s'", json, prev_ckpt);
        if (prev_ckpt[0])
            cr_assert_gt(mtime_ns(json), mtime_ns(prev_ckpt), "%s is older than its parent", json);
        snprintf(prev_ckpt, sizeof prev_ckpt, "%s", ckpt);
    }
}

/* Removes the files matching `globs` (blank-separated, in the apot results), reruns make and
 * expects `runs` cells run, none of them `absent`, and the chain in order. */
static void remove_and_rerun(const char *results, const char *globs, int runs, const char *absent)
{
    static char out[1 << 16];
    char cmd[1200], dir[300], list[400];
    snprintf(dir, sizeof dir, "%s/apot", results);
    snprintf(list, sizeof list, "%s", globs);
    size_t n = (size_t)snprintf(cmd, sizeof cmd, "cd %s && rm", dir);
    for (char *g = strtok(list, " "); g; g = strtok(NULL, " "))
        n += (size_t)snprintf(cmd + n, sizeof cmd - n, " %s", g);
    cr_assert_eq(system(cmd), 0, "%s", cmd);
    cr_assert_eq(run_apot(results, out, sizeof out), 0, "%s", out);
    cr_assert_eq(hfix_count(out, "apot: resnet20"), runs, "%s", out);
    cr_assert_eq(hfix_count(out, absent), 0, "%s", out);
    expect_chain_in_order(dir);
}

Test(chain_e2e, a_chain_runs_in_order_reruns_nothing_and_retrains_below_a_deleted_parent,
     .timeout = 300)
{
    static char out[1 << 16];
    char results[256], dir[300];
    snprintf(results, sizeof results, "%s/chain", hfix_dir());
    snprintf(dir, sizeof dir, "%s/apot", results);
    cr_assert_eq(run_apot(results, out, sizeof out), 0, "%s", out);
    cr_assert_eq(hfix_count(out, "apot: resnet20"), 4, "%s", out);
    const char *l4 = strstr(out, "apot: resnet20 apot 4-bit"), *l3 = strstr(out, "apot: resnet20 apot 3-bit"),
               *l2 = strstr(out, "apot: resnet20 apot 2-bit seed 1, from the 3-bit cell");
    cr_assert(l4 && l3 && l2 && l4 < l3 && l3 < l2, "not in chain order: %s", out);
    expect_chain_in_order(dir);

    cr_assert_eq(run_apot(results, out, sizeof out), 0, "%s", out);
    cr_assert_eq(hfix_count(out, "apot: resnet20"), 0, "a rerun trained: %s", out);

    /* the first link's files gone: it and both later links retrain, full precision does not */
    remove_and_rerun(results, "*apot_4b_s1_*.json *apot_4b_s1_*.ckpt", 3, "apot: resnet20 fp");
    /* the middle link's files gone: it and the last link */
    remove_and_rerun(results, "*apot_3b_from4b_*.json *apot_3b_from4b_*.ckpt", 2,
                     "apot: resnet20 apot 4-bit");
    /* only a result deleted, its final checkpoint kept: rewritten from it, nothing retrains */
    remove_and_rerun(results, "*apot_4b_s1_*.json", 1, "apot: resnet20 apot 3-bit");

    /* results without their checkpoints (a clone of a repository that keeps results, not
     * checkpoints): nothing retrains until a link must, and then the links above it do */
    static const char *const cells[] = {"*_fp_*.json", "*apot_4b_s1_*.json", "*apot_3b_from4b_*.json",
                                        "*apot_2b_from3b_*.json"};
    char path[4][600];
    long long before[4];
    for (int i = 0; i < 4; i++) {
        one_file(dir, cells[i], path[i], sizeof path[i]);
        before[i] = mtime_ns(path[i]);
    }
    char cmd[400];
    snprintf(cmd, sizeof cmd, "rm %s/*.ckpt", dir);
    cr_assert_eq(system(cmd), 0);
    cr_assert_eq(run_apot(results, out, sizeof out), 0, "%s", out);
    for (int i = 0; i < 4; i++)
        cr_assert_eq(mtime_ns(path[i]), before[i], "%s was rewritten: %s", path[i], out);
    remove_and_rerun(results, "*apot_2b_from3b_*.json", 3, "apot: resnet20 fp");
    cr_assert_eq(mtime_ns(path[0]), before[0]);
    for (int i = 1; i < 3; i++)
        cr_assert_gt(mtime_ns(path[i]), before[i], "%s was not retrained", path[i]);
}

/* Valid result files in dir (each must parse). */
static int results_in(const char *dir)
{
    char pat[400];
    glob_t g;
    snprintf(pat, sizeof pat, "%s/*.json", dir);
    if (glob(pat, 0, NULL, &g) != 0)
        return 0;
    for (size_t i = 0; i < g.gl_pathc; i++) {
        ResultSummary s;
        QbErr err = {{0}};
        cr_assert_eq(result_read(g.gl_pathv[i], &s, &err), 0, "%s", err.msg);
    }
    int n = (int)g.gl_pathc;
    globfree(&g);
    return n;
}

/* Starts `cmd` in its own process group with at most fsize bytes per written file (0: no
 * limit; SIGXFSZ ignored so that a write fails instead of killing the writer). */
static pid_t start(const char *cmd, long fsize)
{
    pid_t pid = fork();
    cr_assert(pid >= 0);
    if (pid == 0) {
        setpgid(0, 0);
        if (fsize) {
            struct rlimit r = {(rlim_t)fsize, (rlim_t)fsize};
            signal(SIGXFSZ, SIG_IGN);
            setrlimit(RLIMIT_FSIZE, &r);
        }
        execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
        _exit(127);
    }
    setpgid(pid, pid);
    return pid;
}

Test(chain_e2e, a_chain_killed_with_sigkill_finishes_only_what_is_missing, .timeout = 480)
{
    static char out[1 << 16];
    char results[256], dir[300], cmd[1200];
    snprintf(results, sizeof results, "%s/chainkill", hfix_dir());
    snprintf(dir, sizeof dir, "%s/apot", results);
    apot_command(results, cmd, sizeof cmd);
    strcat(cmd, " >/dev/null 2>&1");
    pid_t pid = start(cmd, 0);
    /* up to 3 minutes: under the sanitizers on a busy machine two links can take that long */
    for (int i = 0; i < 7200 && results_in(dir) < 2; i++)
        usleep(25000);
    kill(-pid, SIGKILL);
    waitpid(pid, NULL, 0);
    int done = results_in(dir);
    cr_assert(done >= 2 && done < 4, "killed after %d results", done);
    cr_assert_eq(run_apot(results, out, sizeof out), 0, "%s", out);
    cr_assert_eq(hfix_count(out, "apot: resnet20"), 4 - done, "%s", out);
    cr_assert_eq(results_in(dir), 4);
    expect_chain_in_order(dir);
}

/* A parent that cannot finish for a reason of the environment (here a full disk: 16 KiB per
 * file holds no checkpoint) writes no result and fails its make target, so its children are
 * not run; with room again the parent is retried first, then its children. (A parent that
 * diverges is a measured outcome: its failed result blocks its children, tests/harness/
 * test_chainrun.c.) */
Test(chain_e2e, a_parent_that_cannot_finish_keeps_its_children_from_running_and_is_retried_first,
     .timeout = 300)
{
    static char out[1 << 16];
    char results[256], dir[300], cmd[1200], path[600], text[1 << 14];
    snprintf(results, sizeof results, "%s/chainfail", hfix_dir());
    snprintf(dir, sizeof dir, "%s/apot", results);
    apot_command(results, cmd, sizeof cmd);
    strcat(cmd, " >/dev/null 2>&1");
    pid_t pid = start(cmd, 16384);
    int st;
    waitpid(pid, &st, 0);
    cr_assert(WIFEXITED(st) && WEXITSTATUS(st) != 0, "make succeeded on a full disk");
    glob_t g;
    char pat[400];
    snprintf(pat, sizeof pat, "%s/*apot_*b_*.json", dir);
    cr_assert_neq(glob(pat, 0, NULL, &g), 0, "a chained cell wrote a result: %s",
                  g.gl_pathc ? g.gl_pathv[0] : "");
    globfree(&g);

    cr_assert_eq(run_apot(results, out, sizeof out), 0, "%s", out);
    cr_assert_eq(hfix_count(out, "apot: resnet20 apot"), 3, "%s", out);
    /* the unchained full-precision cell could not finish either: it is retried too */
    cr_assert_eq(hfix_count(out, "apot: resnet20 fp"), 1, "%s", out);
    one_file(dir, "*apot_4b_s1_*.log", path, sizeof path);
    hfix_read(path, text, sizeof text);
    cr_assert_eq(hfix_count(text, "== attempt"), 2, "%s", text);
    expect_chain_in_order(dir);
}

/* Every parameter of the checkpoint at path, loaded into the cell's network (owned). */
static float *params_of(const Cell *cell, const char *path, size_t *n)
{
    Net net;
    QbErr err = {{0}};
    cr_assert_eq(run_net_build(&cell->cfg, cell->input, cell->classes, &net, &err), 0, "%s", err.msg);
    cr_assert_eq(net_alloc(&net, 1, 1, &err), 0, "%s", err.msg);
    cr_assert_eq(checkpoint_load(path, &net, NULL, NULL, CKPT_WEIGHTS, &err), 0, "%s", err.msg);
    *n = 0;
    for (int i = 0; i < net.nparams; i++)
        *n += net.params[i].numel;
    float *all = malloc(*n * sizeof *all);
    cr_assert(all);
    for (int i = 0, at = 0; i < net.nparams; at += (int)net.params[i].numel, i++)
        memcpy(all + at, net.params[i].w, net.params[i].numel * sizeof *all);
    net_free(&net);
    return all;
}

/* A chain lsq 4 -> 3 -> 2 whose 3-bit link trains at learning rate 0 (its parameters stay
 * where it started), run through make: the 3-bit cell's weights must be bitwise the 4-bit
 * cell's file `start_ext` (.ckpt, or .best.ckpt for start: best). */
static void expect_frozen_child_starts_from(const char *name, const char *start,
                                            const char *start_ext)
{
    static char out[1 << 16];
    char text[1024], file[64];
    snprintf(text, sizeof text,
        "name: %s\ntitle: T\ntable: {layout: bits, metric: final}\n"
        "matrix: {nets: [small_cnn], schemes: [lsq], bits: [4, 3, 2]}\n"
        "train: {data: synth, input: 1x8x8, width: 0.25, epochs: 3, train_subset: 64, batch: 32,"
        " lr: 0.3, crop_pad: 0}\n"
        "progressive:\n  - scheme: lsq\n    bits: [4, 3, 2]\n    start: %s\n"
        "    links:\n      3: {train: {lr: 0}}\n"
        "profiles: {smoke: {description: frozen middle link}}\n", name, start);
    snprintf(file, sizeof file, "%s.yaml", name);
    const char *exp = hfix_write(file, text);
    char results[256], cmd[1200], dir[300];
    snprintf(results, sizeof results, "%s/%s", hfix_dir(), name);
    snprintf(dir, sizeof dir, "%s/%s", results, name);
    snprintf(cmd, sizeof cmd, MAKE_ENV "-o %s experiment EXP=%s PROFILE=smoke RESULTS=%s BIN=%s",
             test_qbench_bin(), exp, results, test_qbench_bin());
    cr_assert_eq(shell_run(cmd, out, sizeof out), 0, "%s", out);

    Experiment e;
    CellList l;
    QbErr err = {{0}};
    cr_assert_eq(experiment_load(&e, exp, "smoke", &err), 0, "%s", err.msg);
    cr_assert_eq(cells_expand(&e, &l, &err), 0, "%s", err.msg);
    const Cell *c2 = NULL;
    for (int i = 0; i < l.n; i++)
        if (l.cells[i].bits == 2)
            c2 = &l.cells[i];
    cr_assert(c2 && c2->parent >= 0);
    const Cell *c3 = &l.cells[c2->parent], *c4 = &l.cells[c3->parent];
    char p2[600], p3[600], p4[600];
    snprintf(p2, sizeof p2, "%s/%s.ckpt", dir, c2->id);
    snprintf(p3, sizeof p3, "%s/%s.ckpt", dir, c3->id);
    snprintf(p4, sizeof p4, "%s/%s%s", dir, c4->id, start_ext);
    size_t n2, n3, n4;
    float *w2 = params_of(c2, p2, &n2), *w3 = params_of(c2, p3, &n3), *w4 = params_of(c2, p4, &n4);
    cr_assert_eq(n2, n3);
    cr_assert_eq(n3, n4);
    cr_assert_eq(memcmp(w3, w4, n3 * sizeof *w3), 0, "the 3-bit cell did not start from %s", p4);
    cr_assert_neq(memcmp(w2, w3, n2 * sizeof *w2), 0, "the 2-bit link did not train");
    ResultSummary r4;
    snprintf(p4, sizeof p4, "%s/%s.json", dir, c4->id);
    cr_assert_eq(result_read(p4, &r4, &err), 0, "%s", err.msg);
    if (strcmp(start_ext, ".ckpt") && r4.best_epoch != r4.epochs) {
        /* at lr 0.3 the 4-bit link's test top-1 need not peak last (here it peaks after the
         * first epoch): then the child's weights are not the final checkpoint's */
        snprintf(p4, sizeof p4, "%s/%s.ckpt", dir, c4->id);
        float *last = params_of(c2, p4, &n4);
        cr_assert_neq(memcmp(w3, last, n3 * sizeof *w3), 0, "best and final weights are equal");
        free(last);
    }
    free(w2);
    free(w3);
    free(w4);
    cells_free(&l);
    experiment_free(&e);
}

Test(chain_e2e, a_child_starts_from_its_parents_final_checkpoint, .timeout = 120)
{
    expect_frozen_child_starts_from("frozen", "last", ".ckpt");
}

Test(chain_e2e, a_child_with_start_best_starts_from_its_parents_best_epoch, .timeout = 120)
{
    expect_frozen_child_starts_from("frozenbest", "best", ".best.ckpt");
}
