/* Data-test fixtures: a temporary directory per test and files in the real formats (gzip'd
 * idx, CIFAR binary records), built as byte blobs so a test can damage them first. */
#ifndef QB_TEST_DATA_FIXTURES_H
#define QB_TEST_DATA_FIXTURES_H

#include <stddef.h>

#include "core/data/dataset.h"
#include "tests/support/idxw.h"

typedef struct {
    unsigned char *p;
    size_t n;
} Blob;

/* The temporary directory of the running test (made by fx_setup, removed by fx_teardown). */
extern char fx_dir[256];
void fx_setup(void);
void fx_teardown(void);
/* fx_dir + "/" + name */
void fx_path(char *out, size_t cap, const char *name);

/* Pixel p of sample i in every fixture; label i % classes. */
static inline unsigned char fx_pixel(int i, int p) { return (unsigned char)(i * 31 + p * 7); }

Blob blob_idx_images(int n, int rows, int cols);
Blob blob_idx_labels(int n);
/* n CIFAR records starting at sample `first`. */
Blob blob_cifar(int first, int n);
void blob_free(Blob *b);

void fx_write(const char *name, const void *data, size_t n);
void fx_write_gz(const char *name, Blob b);

/* The four Fashion-MNIST files with ntrain and ntest 28x28 samples. */
void fx_fmnist(int ntrain, int ntest);
/* data_batch_1..5.bin holding per_file[0..4] records and test_batch.bin with ntest. */
void fx_cifar(const int *per_file, int ntest);

/* A float dataset whose sample i is filled with the value i (labels i % classes, mean 0,
 * std 1), to trace where samples go. */
void fx_dataset_index(Dataset *d, int count, Dims dims, int classes);

#endif
