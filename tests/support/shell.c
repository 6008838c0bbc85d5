#include "shell.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>

const char *test_qbench_bin(void)
{
    const char *bin = getenv("QBENCH_BIN");
    cr_assert(bin, "QBENCH_BIN is not set (run through make test)");
    return bin;
}

int qbench_run(const char *dir, const char *args, char *out, size_t cap)
{
    char cmd[4000];
    if (dir)
        snprintf(cmd, sizeof cmd, "cd %s && %s %s", dir, test_qbench_bin(), args);
    else
        snprintf(cmd, sizeof cmd, "%s %s", test_qbench_bin(), args);
    return shell_run(cmd, out, cap);
}

int shell_run(const char *cmd, char *out, size_t cap)
{
    char full[4096];
    cr_assert_lt((size_t)snprintf(full, sizeof full, "%s 2>&1", cmd), sizeof full,
                 "command too long: %s", cmd);
    FILE *p = popen(full, "r");
    cr_assert(p, "%s", cmd);
    size_t n = fread(out, 1, cap - 1, p);
    out[n] = '\0';
    /* Drain what did not fit, so the command never blocks on a full pipe. */
    char rest[4096];
    while (fread(rest, 1, sizeof rest, p) > 0)
        ;
    int st = pclose(p);
    return WIFSIGNALED(st) ? 128 + WTERMSIG(st) : WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}
