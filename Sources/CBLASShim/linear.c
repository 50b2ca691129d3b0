#include "CBLASShim.h"
#include "internal.h"
#include <cblas.h>

void eagle_linear_openblas(const float *x, const float *w, float *y,
                           int rows, int in, int out, int accumulate) {
    const float beta = accumulate ? 1.0f : 0.0f;
    if (rows == 1) {
        cblas_sgemv(CblasRowMajor, CblasNoTrans, out, in, 1.0f, w, in, x, 1, beta, y, 1);
    } else {
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, rows, out, in,
                    1.0f, x, in, w, in, beta, y, out);
    }
}

int eagle_linear_skinny(const float *x, const float *w, float *y,
                        int rows, int in, int out, int accumulate) {
    if (!eagle_skinny_supported(rows, in)) return 0;
    eagle_skinny_gemm(x, w, y, rows, in, out, accumulate);
    return 1;
}

void eagle_linear(const float *x, const float *w, float *y,
                  int rows, int in, int out, int accumulate) {
    if (rows <= EAGLE_SKINNY_MAX_ROWS && eagle_linear_skinny(x, w, y, rows, in, out, accumulate)) return;
    eagle_linear_openblas(x, w, y, rows, in, out, accumulate);
}

void eagle_sgemm(const float *a, const float *b, float *c, int m, int n, int k,
                 int transB, float alpha, float beta) {
    cblas_sgemm(CblasRowMajor, CblasNoTrans, transB ? CblasTrans : CblasNoTrans, m, n, k,
                alpha, a, k, b, transB ? k : n, beta, c, n);
}

void eagle_blas_set_threads(int threads) {
    openblas_set_num_threads(threads);
    eagle_pool_set_threads(threads);
}

int eagle_blas_threads(void) { return openblas_get_num_threads(); }
