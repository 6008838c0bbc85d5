#include "atomic_file.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Where the file is replaced: the path itself, or for a symbolic link the file it names, so
 * the link survives (a rename onto the link would replace it by a regular file). A link
 * into /proc (/dev/stdout is one to /proc/self/fd/1) names an open file of some process,
 * which a rename would take away from it: such a target, like any that is not a regular
 * file (a pipe), is written in place. */
static void atomic_target(AtomicFile *a, const char *path)
{
    struct stat st;
    snprintf(a->path, sizeof a->path, "%s", path);
    a->direct = stat(path, &st) == 0 && !S_ISREG(st.st_mode);
    if (a->direct || lstat(path, &st) != 0 || !S_ISLNK(st.st_mode))
        return;
    char link[16] = {0};
    char *real = realpath(path, NULL);
    if (!real || strlen(real) >= sizeof a->path ||
        (readlink(path, link, sizeof link - 1) > 0 && !strncmp(link, "/proc/", 6)))
        a->direct = 1;
    else
        snprintf(a->path, sizeof a->path, "%s", real);
    free(real);
}

int atomic_open(AtomicFile *a, const char *path, QbErr *err)
{
    if (strlen(path) >= sizeof a->path)
        return qb_fail(err, "%s: path too long", path);
    atomic_target(a, path);
    path = a->path;
    snprintf(a->tmp, sizeof a->tmp, a->direct ? "%s" : "%s.%ld.tmp", path, (long)getpid());
    a->f = fopen(a->tmp, "wb");
    if (!a->f)
        return qb_fail(err, "%s: cannot write (%s)", a->tmp, strerror(errno));
    return 0;
}

void atomic_abort(AtomicFile *a)
{
    if (a->f)
        fclose(a->f);
    a->f = NULL;
    if (!a->direct)
        unlink(a->tmp);
}

static void fsync_dir(const char *path)
{
    char copy[1024];
    snprintf(copy, sizeof copy, "%s", path);
    int fd = open(dirname(copy), O_RDONLY | O_DIRECTORY);
    if (fd >= 0) {
        fsync(fd);
        close(fd);
    }
}

int atomic_commit(AtomicFile *a, QbErr *err)
{
    /* a pipe or terminal cannot be fsynced, and there is nothing to rename */
    int bad = ferror(a->f) || fflush(a->f) != 0 || (!a->direct && fsync(fileno(a->f)) != 0);
    int saved = errno;
    if (fclose(a->f) != 0 && !bad) {
        bad = 1;
        saved = errno;
    }
    a->f = NULL;
    if (bad && a->direct)
        return qb_fail(err, "%s: write failed (%s)", a->path, strerror(saved));
    if (bad) {
        unlink(a->tmp);
        return qb_fail(err, "%s: write failed (%s); the previous file is untouched", a->path,
                       strerror(saved));
    }
    if (a->direct)
        return 0;
    if (rename(a->tmp, a->path) != 0) {
        saved = errno;
        unlink(a->tmp);
        return qb_fail(err, "%s: cannot rename into place (%s)", a->path, strerror(saved));
    }
    fsync_dir(a->path);
    return 0;
}

int atomic_write(const char *path, const void *data, size_t n, QbErr *err)
{
    AtomicFile a;
    if (atomic_open(&a, path, err) < 0)
        return -1;
    if (fwrite(data, 1, n, a.f) != n) {
        int e = errno;
        atomic_abort(&a);
        return qb_fail(err, "%s: write failed (%s); the previous file is untouched", path,
                       strerror(e));
    }
    return atomic_commit(&a, err);
}

int file_read_all(const char *path, char **data, size_t *n, QbErr *err)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return qb_fail(err, "%s: cannot open (%s)", path, strerror(errno));
    size_t cap = 1 << 16, len = 0;
    char *buf = malloc(cap);
    QB_ASSERT(buf);
    size_t got;
    while ((got = fread(buf + len, 1, cap - len - 1, f)) > 0) {
        len += got;
        if (cap - len - 1 == 0) {
            cap *= 2;
            buf = realloc(buf, cap);
            QB_ASSERT(buf);
        }
    }
    int bad = ferror(f);
    fclose(f);
    if (bad) {
        free(buf);
        return qb_fail(err, "%s: read error", path);
    }
    buf[len] = '\0';
    *data = buf;
    *n = len;
    return 0;
}

int dir_create(const char *dir, QbErr *err)
{
    char buf[1024];
    if (!dir[0])
        return qb_fail(err, "an empty directory path");
    if (snprintf(buf, sizeof buf, "%s", dir) >= (int)sizeof buf)
        return qb_fail(err, "%s: too long a directory path", dir);
    for (char *p = buf + 1; ; p++) {
        if (*p && *p != '/')
            continue;
        char c = *p;
        *p = '\0';
        if (mkdir(buf, 0777) < 0 && errno != EEXIST)
            return qb_fail(err, "%s: cannot create directory: %s", buf, strerror(errno));
        if (!c)
            return 0;
        *p = c;
    }
}

int file_exists(const char *path)
{
    struct stat st;
    return path[0] && stat(path, &st) == 0;
}
