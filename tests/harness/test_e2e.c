/* End to end through make, as users run it: `make reproduce-table4 PROFILE=smoke` into a
 * scratch results directory writes the table; a rerun trains nothing; a deleted result is the
 * only cell retrained; a SIGKILLed run leaves no partial result and resumes (its cell locks
 * do not block); two concurrent runs on one results directory train each cell once. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness/result.h"
#include "tests/support/shell.h"
#include "tests/support/hfix.h"

/* Runs make for table4 (smoke) into results/ with the binary under test (-o: never rebuilt
 * by this make); returns its exit code, output in out. */
static void make_command(const char *results, char *cmd, size_t cap)
{
    const char *bin = test_qbench_bin();
    snprintf(cmd, cap, "env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make --no-print-directory "
             "-o %s reproduce-table4 PROFILE=smoke RESULTS=%s BIN=%s", bin, results, bin);
}

static int run_make(const char *results, char *out, size_t cap)
{
    char cmd[1024];
    make_command(results, cmd, sizeof cmd);
    return shell_run(cmd, out, cap);
}

/* The text of a file (static buffer), "" when it cannot be read. */
static const char *slurp(const char *path)
{
    static char text[1 << 16];
    FILE *f = fopen(path, "r");
    text[0] = '\0';
    if (f) {
        text[fread(text, 1, sizeof text - 1, f)] = '\0';
        fclose(f);
    }
    return text;
}

/* The cells of table 4's smoke profile, read from its file (what reproduce-table4 trains). */
static int smoke_cells(int *methods)
{
    return hfix_cells_of("experiments/table4.yaml", "smoke", methods);
}

/* Every .json in dir parses as a result; returns how many. */
static int valid_results(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return 0;
    int n = 0;
    for (struct dirent *e; (e = readdir(d));) {
        size_t len = strlen(e->d_name);
        if (len < 5 || strcmp(e->d_name + len - 5, ".json"))
            continue;
        char path[512];
        ResultSummary s;
        QbErr err = {{0}};
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        cr_assert_eq(result_read(path, &s, &err), 0, "%s", err.msg);
        n++;
    }
    closedir(d);
    return n;
}

Test(e2e, reproduce_table4_smoke_writes_the_table_and_reruns_nothing, .timeout = 240)
{
    static char out[1 << 16];
    char results[256], path[400];
    int methods, cells = smoke_cells(&methods);
    snprintf(results, sizeof results, "%s/e2e", hfix_dir());
    cr_assert_eq(run_make(results, out, sizeof out), 0, "%s", out);
    cr_assert_eq(hfix_count(out, "table4: resnet20"), cells, "%s", out);
    snprintf(path, sizeof path, "%s/tables/table4-smoke.md", results);
    FILE *f = fopen(path, "r");
    cr_assert(f, "no table: %s", out);
    fclose(f);
    cr_assert(strstr(out, "0 cell(s) pending") && strstr(out, "Profile `smoke`"), "%s", out);
    cr_assert_eq(hfix_count(out, "| qbench |"), methods + 1, "%s", out);  /* + BitOPs */
    snprintf(path, sizeof path, "%s/table4", results);
    cr_assert_eq(valid_results(path), cells);

    cr_assert_eq(run_make(results, out, sizeof out), 0, "%s", out);
    cr_assert_eq(hfix_count(out, "table4: resnet20"), 0, "a rerun trained: %s", out);

    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm %s/table4/resnet20_asq_3b_*.json", results);
    cr_assert_eq(system(cmd), 0);
    cr_assert_eq(run_make(results, out, sizeof out), 0, "%s", out);
    cr_assert_eq(hfix_count(out, "table4: resnet20"), 1, "%s", out);
    cr_assert(strstr(out, "resnet20 asq 3-bit"), "%s", out);
}

Test(e2e, sigkill_mid_matrix_loses_nothing_finished, .timeout = 420)
{
    static char out[1 << 16];
    char results[256], dir[300], cmd[1024];
    int cells = smoke_cells(NULL);
    snprintf(results, sizeof results, "%s/kill", hfix_dir());
    snprintf(dir, sizeof dir, "%s/table4", results);
    pid_t pid = fork();
    cr_assert(pid >= 0);
    if (pid == 0) {
        setpgid(0, 0);
        snprintf(cmd, sizeof cmd, "env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make --no-print-directory "
                 "-o %s reproduce-table4 PROFILE=smoke RESULTS=%s BIN=%s >/dev/null 2>&1",
                 test_qbench_bin(), results, test_qbench_bin());
        execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
        _exit(127);
    }
    setpgid(pid, pid);
    /* up to 3 minutes: under the sanitizers on a busy machine two cells can take that long */
    for (int i = 0; i < 3600 && valid_results(dir) < 2; i++)
        usleep(50000);
    kill(-pid, SIGKILL);
    waitpid(pid, NULL, 0);
    int done = valid_results(dir);   /* asserts every present result is complete */
    cr_assert(done >= 2 && done < cells, "killed after %d results", done);
    cr_assert_eq(run_make(results, out, sizeof out), 0, "%s", out);
    cr_assert_eq(hfix_count(out, "table4: resnet20"), cells - done, "%s", out);
    cr_assert_eq(valid_results(dir), cells);
}

Test(e2e, two_concurrent_runs_train_each_cell_once, .timeout = 300)
{
    static char out[1 << 17];
    char results[256], one[1024], cmd[8192], all_done[64];
    int cells = smoke_cells(NULL);
    snprintf(results, sizeof results, "%s/twice", hfix_dir());
    make_command(results, one, sizeof one);
    snprintf(cmd, sizeof cmd, "(%s > %s.a 2>&1; echo $? > %s.rc) & %s > %s.b 2>&1; b=$?; wait; "
             "cat %s.a %s.b; [ $b = 0 ] && [ $(cat %s.rc) = 0 ]", one, results, results, one,
             results, results, results, results);
    cr_assert_eq(shell_run(cmd, out, sizeof out), 0, "%s", out);
    char dir[300];
    snprintf(dir, sizeof dir, "%s/table4", results);
    cr_assert_eq(valid_results(dir), cells);
    /* each cell trained once: one training line in both outputs, one attempt in its log */
    cr_assert_eq(hfix_count(out, "ok, final top-1"), cells, "%s", out);
    DIR *d = opendir(dir);
    cr_assert(d);
    int logs = 0;
    for (struct dirent *e; (e = readdir(d));) {
        size_t len = strlen(e->d_name);
        if (len < 4 || strcmp(e->d_name + len - 4, ".log"))
            continue;
        char path[600];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        const char *log = slurp(path);
        cr_assert_eq(hfix_count(log, "== attempt"), 1, "%s:\n%s", path, log);
        cr_assert_eq(hfix_count(log, "ok, final top-1"), 1, "%s:\n%s", path, log);
        logs++;
    }
    closedir(d);
    cr_assert_eq(logs, cells);
    snprintf(all_done, sizeof all_done, "cells: %d done", cells);
    cr_assert_eq(hfix_count(out, all_done), 0, "%s", out);  /* both started before either ended */
}
