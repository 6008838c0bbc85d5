/* The bad-input corpus's contract and helpers. Every malformed file is handed to the real
 * binary ($QBENCH_BIN, set by make test) through the command that reads it; qbench must exit
 * 1 or 2 (never a signal) with exactly one line on stderr that names the file (and the
 * position, where the case gives one), and no internal error or sanitizer report. */
#ifndef QB_TEST_BAD_H
#define QB_TEST_BAD_H

#include <stddef.h>

/* The test's scratch directory (per process), created by bad_setup, removed by
 * bad_teardown: the .init and .fini of every suite here. */
extern char bad_dir[128];
void bad_setup(void);
void bad_teardown(void);

/* Runs `qbench ARGS` from the repository root with stdout discarded; returns the exit code
 * (128 + N for signal N) and stderr in err. */
int bad_run(const char *args, char *err, size_t cap);
/* Runs ARGS and checks the contract: `file` and (when non-NULL) `expect` in the one line. */
void bad_expect(const char *what, const char *args, const char *file, const char *expect);
/* Runs ARGS and asserts success: the valid baseline a case is derived from really loads. */
void bad_expect_ok(const char *what, const char *args);

/* Runs `qbench ARGS...` (argv[0] is ignored) with every file it writes limited to fsize
 * bytes: RLIMIT_FSIZE with SIGXFSZ ignored makes a write past it fail (EFBIG) as on a full
 * disk, without root or a mount. Returns the exit code and stderr like bad_run. */
int bad_run_limited(char *const argv[], long fsize, char *err, size_t cap);
/* Sets that limit on the calling process. */
void bad_limit_writes(long fsize);
/* The cell ids of experiment file `exp` (qbench expand), at most max; returns how many. */
int bad_cells(const char *exp, char (*ids)[128], int max);

/* bad_dir/name into out; creates bad_dir/name as a directory when dir != 0. */
void bad_path(char *out, size_t cap, const char *name, int dir);
void bad_write(const char *path, const void *data, size_t n);
/* Reads a whole file into a malloc'd buffer. */
unsigned char *bad_read(const char *path, size_t *n);
void bad_gzip(const char *path, const void *data, size_t n);

#endif
