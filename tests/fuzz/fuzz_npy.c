/* libFuzzer target: the .npy reader, alone and as the images or labels of an npy data set
 * (layouts, dtypes, label checks). The first byte picks which; the rest is the file. */
#include <stdint.h>
#include <stdio.h>

#include "core/data/dataset.h"
#include "core/data/npy.h"
#include "lib/io.h"

enum { NPY_ALONE, NPY_IMAGES, NPY_LABELS, NPY_MODES };

/* libFuzzer calls this once: images/ gets valid labels and labels/ valid images (two 1x4x4
 * uint8 samples), the partners of the mutated file. */
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    static const uint8_t x[2 * 16] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
    static const int64_t y[2] = {0, 1};
    const int64_t xs[4] = {2, 1, 4, 4}, ys[1] = {2};
    char dir[512], path[600];
    QbErr err = {{0}};
    fuzz_mkdir(dir, sizeof dir, "images");
    snprintf(path, sizeof path, "%s/train_y.npy", dir);
    if (npy_write(path, NPY_I64, 1, ys, y, &err) < 0)
        __builtin_trap();
    fuzz_mkdir(dir, sizeof dir, "labels");
    snprintf(path, sizeof path, "%s/train_x.npy", dir);
    if (npy_write(path, NPY_U8, 4, xs, x, &err) < 0)
        __builtin_trap();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    int mode = data[0] % NPY_MODES;
    char path[512];
    QbErr err = {{0}};
    if (mode == NPY_ALONE) {
        NpyArray a;
        fuzz_write("alone.npy", data + 1, size - 1);
        fuzz_path(path, sizeof path, "alone.npy");
        if (npy_read(path, &a, &err) == 0)
            npy_free(&a);
        return 0;
    }
    fuzz_write(mode == NPY_IMAGES ? "images/train_x.npy" : "labels/train_y.npy", data + 1,
               size - 1);
    fuzz_path(path, sizeof path, mode == NPY_IMAGES ? "images" : "labels");
    Dataset d;
    if (dataset_open(&d, "npy", path, DATA_TRAIN, &err) == 0)
        dataset_free(&d);
    return 0;
}
