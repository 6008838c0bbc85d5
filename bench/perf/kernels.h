/* `qbench bench --kernels`: the direct 3x3 kernels alone (bench/core/kernels/dconv.h), on the
 * stage shapes of ResNet-20 at 3x32x32 and 1x28x28 inputs, one thread: forward, weight
 * gradient and data gradient in GFLOP/s, each the best of its repetitions over a chunk of
 * images. What a change to a kernel buys, without the rest of the step around it. */
#ifndef QB_PERF_KERNELS_H
#define QB_PERF_KERNELS_H

/* Prints one line per shape (or a line saying the build has no direct kernels). */
void bench_kernels(int reps);

#endif
