/* npy_read on a header length past the end of the file (found by fuzzing,
 * tests/fuzz/fuzz_npy.c): refused from the file's size, before the header is allocated. A
 * 12-byte file could make it allocate 4 GiB, which under a memory limit aborted. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/data/npy.h"
#include "fixtures.h"

TestSuite(npy_hostile, .init = fx_setup, .fini = fx_teardown);

/* The process's virtual size now, from /proc/self/statm (pages). */
static rlim_t vm_bytes(void)
{
    unsigned long pages = 0;
    FILE *f = fopen("/proc/self/statm", "r");
    cr_assert(f && fscanf(f, "%lu", &pages) == 1);
    fclose(f);
    return (rlim_t)pages * (rlim_t)sysconf(_SC_PAGESIZE);
}

/* Reads path in a child limited to 1 GiB more address space than it has: exit 0 when
 * npy_read fails with a message containing `want`. */
static void expect_refused_within_1gib(const char *path, const char *want)
{
    pid_t pid = fork();
    cr_assert_geq(pid, 0);
    if (pid == 0) {
        struct rlimit r = {vm_bytes() + ((rlim_t)1 << 30), vm_bytes() + ((rlim_t)1 << 30)};
        NpyArray a;
        QbErr err = {{0}};
        setrlimit(RLIMIT_AS, &r);
        int rc = npy_read(path, &a, &err);
        _exit(rc == -1 && strstr(err.msg, path) && strstr(err.msg, want) ? 0 : 1);
    }
    int st;
    cr_assert_eq(waitpid(pid, &st, 0), pid);
    cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "npy_read of %s: status %d", path, st);
}

Test(npy_hostile, four_gib_header_length_in_a_tiny_file)
{
    static const unsigned char v2[16] = {0x93, 'N', 'U', 'M', 'P', 'Y', 2, 0,
                                         0xff, 0xff, 0xff, 0xff, '{', '}', ' ', '\n'};
    char path[600];
    fx_write("huge-header.npy", v2, sizeof v2);
    fx_path(path, sizeof path, "huge-header.npy");
    expect_refused_within_1gib(path, "truncated header: expected 4294967295 bytes, got 4");
}

Test(npy_hostile, v1_header_length_past_the_end)
{
    static const unsigned char v1[12] = {0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, 0xff, 0xff, '{', '}'};
    char path[600];
    fx_write("long-header.npy", v1, sizeof v1);
    fx_path(path, sizeof path, "long-header.npy");
    expect_refused_within_1gib(path, "truncated header: expected 65535 bytes, got 2");
}
