/* cifar10: the "binary version" batches, each a run of 3073-byte records (label byte, then
 * 1024 bytes each of the R, G and B planes, rows top to bottom), i.e. already C,H,W. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "formats.h"

enum { CIFAR_PIXELS = 3 * 32 * 32, CIFAR_RECORD = 1 + CIFAR_PIXELS, CIFAR_MAX_FILES = 5 };

const char *const cifar_files[] = {"data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin",
                                   "data_batch_4.bin", "data_batch_5.bin", "test_batch.bin",
                                   NULL};

typedef struct {
    char path[CIFAR_MAX_FILES][1024];
    int records[CIFAR_MAX_FILES];
    int nfiles;
} CifarFiles;

/* Sizes every file first, so a truncated one fails before anything is read. */
static int cifar_size(CifarFiles *cf, const DataRequest *r, QbErr *err, int *total)
{
    const char *const *names = cifar_files + (r->split == DATA_TRAIN ? 0 : r->fmt->train_files);
    cf->nfiles = r->split == DATA_TRAIN ? r->fmt->train_files : 1;
    *total = 0;
    for (int i = 0; i < cf->nfiles; i++) {
        snprintf(cf->path[i], sizeof cf->path[i], "%s/%s", r->dir, names[i]);
        struct stat st;
        errno = 0;
        if (stat(cf->path[i], &st) != 0)
            return data_missing(err, cf->path[i], r->hint);
        long long size = st.st_size;
        if (size == 0 || size % CIFAR_RECORD != 0)
            return qb_fail(err,
                           "%s: size %lld is not a positive multiple of the %d-byte record "
                           "(%lld records and %lld bytes over): truncated, or not the binary "
                           "version",
                           cf->path[i], size, CIFAR_RECORD, size / CIFAR_RECORD,
                           size % CIFAR_RECORD);
        if (size / CIFAR_RECORD > INT_MAX - *total)
            return qb_fail(err, "%s: too many records", cf->path[i]);
        cf->records[i] = (int)(size / CIFAR_RECORD);
        *total += cf->records[i];
    }
    return 0;
}

/* Reads one file's records into samples [first, first + records). */
static int cifar_read(Dataset *d, const char *path, int first, int records, QbErr *err)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return data_missing(err, path, NULL);
    unsigned char rec[CIFAR_RECORD];
    int rc = 0;
    for (int i = 0; i < records; i++) {
        if (fread(rec, 1, CIFAR_RECORD, f) != CIFAR_RECORD) {
            rc = qb_fail(err, "%s: short read at record %d of %d", path, i, records);
            break;
        }
        if (rec[0] >= d->classes) {
            rc = data_bad_label(err, path, rec[0], i, d->classes);
            break;
        }
        d->labels[first + i] = rec[0];
        memcpy(d->u8 + (size_t)(first + i) * CIFAR_PIXELS, rec + 1, CIFAR_PIXELS);
    }
    fclose(f);
    return rc;
}

int cifar_open(Dataset *d, const DataRequest *r, QbErr *err)
{
    snprintf(d->source, sizeof d->source, "%s", r->dir);
    CifarFiles cf;
    int total;
    if (cifar_size(&cf, r, err, &total) < 0 ||
        dataset_alloc(d, DATA_U8, r->fmt->dims, total, err) < 0)
        return -1;
    d->classes = r->classes;
    for (int i = 0, first = 0; i < cf.nfiles; first += cf.records[i], i++)
        if (cifar_read(d, cf.path[i], first, cf.records[i], err) < 0)
            return -1;
    return 0;
}
