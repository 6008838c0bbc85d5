/* NumPy .npy files (format v1.0, v2.0 and v3.0; little-endian, C order only): a whole array
 * read into memory, or written atomically (temp file + fsync + rename). */
#ifndef QB_NPY_H
#define QB_NPY_H

#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

#define NPY_MAX_DIMS 8

typedef enum { NPY_U8, NPY_I8, NPY_I16, NPY_I32, NPY_I64, NPY_F32, NPY_F64 } NpyType;

typedef struct {
    NpyType type;
    int ndim;                      /* 0 for a scalar */
    int64_t shape[NPY_MAX_DIMS];
    size_t count;                  /* product of shape */
    void *data;                    /* malloc'd, count * npy_type_size(type) bytes */
} NpyArray;

/* Reads the whole file. Errors name the path and, for a bad header or a size that does not
 * match the header's shape, what was expected and what was found. */
int npy_read(const char *path, NpyArray *a, QbErr *err);
/* Writes format version 1.0 (a header of at most NPY_MAX_DIMS dimensions always fits). */
int npy_write(const char *path, NpyType type, int ndim, const int64_t *shape, const void *data,
              QbErr *err);
void npy_free(NpyArray *a);

size_t npy_type_size(NpyType t);
/* NumPy's name for the dtype ("float32"). */
const char *npy_type_name(NpyType t);
int npy_type_is_int(NpyType t);
/* Python's tuple syntax, as the header wants it: "()", "(3,)", "(2, 3)". */
void npy_shape_text(char *buf, size_t cap, int ndim, const int64_t *shape);
/* Element i of an integer array, widened. */
int64_t npy_int_at(const NpyArray *a, size_t i);

#endif
