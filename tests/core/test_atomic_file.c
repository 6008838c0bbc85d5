/* Atomic replacement of regular files, and in-place writing of targets that are no regular
 * file: a pipe (as /dev/stdout often is) must stay a pipe and receive the bytes, never be
 * replaced by a file renamed over it. */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/atomic_file.h"
#include "tests/support/scratch.h"

Test(atomic_file, a_regular_file_is_replaced_whole)
{
    char dir[256], path[300];
    scratch_make(dir, sizeof dir, "atomic");
    snprintf(path, sizeof path, "%s/out.txt", dir);
    QbErr err = {0};
    cr_assert_eq(atomic_write(path, "old\n", 4, &err), 0, "%s", err.msg);
    cr_assert_eq(atomic_write(path, "new text\n", 9, &err), 0, "%s", err.msg);
    char *data;
    size_t n;
    cr_assert_eq(file_read_all(path, &data, &n, &err), 0, "%s", err.msg);
    cr_expect(n == 9 && !memcmp(data, "new text\n", 9), "%s", data);
    free(data);
    scratch_remove(dir);
}

Test(atomic_file, a_link_stays_a_link_and_its_file_is_replaced)
{
    char dir[256], file[300], link[300];
    scratch_make(dir, sizeof dir, "atomic");
    snprintf(file, sizeof file, "%s/real.txt", dir);
    snprintf(link, sizeof link, "%s/link.txt", dir);
    QbErr err = {0};
    cr_assert_eq(atomic_write(file, "old\n", 4, &err), 0, "%s", err.msg);
    cr_assert_eq(symlink("real.txt", link), 0);
    cr_assert_eq(atomic_write(link, "new text\n", 9, &err), 0, "%s", err.msg);
    struct stat st;
    cr_assert_eq(lstat(link, &st), 0);
    cr_expect(S_ISLNK(st.st_mode), "the link was replaced by a file");
    char *data;
    size_t n;
    cr_assert_eq(file_read_all(file, &data, &n, &err), 0, "%s", err.msg);
    cr_expect(n == 9 && !memcmp(data, "new text\n", 9), "%s", data);
    free(data);
    scratch_remove(dir);
}

/* /dev/stdout is a link to /proc/self/fd/1: with the output sent to a file, that file is
 * written through the link, and neither the link nor the file is replaced. */
Test(atomic_file, a_link_into_proc_is_written_in_place)
{
    char dir[256], file[300], link[300], fdpath[64];
    scratch_make(dir, sizeof dir, "atomic");
    snprintf(file, sizeof file, "%s/out.txt", dir);
    snprintf(link, sizeof link, "%s/stdout", dir);
    int fd = open(file, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    cr_assert(fd >= 0);
    struct stat before, after;
    cr_assert_eq(fstat(fd, &before), 0);
    snprintf(fdpath, sizeof fdpath, "/proc/self/fd/%d", fd);
    cr_assert_eq(symlink(fdpath, link), 0);
    QbErr err = {0};
    cr_assert_eq(atomic_write(link, "fragment\n", 9, &err), 0, "%s", err.msg);
    cr_assert_eq(lstat(link, &after), 0);
    cr_expect(S_ISLNK(after.st_mode), "the link was replaced by a file");
    cr_assert_eq(stat(file, &after), 0);
    cr_expect_eq(after.st_ino, before.st_ino, "the file behind the descriptor was replaced");
    cr_expect_eq(after.st_size, 9);
    close(fd);
    scratch_remove(dir);
}

Test(atomic_file, a_pipe_is_written_in_place_and_stays_a_pipe)
{
    char dir[256], path[300];
    scratch_make(dir, sizeof dir, "atomic");
    snprintf(path, sizeof path, "%s/fifo", dir);
    cr_assert_eq(mkfifo(path, 0600), 0);
    int rd = open(path, O_RDONLY | O_NONBLOCK);   /* a reader, so the writer's open succeeds */
    cr_assert(rd >= 0);
    QbErr err = {0};
    cr_assert_eq(atomic_write(path, "fragment\n", 9, &err), 0, "%s", err.msg);
    struct stat st;
    cr_assert_eq(stat(path, &st), 0);
    cr_expect(S_ISFIFO(st.st_mode), "the pipe was replaced by a file");
    char buf[32] = {0};
    cr_expect_eq(read(rd, buf, sizeof buf - 1), 9);
    cr_expect_str_eq(buf, "fragment\n");
    close(rd);
    scratch_remove(dir);
}
