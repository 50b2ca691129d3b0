#ifndef CBLAS_SHIM_H
#define CBLAS_SHIM_H

#ifdef __cplusplus
extern "C" {
#endif

/// The one matmul entry point of the engine ("linear layer", PyTorch weight layout):
///
///     y[rows, out] = x[rows, in] · W[out, in]ᵀ        (accumulate == 0)
///     y[rows, out] += x[rows, in] · W[out, in]ᵀ       (accumulate != 0)
///
/// All matrices are dense row-major float32. The shim picks the kernel (GEMV for one
/// row, GEMM otherwise) so that callers never choose.
void eagle_linear(const float *x, const float *w, float *y,
                  int rows, int in, int out, int accumulate);

/// The same product computed by OpenBLAS alone (sgemv for one row, sgemm otherwise).
void eagle_linear_openblas(const float *x, const float *w, float *y,
                           int rows, int in, int out, int accumulate);

/// The same product computed by the shim's skinny kernel (rows 1…16, `in` a multiple of 8,
/// AVX2+FMA). Returns 0 without computing when the shape or CPU is not supported.
int eagle_linear_skinny(const float *x, const float *w, float *y,
                        int rows, int in, int out, int accumulate);

/// General row-major GEMM passthrough: C[m,n] = alpha·A[m,k]·op(B) + beta·C, with
/// op(B) = Bᵀ (B is [n,k]) when transB != 0, else B ([k,n]).
void eagle_sgemm(const float *a, const float *b, float *c, int m, int n, int k,
                 int transB, float alpha, float beta);

/// Runs `body(context, begin, end, part)` over `[0, count)` split into contiguous ranges
/// across the shim's persistent worker threads (the caller runs part 0); range boundaries
/// are multiples of `grain`; `part` < `eagle_parallel_parts()` identifies the share.
void eagle_parallel_for(void (*body)(void *, int, int, int), void *context, int count, int grain);

/// The number of shares `eagle_parallel_for` splits work into.
int eagle_parallel_parts(void);

/// Sets the number of threads of OpenBLAS and of the shim's own persistent pool.
void eagle_blas_set_threads(int threads);

/// The number of BLAS threads in use.
int eagle_blas_threads(void);

#ifdef __cplusplus
}
#endif

#endif
