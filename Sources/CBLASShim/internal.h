#ifndef CBLAS_SHIM_INTERNAL_H
#define CBLAS_SHIM_INTERNAL_H

#include "CBLASShim.h"
#include <immintrin.h>
#include <stdint.h>

int eagle_cpu_has_avx2_fma(void);

/// Sum of the eight lanes, in a fixed order (kernels rely on it for reproducible results).
__attribute__((target("avx2,fma")))
static inline float eagle_hsum256(__m256 v) {
    __m128 lo = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    lo = _mm_add_ps(lo, _mm_movehl_ps(lo, lo));
    lo = _mm_add_ss(lo, _mm_movehdup_ps(lo));
    return _mm_cvtss_f32(lo);
}

/// exp of 8 floats: 2^n · p(r) with x = n·ln2 + r, |r| ≤ ln2/2 (Cephes expf: Cody–Waite range
/// reduction, degree-6 polynomial, relative error < 2e-7), n rounded with the 1.5·2^23 trick.
__attribute__((target("avx2,fma")))
static inline __m256 eagle_exp256(__m256 x) {
    const __m256 magic = _mm256_set1_ps(12582912.0f);
    x = _mm256_min_ps(_mm256_max_ps(x, _mm256_set1_ps(-87.3f)), _mm256_set1_ps(88.7f));
    __m256 shifted = _mm256_fmadd_ps(x, _mm256_set1_ps(1.44269504f), magic);
    __m256 n = _mm256_sub_ps(shifted, magic);
    __m256 r = _mm256_fnmadd_ps(n, _mm256_set1_ps(0.693359375f), x);
    r = _mm256_fmadd_ps(n, _mm256_set1_ps(2.12194440e-4f), r);
    __m256 p = _mm256_set1_ps(1.9875691e-4f);
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.3981999e-3f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(8.3334521e-3f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(4.1665796e-2f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.6666665e-1f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(5.0000001e-1f));
    p = _mm256_fmadd_ps(_mm256_mul_ps(p, r), r, _mm256_add_ps(r, _mm256_set1_ps(1.0f)));
    __m256i scale = _mm256_slli_epi32(_mm256_add_epi32(_mm256_sub_epi32(_mm256_castps_si256(shifted),
                                                                         _mm256_castps_si256(magic)),
                                                        _mm256_set1_epi32(127)), 23);
    return _mm256_mul_ps(p, _mm256_castsi256_ps(scale));
}

/// `x[i] = exp(x[i] − shift)` in place, returning Σ x[i] (softmax numerators and their sum).
float eagle_exponentiate_avx2(float *x, int count, float shift);

/// The operands of `y[rows, out] (+)= x[rows, in] · w[out, in]ᵀ`, handed to pool workers.
typedef struct {
    const float *x;
    const void *w;
    eagle_weight_type type;
    float *y;
    int rows, in, out, accumulate;
} eagle_product;

/// A bfloat16 value widened to float32 (exact: bfloat16 is the high half of a float32).
static inline float eagle_bf16_to_f32(uint16_t bits) {
    union { uint32_t u; float f; } v = {(uint32_t)bits << 16};
    return v.f;
}

/// Whether a weight stores bfloat16 elements / uses the packed layout.
static inline int eagle_weight_is_bf16(eagle_weight_type type) { return type & 1; }
static inline int eagle_weight_is_packed(eagle_weight_type type) { return (type & 2) != 0; }

/// Packed weights (weight_layout.c): rows interleaved in pairs, runs of eight columns.
#define EAGLE_PACK_ROWS 2
#define EAGLE_PACK_COLUMNS 8

/// Index of element (`row`, `column`) of a packed weight of `in` columns, counted from any
/// pair-aligned row, for `column` a multiple of EAGLE_PACK_COLUMNS (a run's first element).
static inline size_t eagle_packed_index(int row, int column, int in) {
    return (size_t)(row - row % EAGLE_PACK_ROWS) * in + (size_t)EAGLE_PACK_ROWS * column
         + (size_t)EAGLE_PACK_COLUMNS * (row % EAGLE_PACK_ROWS);
}

void eagle_pool_set_threads(int threads);

int eagle_skinny_supported(int rows, int in);
void eagle_skinny_gemm(const float *x, const void *w, eagle_weight_type type, float *y,
                       int rows, int in, int out, int accumulate);

#endif
