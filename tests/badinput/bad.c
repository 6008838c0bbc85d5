#include "bad.h"

#include <criterion/criterion.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zlib.h>

#include "tests/support/scratch.h"
#include "tests/support/shell.h"

char bad_dir[128];

void bad_setup(void) { scratch_make(bad_dir, sizeof bad_dir, "bad"); }

void bad_teardown(void) { scratch_remove(bad_dir); }

static void read_text(const char *path, char *out, size_t cap)
{
    FILE *f = fopen(path, "r");
    cr_assert(f, "%s", path);
    size_t n = fread(out, 1, cap - 1, f);
    out[n] = '\0';
    fclose(f);
}

int bad_run(const char *args, char *err, size_t cap)
{
    const char *bin = test_qbench_bin();
    char cmd[4096], errfile[256];
    snprintf(errfile, sizeof errfile, "%s/stderr", bad_dir);
    snprintf(cmd, sizeof cmd, "%s %s >/dev/null 2>%s", bin, args, errfile);
    int st = system(cmd);
    read_text(errfile, err, cap);
    return WIFSIGNALED(st) ? 128 + WTERMSIG(st) : WEXITSTATUS(st);
}

static int count_lines(const char *s)
{
    int n = 0;
    for (; *s; s++)
        n += *s == '\n';
    return n;
}

void bad_limit_writes(long fsize)
{
    struct rlimit r = {(rlim_t)fsize, (rlim_t)fsize};
    signal(SIGXFSZ, SIG_IGN);
    cr_assert_eq(setrlimit(RLIMIT_FSIZE, &r), 0);
}

int bad_run_limited(char *const argv[], long fsize, char *err, size_t cap)
{
    const char *bin = test_qbench_bin();
    char errfile[256];
    snprintf(errfile, sizeof errfile, "%s/stderr", bad_dir);
    pid_t pid = fork();
    cr_assert_geq(pid, 0);
    if (pid == 0) {
        if (!freopen("/dev/null", "w", stdout) || !freopen(errfile, "w", stderr))
            _exit(125);
        bad_limit_writes(fsize);
        execv(bin, argv);
        _exit(126);
    }
    int st;
    cr_assert_eq(waitpid(pid, &st, 0), pid);
    read_text(errfile, err, cap);
    return WIFSIGNALED(st) ? 128 + WTERMSIG(st) : WEXITSTATUS(st);
}

int bad_cells(const char *exp, char (*ids)[128], int max)
{
    char cmd[1200];
    snprintf(cmd, sizeof cmd, "%s expand %s", test_qbench_bin(), exp);
    FILE *p = popen(cmd, "r");
    cr_assert(p, "%s", cmd);
    int n = 0;
    while (n < max && fgets(ids[n], 128, p))
        ids[n][strcspn(ids[n], "\n")] = '\0', n++;
    cr_assert_eq(pclose(p), 0, "%s failed", cmd);
    return n;
}

void bad_expect(const char *what, const char *args, const char *file, const char *expect)
{
    char err[8192];
    int code = bad_run(args, err, sizeof err);
    cr_expect(code == 1 || code == 2, "%s: exit code %d, expected 1 or 2; stderr:\n%s", what,
              code, err);
    cr_expect_eq(count_lines(err), 1, "%s: %d lines on stderr, expected 1:\n%s", what,
                 count_lines(err), err);
    cr_expect(strstr(err, file), "%s: the error does not name %s:\n%s", what, file, err);
    if (expect)
        cr_expect(strstr(err, expect), "%s: expected \"%s\" in:\n%s", what, expect, err);
    cr_expect(!strstr(err, "internal error") && !strstr(err, "Sanitizer") &&
                  !strstr(err, "runtime error"),
              "%s: crash report:\n%s", what, err);
}

void bad_expect_ok(const char *what, const char *args)
{
    char err[8192];
    int code = bad_run(args, err, sizeof err);
    cr_assert_eq(code, 0, "%s: the valid baseline failed (exit %d):\n%s", what, code, err);
}

void bad_path(char *out, size_t cap, const char *name, int dir)
{
    snprintf(out, cap, "%s/%s", bad_dir, name);
    if (dir)
        cr_assert_eq(mkdir(out, 0755), 0, "mkdir %s", out);
}

void bad_write(const char *path, const void *data, size_t n)
{
    FILE *f = fopen(path, "wb");
    cr_assert(f, "%s", path);
    cr_assert_eq(fwrite(data, 1, n, f), n, "%s", path);
    cr_assert_eq(fclose(f), 0, "%s", path);
}

unsigned char *bad_read(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    cr_assert(f, "%s", path);
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    rewind(f);
    unsigned char *p = malloc((size_t)size + 1);
    cr_assert(p);
    cr_assert_eq(fread(p, 1, (size_t)size, f), (size_t)size, "%s", path);
    fclose(f);
    *n = (size_t)size;
    return p;
}

void bad_gzip(const char *path, const void *data, size_t n)
{
    gzFile gz = gzopen(path, "wb");
    cr_assert(gz, "%s", path);
    cr_assert_eq(gzwrite(gz, data, (unsigned)n), (int)n, "%s", path);
    cr_assert_eq(gzclose(gz), Z_OK, "%s", path);
}
