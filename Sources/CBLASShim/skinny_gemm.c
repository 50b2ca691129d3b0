// Skinny GEMM for "few tokens × one weight": y[r, o] (+)= Σ_i x[r, i] · w[o, i] for
// rows r < 16. Each weight row is streamed from memory once and multiplied with every
// activation row held in cache, so the cost stays close to one GEMV whatever the row count
// (OpenBLAS sgemm packs the whole weight for small m, costing 3-5x a GEMV).
#include "internal.h"
#include <immintrin.h>

#define OUT_BLOCK 4

__attribute__((target("avx2,fma")))
static inline float hsum256(__m256 v) {
    __m128 lo = _mm256_castps256_ps128(v), hi = _mm256_extractf128_ps(v, 1);
    lo = _mm_add_ps(lo, hi);
    lo = _mm_add_ps(lo, _mm_movehl_ps(lo, lo));
    lo = _mm_add_ss(lo, _mm_movehdup_ps(lo));
    return _mm_cvtss_f32(lo);
}

// Four weight rows against one or two activation rows; `in` must be a multiple of 8.
__attribute__((target("avx2,fma")))
static void block_4x2(const float *x0, const float *x1, const float *w, int in,
                      float *y0, float *y1, int accumulate) {
    __m256 a00 = _mm256_setzero_ps(), a01 = _mm256_setzero_ps(), a02 = _mm256_setzero_ps(), a03 = _mm256_setzero_ps();
    __m256 a10 = _mm256_setzero_ps(), a11 = _mm256_setzero_ps(), a12 = _mm256_setzero_ps(), a13 = _mm256_setzero_ps();
    const float *w0 = w, *w1 = w + in, *w2 = w + 2 * in, *w3 = w + 3 * in;
    for (int i = 0; i < in; i += 8) {
        __m256 v0 = _mm256_loadu_ps(x0 + i), v1 = _mm256_loadu_ps(x1 + i);
        __m256 b0 = _mm256_loadu_ps(w0 + i), b1 = _mm256_loadu_ps(w1 + i);
        __m256 b2 = _mm256_loadu_ps(w2 + i), b3 = _mm256_loadu_ps(w3 + i);
        a00 = _mm256_fmadd_ps(v0, b0, a00); a01 = _mm256_fmadd_ps(v0, b1, a01);
        a02 = _mm256_fmadd_ps(v0, b2, a02); a03 = _mm256_fmadd_ps(v0, b3, a03);
        a10 = _mm256_fmadd_ps(v1, b0, a10); a11 = _mm256_fmadd_ps(v1, b1, a11);
        a12 = _mm256_fmadd_ps(v1, b2, a12); a13 = _mm256_fmadd_ps(v1, b3, a13);
    }
    float r0[4] = {hsum256(a00), hsum256(a01), hsum256(a02), hsum256(a03)};
    float r1[4] = {hsum256(a10), hsum256(a11), hsum256(a12), hsum256(a13)};
    for (int j = 0; j < 4; j++) {
        y0[j] = accumulate ? y0[j] + r0[j] : r0[j];
        y1[j] = accumulate ? y1[j] + r1[j] : r1[j];
    }
}

// Four weight rows against one activation row (the odd row of an odd row count).
__attribute__((target("avx2,fma")))
static void block_4x1(const float *x, const float *w, int in, float *y, int accumulate) {
    __m256 a0 = _mm256_setzero_ps(), a1 = _mm256_setzero_ps(), a2 = _mm256_setzero_ps(), a3 = _mm256_setzero_ps();
    const float *w0 = w, *w1 = w + in, *w2 = w + 2 * in, *w3 = w + 3 * in;
    for (int i = 0; i < in; i += 8) {
        __m256 v = _mm256_loadu_ps(x + i);
        a0 = _mm256_fmadd_ps(v, _mm256_loadu_ps(w0 + i), a0);
        a1 = _mm256_fmadd_ps(v, _mm256_loadu_ps(w1 + i), a1);
        a2 = _mm256_fmadd_ps(v, _mm256_loadu_ps(w2 + i), a2);
        a3 = _mm256_fmadd_ps(v, _mm256_loadu_ps(w3 + i), a3);
    }
    float r[4] = {hsum256(a0), hsum256(a1), hsum256(a2), hsum256(a3)};
    for (int j = 0; j < 4; j++) y[j] = accumulate ? y[j] + r[j] : r[j];
}

// Scalar tail for output rows not in a block of four (and any `in`).
static void row_dot(const float *x, const float *w, int in, float *y, int accumulate) {
    float s = 0;
    for (int i = 0; i < in; i++) s += x[i] * w[i];
    *y = accumulate ? *y + s : s;
}

typedef struct {
    const float *x, *w;
    float *y;
    int rows, in, out, accumulate;
} skinny_args;

static void skinny_range(void *p, int begin, int end) {
    const skinny_args *a = p;
    int o = begin;
    for (; o + OUT_BLOCK <= end; o += OUT_BLOCK) {
        const float *w = a->w + (size_t)o * a->in;
        int r = 0;
        for (; r + 2 <= a->rows; r += 2) {
            const float *x0 = a->x + (size_t)r * a->in;
            float *y0 = a->y + (size_t)r * a->out + o;
            block_4x2(x0, x0 + a->in, w, a->in, y0, y0 + a->out, a->accumulate);
        }
        if (r < a->rows) block_4x1(a->x + (size_t)r * a->in, w, a->in, a->y + (size_t)r * a->out + o, a->accumulate);
    }
    for (; o < end; o++) {
        for (int r = 0; r < a->rows; r++) {
            row_dot(a->x + (size_t)r * a->in, a->w + (size_t)o * a->in, a->in,
                    a->y + (size_t)r * a->out + o, a->accumulate);
        }
    }
}

int eagle_skinny_supported(int rows, int in) {
    return rows >= 1 && rows <= EAGLE_SKINNY_MAX_ROWS && in % 8 == 0 && eagle_cpu_has_avx2_fma();
}

void eagle_skinny_gemm(const float *x, const float *w, float *y, int rows, int in, int out, int accumulate) {
    skinny_args args = {x, w, y, rows, in, out, accumulate};
    eagle_parallel_for(skinny_range, &args, out, OUT_BLOCK);
}
