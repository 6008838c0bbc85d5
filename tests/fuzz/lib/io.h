/* Shared by the fuzz targets: a private scratch directory (on tmpfs when there is one) and
 * whole-file writes, since qbench's readers take paths. */
#ifndef QB_FUZZ_IO_H
#define QB_FUZZ_IO_H

#include <stddef.h>
#include <stdint.h>

/* The process's scratch directory, created on first use and removed at exit. */
const char *fuzz_dir(void);
/* fuzz_dir()/name into out. */
void fuzz_path(char *out, size_t cap, const char *name);
/* Creates fuzz_dir()/name (once) and puts its path in out. */
void fuzz_mkdir(char *out, size_t cap, const char *name);
/* Writes n bytes to fuzz_dir()/name (name may be dir/file) (replacing it); aborts on failure, which is the
 * harness's fault, not the reader's. */
void fuzz_write(const char *name, const void *data, size_t n);

#endif
