#include "threads.h"

#include <cblas.h>
#include <omp.h>

static int g_threads = 1;

void threads_set(int n)
{
    g_threads = n < 1 ? 1 : n;
    /* a fixed team size: the nets' per-thread workspaces and reductions depend on it */
    omp_set_dynamic(0);
    omp_set_num_threads(g_threads);
    openblas_set_num_threads(1);
}

int threads_get(void) { return g_threads; }

void threads_blas(int n) { openblas_set_num_threads(n < 1 ? 1 : n); }

const char *threads_blas_core(void) { return openblas_get_corename(); }
