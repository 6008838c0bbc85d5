/* Internal to bench/core/data: the format table's row type, the readers it points to, and
 * the few helpers they share (allocation, label checks, the missing-file message). */
#ifndef QB_DATA_FORMATS_H
#define QB_DATA_FORMATS_H

#include "dataset.h"

typedef struct DataFormat DataFormat;

/* One split to read, with everything resolved. */
typedef struct {
    const DataFormat *fmt;
    const char *dir;         /* NULL for synth */
    const char *hint;        /* for a missing file at the default directory, else NULL */
    const DataOptions *opt;
    DataSplit split;
    int classes;             /* labels must be below this; 0: infer max + 1 */
} DataRequest;

struct DataFormat {
    const char *name;
    const char *title;         /* the data set as a reader knows it: "Fashion-MNIST" */
    /* Fills pixels, labels, classes, count, dims and source; not the statistics. */
    int (*open)(Dataset *d, const DataRequest *r, QbErr *err);
    int reads_files;
    const char *default_dir;   /* NULL: a directory must be given */
    const char *hint;          /* appended to a missing-file error at default_dir */
    int classes;               /* fixed by the format, else 0 */
    Dims dims;                 /* fixed by the format, else 0 */
    float mean[3], std[3];     /* known constants; std[0] == 0: computed from the training split */
    const char *const *files;  /* the files it reads in its directory, training split's first
                                  (NULL-terminated); NULL when it reads none */
    int train_files;           /* how many of them are the training split's */
    const char *expected;      /* what the files hold, for a message saying where to put them */
    int nominal_train, nominal_test;  /* the data set's usual size, for estimates */
    Dims nominal_dims;         /* ... and its sample shape and classes where the format */
    int nominal_classes;       /* fixes none */
    const char *nominal;       /* whose size that is */
};

extern const char *const idx_files[];
extern const char *const cifar_files[];
extern const char *const npyset_files[];

int idx_open(Dataset *d, const DataRequest *r, QbErr *err);
int cifar_open(Dataset *d, const DataRequest *r, QbErr *err);
int npyset_open(Dataset *d, const DataRequest *r, QbErr *err);
int synth_open(Dataset *d, const DataRequest *r, QbErr *err);

/* Allocates pixels, labels and per-channel mean/std for count samples of dims; sets type,
 * dims, count and scale. */
int dataset_alloc(Dataset *d, DataType type, Dims dims, int count, QbErr *err);
/* "<path>: cannot open (<errno text>)", plus "; <hint>" when hint is set. Returns -1. */
int data_missing(QbErr *err, const char *path, const char *hint);
/* "<path>: label L at index I out of range [0, classes)". Returns -1. */
int data_bad_label(QbErr *err, const char *path, long long label, long long index, int classes);
/* Checks n labels of one file against classes; index is the position within that file. */
int data_check_labels(const int *labels, int n, int classes, const char *path, QbErr *err);

#endif
