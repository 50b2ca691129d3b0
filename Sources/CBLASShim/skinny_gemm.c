// Skinny GEMM for "few tokens × one weight": y[r, o] (+)= Σ_i x[r, i] · w[o, i] for
// rows r < 16. Each block of weight rows (four for groups of one or two activation rows,
// two for larger groups of up to six) is loaded once per group of activation rows (held in
// L1), so the weight streams from memory once and the multiply-adds of all rows overlap with
// that stream; the cost stays close to one GEMV whatever the row count (OpenBLAS sgemm packs
// the whole weight for small m, costing 3-5x a GEMV). Four weight rows give a lone
// activation row four independent FMA chains: a decode-shaped sweep ran about 8 % faster than with two.
//
// Every (row, output) dot product is one 8-wide FMA chain over `in` followed by the same
// horizontal sum, whatever the row count or grouping: a row's result is bit-identical
// whether it is computed alone (decode) or with others (verify).
#include "CBLASShim.h"
#include "internal.h"
#include <immintrin.h>

#define OUT_BLOCK 4
#define ROW_GROUP 6

// Two weight rows against `n` (≤ 6) activation rows; `in` must be a multiple of 8.
// Inlined with a constant `n` so the accumulators live in registers (12 + 3 of 16).
__attribute__((target("avx2,fma"), always_inline))
static inline void block_2xn(const float *x, const float *w, int in, int out, float *y, int accumulate, const int n) {
    __m256 acc0[ROW_GROUP], acc1[ROW_GROUP];
    for (int r = 0; r < n; r++) { acc0[r] = _mm256_setzero_ps(); acc1[r] = _mm256_setzero_ps(); }
    const float *w0 = w, *w1 = w + in;
    for (int i = 0; i < in; i += 8) {
        if ((i & 15) == 0) {   // fetch the next pair of weight rows while computing this one
            _mm_prefetch((const char *)(w0 + 2 * in + i), _MM_HINT_T0);
            _mm_prefetch((const char *)(w1 + 2 * in + i), _MM_HINT_T0);
        }
        __m256 b0 = _mm256_loadu_ps(w0 + i), b1 = _mm256_loadu_ps(w1 + i);
        for (int r = 0; r < n; r++) {
            __m256 v = _mm256_loadu_ps(x + (size_t)r * in + i);
            acc0[r] = _mm256_fmadd_ps(v, b0, acc0[r]);
            acc1[r] = _mm256_fmadd_ps(v, b1, acc1[r]);
        }
    }
    for (int r = 0; r < n; r++) {
        float s0 = eagle_hsum256(acc0[r]), s1 = eagle_hsum256(acc1[r]);
        float *yr = y + (size_t)r * out;
        yr[0] = accumulate ? yr[0] + s0 : s0;
        yr[1] = accumulate ? yr[1] + s1 : s1;
    }
}

__attribute__((target("avx2,fma")))
static void block_2x(const float *x, const float *w, int in, int out, float *y, int accumulate, int n) {
    switch (n) {
    case 1: block_2xn(x, w, in, out, y, accumulate, 1); break;
    case 2: block_2xn(x, w, in, out, y, accumulate, 2); break;
    case 3: block_2xn(x, w, in, out, y, accumulate, 3); break;
    case 4: block_2xn(x, w, in, out, y, accumulate, 4); break;
    case 5: block_2xn(x, w, in, out, y, accumulate, 5); break;
    default: block_2xn(x, w, in, out, y, accumulate, 6); break;
    }
}

// Four weight rows against `n` (≤ 2) activation rows: the same per-(row, output) FMA chain
// and horizontal sum as `block_2xn`, so results do not depend on which block computed them.
__attribute__((target("avx2,fma"), always_inline))
static inline void block_4xn(const float *x, const float *w, int in, int out, float *y, int accumulate, const int n) {
    __m256 acc[2][4];
    for (int r = 0; r < n; r++)
        for (int c = 0; c < 4; c++) acc[r][c] = _mm256_setzero_ps();
    for (int i = 0; i < in; i += 8) {
        if ((i & 15) == 0) {   // fetch the next four weight rows while computing these
            for (int c = 0; c < 4; c++) _mm_prefetch((const char *)(w + (size_t)(4 + c) * in + i), _MM_HINT_T0);
        }
        __m256 b[4];
        for (int c = 0; c < 4; c++) b[c] = _mm256_loadu_ps(w + (size_t)c * in + i);
        for (int r = 0; r < n; r++) {
            __m256 v = _mm256_loadu_ps(x + (size_t)r * in + i);
            for (int c = 0; c < 4; c++) acc[r][c] = _mm256_fmadd_ps(v, b[c], acc[r][c]);
        }
    }
    for (int r = 0; r < n; r++) {
        float *yr = y + (size_t)r * out;
        for (int c = 0; c < 4; c++) {
            float s = eagle_hsum256(acc[r][c]);
            yr[c] = accumulate ? yr[c] + s : s;
        }
    }
}

__attribute__((target("avx2,fma")))
static void block_4x(const float *x, const float *w, int in, int out, float *y, int accumulate, int n) {
    if (n == 1) block_4xn(x, w, in, out, y, accumulate, 1);
    else block_4xn(x, w, in, out, y, accumulate, 2);
}

// Scalar tail for an output row not in a pair (the same for every row count).
static void row_dot(const float *x, const float *w, int in, float *y, int accumulate) {
    float s = 0;
    for (int i = 0; i < in; i++) s += x[i] * w[i];
    *y = accumulate ? *y + s : s;
}

static void skinny_range(void *p, int begin, int end, int part) {
    (void)part;
    const eagle_product *a = p;
    int o = begin;
    for (; o + OUT_BLOCK <= end; o += OUT_BLOCK) {
        const float *w = a->w + (size_t)o * a->in;
        for (int r = 0; r < a->rows; r += ROW_GROUP) {
            int n = a->rows - r < ROW_GROUP ? a->rows - r : ROW_GROUP;
            const float *x = a->x + (size_t)r * a->in;
            float *y = a->y + (size_t)r * a->out + o;
            if (n <= 2) block_4x(x, w, a->in, a->out, y, a->accumulate, n);
            else {
                block_2x(x, w, a->in, a->out, y, a->accumulate, n);
                block_2x(x, w + 2 * (size_t)a->in, a->in, a->out, y + 2, a->accumulate, n);
            }
        }
    }
    for (; o + 2 <= end; o += 2) {
        for (int r = 0; r < a->rows; r += ROW_GROUP) {
            int n = a->rows - r < ROW_GROUP ? a->rows - r : ROW_GROUP;
            block_2x(a->x + (size_t)r * a->in, a->w + (size_t)o * a->in, a->in, a->out,
                     a->y + (size_t)r * a->out + o, a->accumulate, n);
        }
    }
    for (; o < end; o++) {
        for (int r = 0; r < a->rows; r++) {
            row_dot(a->x + (size_t)r * a->in, a->w + (size_t)o * a->in, a->in,
                    a->y + (size_t)r * a->out + o, a->accumulate);
        }
    }
}

int eagle_skinny_supported(int rows, int in) {
    return rows >= 1 && in % 8 == 0 && eagle_cpu_has_avx2_fma();
}

void eagle_skinny_gemm(const float *x, const float *w, float *y, int rows, int in, int out, int accumulate) {
    eagle_product args = {x, w, y, rows, in, out, accumulate};
    eagle_parallel_for_balanced(skinny_range, &args, out, OUT_BLOCK * 4);
}
