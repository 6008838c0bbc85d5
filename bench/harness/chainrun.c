#include "chainrun.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/atomic_file.h"
#include "result.h"

#define NOT_RUNNABLE "not runnable: "

/* Modification time in nanoseconds, or -1 when the file does not exist. */
static long long mtime_ns(const char *path)
{
    struct stat st;
    if (stat(path, &st) < 0)
        return -1;
    return (long long)st.st_mtim.tv_sec * 1000000000LL + st.st_mtim.tv_nsec;
}

static int remove_file(const char *path, QbErr *err)
{
    if (unlink(path) < 0 && errno != ENOENT)
        return qb_fail(err, "%s: cannot remove: %s", path, strerror(errno));
    return 0;
}

static void cell_path(char *out, size_t cap, const char *dir, const Cell *c, const char *ext)
{
    snprintf(out, cap, "%s/%s%s", dir, c->id, ext);
}

/* The parent's file a chained cell starts from: its final checkpoint, or with start: best
 * the weights of its best epoch. */
static void start_path(char *out, size_t cap, const char *dir, const CellList *cells,
                       const Cell *c)
{
    cell_path(out, cap, dir, &cells->cells[c->parent], c->from_best ? ".best.ckpt" : ".ckpt");
}

static int must_run(const char *dir, const CellList *cells, const Cell *c);

/* A file of p that a cell starting from it needs and does not find (that cell has to train),
 * into missing; 0 when there is none. */
static int a_child_misses(const char *dir, const CellList *cells, const Cell *p, char *missing,
                          size_t cap)
{
    for (int i = 0; i < cells->n; i++) {
        const Cell *c = &cells->cells[i];
        if (c->parent < 0 || &cells->cells[c->parent] != p)
            continue;
        start_path(missing, cap, dir, cells, c);
        if (mtime_ns(missing) < 0 && must_run(dir, cells, c))
            return 1;
    }
    return 0;
}

/* Whether c has to train: it has no result, or a not-runnable record, or a result older than
 * the parent's file it starts from, or a cell after it needs a file of it that is missing. A
 * failure of its own stays recorded. */
static int must_run(const char *dir, const CellList *cells, const Cell *c)
{
    char json[1024], from[1024];
    ResultSummary s;
    QbErr ignored;
    cell_path(json, sizeof json, dir, c, ".json");
    if (mtime_ns(json) < 0 || result_read(json, &s, &ignored) < 0)
        return 1;
    if (!s.ok)
        return !strncmp(s.reason, NOT_RUNNABLE, strlen(NOT_RUNNABLE));
    if (c->parent >= 0) {
        start_path(from, sizeof from, dir, cells, c);
        if (mtime_ns(json) < mtime_ns(from))
            return 1;
    }
    return c->children && a_child_misses(dir, cells, c, from, sizeof from);
}

/* A cell with children reruns when its last run failed, or when its checkpoint is gone and a
 * cell after it needs it (results kept without their checkpoints, as in a clone of the
 * repository, retrain nothing until then). */
static int retire_parent(const char *dir, const CellList *cells, const Cell *cell, ChainStep *st,
                         QbErr *err)
{
    char json[1024], ckpt[1024], missing[1024], failed[1040];
    cell_path(json, sizeof json, dir, cell, ".json");
    cell_path(ckpt, sizeof ckpt, dir, cell, ".ckpt");
    cell_path(failed, sizeof failed, dir, cell, ".failed.ckpt");
    if (!cell->children || mtime_ns(json) < 0)
        return 0;
    ResultSummary s;
    if (result_read(json, &s, err) < 0)
        return -1;
    if (s.ok && !a_child_misses(dir, cells, cell, missing, sizeof missing))
        return 0;
    if (!strncmp(s.reason, NOT_RUNNABLE, strlen(NOT_RUNNABLE)))
        snprintf(st->note, sizeof st->note, "%s: trying again: it was %.400s", cell->id, s.reason);
    else if (!s.ok)
        snprintf(st->note, sizeof st->note, "%s: retrying: its last run failed (%.400s); the "
                 "links after it wait for it", cell->id, s.reason);
    else
        snprintf(st->note, sizeof st->note, "%s: retraining: its checkpoint %.400s, which the "
                 "next link starts from, is missing", cell->id, missing);
    if (remove_file(json, err) < 0 || remove_file(failed, err) < 0)
        return -1;
    /* a finished final checkpoint would resume as finished and write no best epoch again */
    return s.ok ? remove_file(ckpt, err) : 0;
}

/* A child starts from its parent's checkpoint once the parent succeeded; what it made from
 * an older checkpoint of the parent is stale. */
static int check_child(const char *dir, const CellList *cells, const Cell *cell, ChainStep *st,
                       QbErr *err)
{
    const Cell *parent = &cells->cells[cell->parent];
    char json[1024], ckpt[1024], pjson[1024];
    cell_path(json, sizeof json, dir, cell, ".json");
    cell_path(ckpt, sizeof ckpt, dir, cell, ".ckpt");
    cell_path(pjson, sizeof pjson, dir, parent, ".json");
    start_path(st->from, sizeof st->from, dir, cells, cell);
    if (mtime_ns(pjson) < 0)
        return st->verdict = CHAIN_WAIT, 0;
    ResultSummary s;
    if (result_read(pjson, &s, err) < 0)
        return -1;
    if (!s.ok) {
        st->verdict = CHAIN_BLOCKED;
        if (!strncmp(s.reason, NOT_RUNNABLE, strlen(NOT_RUNNABLE)))
            snprintf(st->reason, sizeof st->reason, NOT_RUNNABLE "it starts from %s, which is "
                     "not runnable either", parent->id);
        else
            snprintf(st->reason, sizeof st->reason, NOT_RUNNABLE "it starts from %s, which "
                     "failed (%.400s); the next make retries that cell first", parent->id, s.reason);
        return remove_file(json, err);
    }
    long long from = mtime_ns(st->from), have = mtime_ns(json), partial = mtime_ns(ckpt);
    if (from < 0 && have >= 0)
        return 0;  /* its result stands; nothing here says the parent changed since */
    if (from < 0)
        return qb_fail(err, "%s: the checkpoint it starts from, %s, is missing; run make, which "
                            "retrains %s first", cell->id, st->from, parent->id);
    if (have >= 0 && have < from) {
        snprintf(st->note, sizeof st->note, "%s: retraining: %s was retrained after this cell",
                 cell->id, parent->id);
        return remove_file(json, err) < 0 ? -1 : remove_file(ckpt, err);
    }
    if (have < 0 && partial >= 0 && partial < from) {
        snprintf(st->note, sizeof st->note, "%s: starting over: %s was retrained after this "
                 "cell's checkpoint was written", cell->id, parent->id);
        return remove_file(ckpt, err);
    }
    return 0;
}

int chainrun_prepare(const char *dir, const CellList *cells, const Cell *cell, ChainStep *st,
                     QbErr *err)
{
    memset(st, 0, sizeof *st);
    if (retire_parent(dir, cells, cell, st, err) < 0)
        return -1;
    return cell->parent < 0 ? 0 : check_child(dir, cells, cell, st, err);
}

int chainrun_failed(const char *dir, const Cell *cell, QbErr *err)
{
    char ckpt[1024], failed[1040];
    cell_path(ckpt, sizeof ckpt, dir, cell, ".ckpt");
    cell_path(failed, sizeof failed, dir, cell, ".failed.ckpt");
    if (!cell->children || mtime_ns(ckpt) < 0)
        return 0;
    if (rename(ckpt, failed) < 0)
        return qb_fail(err, "%s: cannot move the failed run's checkpoint aside to %s: %s", ckpt,
                       failed, strerror(errno));
    cell_path(ckpt, sizeof ckpt, dir, cell, ".best.ckpt");
    return remove_file(ckpt, err);  /* no link starts from a failed run's best epoch */
}

/* The file beside a result (<id>.json) with extension ext instead. */
static void sibling_path(char *out, size_t cap, const char *json, const char *ext)
{
    size_t n = strlen(json);
    snprintf(out, cap, "%.*s%s", (int)(n > 5 ? n - 5 : n), json, ext);
}

/* src_json's sibling with extension ext copied beside dst_json: 1, or 0 when it is missing. */
static int copy_sibling(const char *src_json, const char *dst_json, const char *ext, QbErr *err)
{
    char src[1024], dst[1024], *bytes;
    size_t n;
    sibling_path(src, sizeof src, src_json, ext);
    sibling_path(dst, sizeof dst, dst_json, ext);
    if (mtime_ns(src) < 0)
        return 0;
    if (file_read_all(src, &bytes, &n, err) < 0)
        return -1;
    int rc = atomic_write(dst, bytes, n, err);
    free(bytes);
    return rc < 0 ? -1 : 1;
}

int chainrun_copy_checkpoint(const Cell *cell, const char *src_json, const char *dst_json,
                             QbErr *err)
{
    if (!cell->children)
        return 1;
    int rc = copy_sibling(src_json, dst_json, ".ckpt", err);
    if (rc == 1 && cell->best_children && (rc = copy_sibling(src_json, dst_json, ".best.ckpt",
                                                              err)) == 0) {
        char ckpt[1024];
        sibling_path(ckpt, sizeof ckpt, dst_json, ".ckpt");
        return remove_file(ckpt, err) < 0 ? -1 : 0;  /* no half of a pair left behind */
    }
    return rc;
}
