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
