/* One thread setting for the whole process: the core's OpenMP loops use it, and OpenBLAS is
 * pinned to one thread so that every GEMM runs inside those loops (per image, per thread),
 * which keeps column buffers in cache and reductions in a fixed order (determinism). A net's
 * forward and backward passes set it to the count the net was allocated for (net_alloc), so
 * callers that train or evaluate a net need not call threads_set themselves. */
#ifndef QB_THREADS_H
#define QB_THREADS_H

void threads_set(int n);
int threads_get(void);
/* Lets OpenBLAS itself use n threads for one large call (the sgemm peak benchmark). */
void threads_blas(int n);
/* The OpenBLAS kernel family in use ("Haswell", "SkylakeX", ...). */
const char *threads_blas_core(void);

/* The static partition of [0, n) for thread t of T: contiguous and fixed, so per-thread
 * partial sums combine in the same order every run. */
static inline void threads_range(int n, int t, int T, int *lo, int *hi)
{
    *lo = (int)((long)n * t / T);
    *hi = (int)((long)n * (t + 1) / T);
}

#endif
