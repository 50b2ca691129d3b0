#ifndef CBLAS_SHIM_INTERNAL_H
#define CBLAS_SHIM_INTERNAL_H


int eagle_cpu_has_avx2_fma(void);

/// The operands of `y[rows, out] (+)= x[rows, in] · w[out, in]ᵀ`, handed to pool workers.
typedef struct {
    const float *x, *w;
    float *y;
    int rows, in, out, accumulate;
} eagle_product;


void eagle_pool_set_threads(int threads);

int eagle_skinny_supported(int rows, int in);
void eagle_skinny_gemm(const float *x, const float *w, float *y, int rows, int in, int out, int accumulate);

#endif
