/* Dataset: one split of a classification data set held whole in memory (pixels as stored,
 * laid out N,C,H,W), with its normalisation constants and a fingerprint of its contents.
 * The formats (fmnist, cifar10, npy, synth) are one table in dataset.c. */
#ifndef QB_DATASET_H
#define QB_DATASET_H

#include <stdint.h>

#include "core/err.h"
#include "core/nametable.h"
#include "core/tensor.h"

typedef enum { DATA_TRAIN, DATA_TEST } DataSplit;
typedef enum { DATA_U8, DATA_F32 } DataType;
/* How npy images are laid out; AUTO takes channels-last when the last dimension is 1 or 3
 * and the second is not. A 3-d array (N,H,W) is one channel either way. */
typedef enum { DATA_LAYOUT_AUTO, DATA_LAYOUT_NCHW, DATA_LAYOUT_NHWC } DataLayout;

/* Format options; all-zero means the defaults. */
typedef struct {
    int classes;            /* npy: 0 infers max(training label) + 1; synth: 0 means 10 */
    DataLayout layout;      /* npy */
    Dims dims;              /* synth: 0 means 1x28x28 */
    int train_count;        /* synth: 0 means 10000 */
    int test_count;         /* synth: 0 means 500 */
    uint64_t seed;          /* synth */
} DataOptions;

typedef struct {
    char name[64];          /* "<format>/<split>", e.g. "fmnist/train" */
    char source[1024];      /* the directory or file it was read from */
    DataType type;
    Dims dims;
    int classes;
    int count;
    uint8_t *u8;            /* count x C x H x W when type is DATA_U8, else NULL */
    float *f32;             /* count x C x H x W when type is DATA_F32, else NULL */
    int *labels;            /* count entries in [0, classes) */
    float scale;            /* stored value -> [0, 1] units: 1/255 for uint8, 1 for float */
    float *mean, *std;      /* per channel, in scaled units: known constants for fmnist and
                             * cifar10, computed (population std) from the training split for
                             * npy and synth */
    uint64_t fingerprint;   /* hash of type, dims, classes, pixels, labels, mean and std */
} Dataset;

/* Opens one split. format is a name from the table: fmnist, cifar10, npy, synth.
 * Where the files are: dir_or_path when non-NULL; else $QBENCH_DATA when set; else the
 * format's default directory (/usr/share/datasets/fashion-mnist for fmnist; npy and cifar10
 * have none). synth reads nothing.
 *   fmnist:  {train,t10k}-{images-idx3,labels-idx1}-ubyte.gz (gzip'd idx), 1x28x28, 10 classes.
 *   cifar10: data_batch_1..5.bin (train) and test_batch.bin (test), 3073-byte records
 *            (label, then 1024 bytes each of R, G, B), 3x32x32, 10 classes.
 *   npy:     <dir>/{train,test}_x.npy (uint8 or float32; N,C,H,W or N,H,W,C or N,H,W) and
 *            <dir>/{train,test}_y.npy (any integer dtype, shape (N,)).
 *   synth:   a deterministic set from opt->seed: class k is a grating of one orientation
 *            (4 of them) and period, with random phase, contrast and noise.
 * npy and synth compute mean/std from the training split, so opening their test split reads
 * (or generates) the training split too. Errors name the file and what was expected. */
int dataset_open(Dataset *d, const char *format, const char *dir_or_path, DataSplit split,
                 QbErr *err);
/* The same with format options (opt NULL means all defaults). */
int dataset_open_opts(Dataset *d, const char *format, const char *dir_or_path,
                      const DataOptions *opt, DataSplit split, QbErr *err);
void dataset_free(Dataset *d);
/* The formats' names (fmnist, cifar10, npy, synth): the settings table's accepted values. */
extern const NameTable dataset_formats;
/* The format's data set as a reader knows it ("Fashion-MNIST", "CIFAR-10"); NULL for an
 * unknown format. */
const char *dataset_title(const char *format);

/* What a format reads and where, for a message that says which files to put where: the
 * directory dataset_open would read ("" when there is none), each file's name and whether it
 * is missing (unreadable), and a sentence on what the files hold; with the data set's usual
 * size for estimates made before it is read (`nominal` says whose: "CIFAR-10's"). */
#define DATA_FILES_MAX 8
typedef struct {
    char dir[1024];
    const char *dir_source;    /* "given", "$QBENCH_DATA" or "the format's default" */
    const char *files[DATA_FILES_MAX];
    int missing[DATA_FILES_MAX];
    int nfiles;
    const char *expected;
    int nominal_train, nominal_test;
    Dims dims;                 /* the format's sample shape and classes, or the usual ones */
    int classes;
    const char *nominal;
} DataFiles;
int dataset_files(const char *format, const char *dir_or_path, DataFiles *out, QbErr *err);

/* Sample i's value v (offset within the sample) in scaled units, before normalisation. */
static inline float dataset_pixel(const Dataset *d, int i, size_t v)
{
    size_t at = (size_t)i * dims_numel(d->dims) + v;
    return d->u8 ? d->u8[at] * d->scale : d->f32[at] * d->scale;
}

#endif
