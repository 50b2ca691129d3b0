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
//
// Weights are float32 or bfloat16. A bfloat16 weight is the high half of a float32, so the
// kernel widens it exactly (a 16-bit shift) and runs the same FMA chain: the result is bit
// for bit the one float32 storage of the same values gives, from half the bytes.
#include "CBLASShim.h"
#include "internal.h"
#include <immintrin.h>

#define OUT_BLOCK 4
#define ROW_GROUP 6

// Eight weights starting at element `i` of `w`, widened to float32 when `bf16`.
__attribute__((target("avx2,fma"), always_inline))
static inline __m256 load8(const void *w, int i, const int bf16) {
    if (bf16) {
        __m128i half = _mm_loadu_si128((const __m128i *)((const uint16_t *)w + i));
        return _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_cvtepu16_epi32(half), 16));
    }
    return _mm256_loadu_ps((const float *)w + i);
}

// Element `i` of `w` (may be past the row: `in` elements per row).
static inline const char *element(const void *w, size_t i, const int bf16) {
    return (const char *)w + i * (bf16 ? 2 : 4);
}

// Whether element `i` starts a 64-byte line of weights (prefetch once per line).
static inline int line_start(int i, const int bf16) { return (i & (bf16 ? 31 : 15)) == 0; }

// Two weight rows against `n` (≤ 6) activation rows; `in` must be a multiple of 8.
// Inlined with a constant `n` so the accumulators live in registers (12 + 3 of 16).
__attribute__((target("avx2,fma"), always_inline))
static inline void block_2xn(const float *x, const void *w, int in, int out, float *y, int accumulate,
                             const int n, const int bf16) {
    __m256 acc0[ROW_GROUP], acc1[ROW_GROUP];
    for (int r = 0; r < n; r++) { acc0[r] = _mm256_setzero_ps(); acc1[r] = _mm256_setzero_ps(); }
    const void *w0 = w, *w1 = element(w, in, bf16);
    for (int i = 0; i < in; i += 8) {
        if (line_start(i, bf16)) {   // fetch the next pair of weight rows while computing this one
            _mm_prefetch(element(w0, 2 * (size_t)in + i, bf16), _MM_HINT_T0);
            _mm_prefetch(element(w1, 2 * (size_t)in + i, bf16), _MM_HINT_T0);
        }
        __m256 b0 = load8(w0, i, bf16), b1 = load8(w1, i, bf16);
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

__attribute__((target("avx2,fma"), always_inline))
static inline void block_2x_typed(const float *x, const void *w, int in, int out, float *y, int accumulate,
                                  int n, const int bf16) {
    switch (n) {
    case 1: block_2xn(x, w, in, out, y, accumulate, 1, bf16); break;
    case 2: block_2xn(x, w, in, out, y, accumulate, 2, bf16); break;
    case 3: block_2xn(x, w, in, out, y, accumulate, 3, bf16); break;
    case 4: block_2xn(x, w, in, out, y, accumulate, 4, bf16); break;
    case 5: block_2xn(x, w, in, out, y, accumulate, 5, bf16); break;
    default: block_2xn(x, w, in, out, y, accumulate, 6, bf16); break;
    }
}

__attribute__((target("avx2,fma")))
static void block_2x(const float *x, const void *w, int in, int out, float *y, int accumulate, int n, int bf16) {
    if (bf16) block_2x_typed(x, w, in, out, y, accumulate, n, 1);
    else block_2x_typed(x, w, in, out, y, accumulate, n, 0);
}

// Four weight rows against `n` (≤ 2) activation rows: the same per-(row, output) FMA chain
// and horizontal sum as `block_2xn`, so results do not depend on which block computed them.
__attribute__((target("avx2,fma"), always_inline))
static inline void block_4xn(const float *x, const void *w, int in, int out, float *y, int accumulate,
                             const int n, const int bf16) {
    __m256 acc[2][4];
    for (int r = 0; r < n; r++)
        for (int c = 0; c < 4; c++) acc[r][c] = _mm256_setzero_ps();
    for (int i = 0; i < in; i += 8) {
        if (line_start(i, bf16)) {   // fetch the next four weight rows while computing these
            for (int c = 0; c < 4; c++) _mm_prefetch(element(w, (size_t)(4 + c) * in + i, bf16), _MM_HINT_T0);
        }
        __m256 b[4];
        for (int c = 0; c < 4; c++) b[c] = load8(element(w, (size_t)c * in, bf16), i, bf16);
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
static void block_4x(const float *x, const void *w, int in, int out, float *y, int accumulate, int n, int bf16) {
    if (bf16) {
        if (n == 1) block_4xn(x, w, in, out, y, accumulate, 1, 1);
        else block_4xn(x, w, in, out, y, accumulate, 2, 1);
    } else {
        if (n == 1) block_4xn(x, w, in, out, y, accumulate, 1, 0);
        else block_4xn(x, w, in, out, y, accumulate, 2, 0);
    }
}

// Scalar tail for an output row not in a pair (the same for every row count).
static void row_dot(const float *x, const void *w, int in, float *y, int accumulate, int bf16) {
    float s = 0;
    for (int i = 0; i < in; i++) s += x[i] * (bf16 ? eagle_bf16_to_f32(((const uint16_t *)w)[i]) : ((const float *)w)[i]);
    *y = accumulate ? *y + s : s;
}

static void skinny_range(void *p, int begin, int end, int part) {
    (void)part;
    const eagle_product *a = p;
    const int bf16 = a->type == EAGLE_WEIGHT_BF16;
    int o = begin;
    for (; o + OUT_BLOCK <= end; o += OUT_BLOCK) {
        const void *w = element(a->w, (size_t)o * a->in, bf16);
        for (int r = 0; r < a->rows; r += ROW_GROUP) {
            int n = a->rows - r < ROW_GROUP ? a->rows - r : ROW_GROUP;
            const float *x = a->x + (size_t)r * a->in;
            float *y = a->y + (size_t)r * a->out + o;
            if (n <= 2) block_4x(x, w, a->in, a->out, y, a->accumulate, n, bf16);
            else {
                block_2x(x, w, a->in, a->out, y, a->accumulate, n, bf16);
                block_2x(x, element(w, 2 * (size_t)a->in, bf16), a->in, a->out, y + 2, a->accumulate, n, bf16);
            }
        }
    }
    for (; o + 2 <= end; o += 2) {
        for (int r = 0; r < a->rows; r += ROW_GROUP) {
            int n = a->rows - r < ROW_GROUP ? a->rows - r : ROW_GROUP;
            block_2x(a->x + (size_t)r * a->in, element(a->w, (size_t)o * a->in, bf16), a->in, a->out,
                     a->y + (size_t)r * a->out + o, a->accumulate, n, bf16);
        }
    }
    for (; o < end; o++) {
        for (int r = 0; r < a->rows; r++) {
            row_dot(a->x + (size_t)r * a->in, element(a->w, (size_t)o * a->in, bf16), a->in,
                    a->y + (size_t)r * a->out + o, a->accumulate, bf16);
        }
    }
}

int eagle_skinny_supported(int rows, int in) {
    return rows >= 1 && in % 8 == 0 && eagle_cpu_has_avx2_fma();
}

void eagle_skinny_gemm(const float *x, const void *w, eagle_weight_type type, float *y,
                       int rows, int in, int out, int accumulate) {
    eagle_product args = {x, w, type, y, rows, in, out, accumulate};
    eagle_parallel_for_balanced(skinny_range, &args, out, OUT_BLOCK * 4);
}
