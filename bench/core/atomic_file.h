/* Atomic file replacement: write to a temp file beside the target, fsync, rename, fsync the
 * directory. An interrupted write leaves the previous file (or none), never a partial one.
 * A target that exists and is no regular file (a pipe, a device), or a link into /proc
 * (/dev/stdout), is written in place: renaming over it would replace the device, pipe or
 * link with a file. Through any other symbolic link, the file it names is replaced. */
#ifndef QB_ATOMIC_FILE_H
#define QB_ATOMIC_FILE_H

#include <stddef.h>
#include <stdio.h>

#include "err.h"

typedef struct {
    FILE *f;
    char path[1024];
    char tmp[1040];
    int direct;   /* writing the target itself (not a regular file): no temp, no rename */
} AtomicFile;

int atomic_open(AtomicFile *a, const char *path, QbErr *err);
/* Flushes, fsyncs and renames into place; on any failure removes the temp file. */
int atomic_commit(AtomicFile *a, QbErr *err);
void atomic_abort(AtomicFile *a);
/* Writes a whole buffer atomically. */
int atomic_write(const char *path, const void *data, size_t n, QbErr *err);
/* Reads a whole file into a malloc'd buffer (NUL-terminated; *n excludes the NUL). */
int file_read_all(const char *path, char **data, size_t *n, QbErr *err);
/* Creates dir and every missing parent (mkdir -p). */
int dir_create(const char *dir, QbErr *err);
/* Whether path names something that exists ("" never does). */
int file_exists(const char *path);

#endif
