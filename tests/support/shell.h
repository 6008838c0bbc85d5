/* Running the built binary (or any command) from a test: the one popen wrapper the suites
 * share. */
#ifndef QB_TEST_SHELL_H
#define QB_TEST_SHELL_H

#include <stddef.h>

/* The qbench binary under test ($QBENCH_BIN, set by make test); fails the test when unset. */
const char *test_qbench_bin(void);

/* Runs `cmd` through the shell with stderr joined to stdout; returns its exit code (128 plus
 * the signal when killed) and at most cap-1 bytes of its output in out, NUL-terminated. */
int shell_run(const char *cmd, char *out, size_t cap);
/* Runs `qbench ARGS` in dir (NULL: the current directory) through shell_run. */
int qbench_run(const char *dir, const char *args, char *out, size_t cap);

#endif
