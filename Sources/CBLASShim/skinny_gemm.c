// Skinny GEMM for "few tokens × one weight": y[r, o] (+)= Σ_i x[r, i] · w[o, i] for
// rows r < 16. Each block of weight rows is loaded once per group of up to six activation
// rows (held in L1), so the weight streams from memory once and the multiply-adds of all rows
// overlap with that stream; the cost stays close to one GEMV whatever the row count (OpenBLAS
// sgemm packs the whole weight for small m, costing 3-5x a GEMV).
//
// Every (row, output) dot product is one 8-wide FMA chain over `in` followed by the same
// horizontal sum, whatever the row count, grouping or weight layout: a row's result is
// bit-identical whether it is computed alone (decode) or with others (verify).
//
// Weights are float32 or bfloat16. A bfloat16 weight is the high half of a float32, so the
// kernel widens it exactly (a 16-bit shift) and runs the same FMA chain: the result is bit
// for bit the one float32 storage of the same values gives, from half the bytes.
//
// Layouts: row-major, or packed (weight_layout.c): rows interleaved in pairs, eight columns
// at a time, so each pair of rows is one sequential stream, which the kernel fetches into L2
// PACKED_PREFETCH_BYTES ahead. Models use packed weights; row-major serves the plain API.
#include "CBLASShim.h"
#include "internal.h"
#include <immintrin.h>

#define OUT_BLOCK 4
#define ROW_GROUP EAGLE_SKINNY_ROW_GROUP
// How far ahead a packed stream is fetched, into L2 (a T0 fetch this far ahead would be
// evicted from L1 by up to six activation rows before use). Far enough to cover the memory
// latency while six rows' multiply-adds keep the core busy: in a matmul-only sweep of SmolLM2's
// weights (C harness, not in the repo, variants interleaved in one process) 1 to 6 rows then
// cost the same, where a 1 KB fetch into L1 had 5 rows at 1.3-1.4x one row, and one row read
// 25-35 % faster than without software prefetch (four rows per block, two streams).
#define PACKED_PREFETCH_BYTES 8192

// Eight weights at `p`, widened to float32 when `bf16`.
__attribute__((target("avx2,fma"), always_inline))
static inline __m256 load8(const char *p, const int bf16) {
    if (bf16) {
        __m128i half = _mm_loadu_si128((const __m128i *)p);
        return _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_cvtepu16_epi32(half), 16));
    }
    return _mm256_loadu_ps((const float *)p);
}

// Element `i` of `w` (may be past the row: `in` elements per row).
static inline const char *element(const void *w, size_t i, const int bf16) {
    return (const char *)w + i * (bf16 ? 2 : 4);
}

// Column `i` (a multiple of 8) of row `c` of the block of rows at `w`.
static inline const char *block_element(const void *w, int c, int i, int in, const int bf16, const int packed) {
    return element(w, packed ? eagle_packed_index(c, i, in) : (size_t)c * in + i, bf16);
}

// Whether column `i` starts a 64-byte line of a row (row-major) or of a pair's stream (packed):
// prefetch once per line.
static inline int line_start(int i, const int bf16, const int packed) {
    const int per_line = (bf16 ? 32 : 16) / (packed ? EAGLE_PACK_ROWS : 1);
    return i % per_line == 0;
}

// Rows `c0` and `c0 + 1` of the block at `w` against `n` (≤ 6) activation rows; `in` must be
// a multiple of 8. Inlined with a constant `n` so the accumulators live in registers
// (12 + 3 of 16). Fetches ahead while computing: row-major, rows `c0 + 2` and `c0 + 3`; packed,
// PACKED_PREFETCH_BYTES further along the pair's stream, into L2.
__attribute__((target("avx2,fma"), always_inline))
static inline void block_2xn(const float *x, const void *w, int c0, int in, int out, float *y, int accumulate,
                             const int n, const int bf16, const int packed) {
    __m256 acc0[ROW_GROUP], acc1[ROW_GROUP];
    for (int r = 0; r < n; r++) { acc0[r] = _mm256_setzero_ps(); acc1[r] = _mm256_setzero_ps(); }
    for (int i = 0; i < in; i += 8) {
        if (line_start(i, bf16, packed)) {
            if (packed) {
                _mm_prefetch(block_element(w, c0, i, in, bf16, 1) + PACKED_PREFETCH_BYTES, _MM_HINT_T1);
            } else {
                _mm_prefetch(block_element(w, c0 + 2, i, in, bf16, 0), _MM_HINT_T0);
                _mm_prefetch(block_element(w, c0 + 3, i, in, bf16, 0), _MM_HINT_T0);
            }
        }
        __m256 b0 = load8(block_element(w, c0, i, in, bf16, packed), bf16);
        __m256 b1 = load8(block_element(w, c0 + 1, i, in, bf16, packed), bf16);
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
static inline void block_2x_typed(const float *x, const void *w, int c0, int in, int out, float *y, int accumulate,
                                  int n, const int bf16, const int packed) {
    switch (n) {
    case 1: block_2xn(x, w, c0, in, out, y, accumulate, 1, bf16, packed); break;
    case 2: block_2xn(x, w, c0, in, out, y, accumulate, 2, bf16, packed); break;
    case 3: block_2xn(x, w, c0, in, out, y, accumulate, 3, bf16, packed); break;
    case 4: block_2xn(x, w, c0, in, out, y, accumulate, 4, bf16, packed); break;
    case 5: block_2xn(x, w, c0, in, out, y, accumulate, 5, bf16, packed); break;
    default: block_2xn(x, w, c0, in, out, y, accumulate, 6, bf16, packed); break;
    }
}

__attribute__((target("avx2,fma")))
static void block_2x(const float *x, const void *w, int c0, int in, int out, float *y, int accumulate, int n,
                     int bf16, int packed) {
    if (packed) {
        if (bf16) block_2x_typed(x, w, c0, in, out, y, accumulate, n, 1, 1);
        else block_2x_typed(x, w, c0, in, out, y, accumulate, n, 0, 1);
    } else {
        if (bf16) block_2x_typed(x, w, c0, in, out, y, accumulate, n, 1, 0);
        else block_2x_typed(x, w, c0, in, out, y, accumulate, n, 0, 0);
    }
}

// The four rows of a row-major block at `w` against `n` (≤ 2) activation rows, the next four
// rows fetched ahead: the same per-(row, output) FMA chain and horizontal sum as `block_2xn`,
// so results do not depend on which block computed them. (Four row-major rows are four
// streams; for one or two rows this ran faster than pairs.)
__attribute__((target("avx2,fma"), always_inline))
static inline void block_4xn(const float *x, const void *w, int in, int out, float *y, int accumulate,
                             const int n, const int bf16) {
    __m256 acc[2][OUT_BLOCK];
    for (int r = 0; r < n; r++)
        for (int c = 0; c < OUT_BLOCK; c++) acc[r][c] = _mm256_setzero_ps();
    for (int i = 0; i < in; i += 8) {
        if (line_start(i, bf16, 0)) {
            for (int c = 0; c < OUT_BLOCK; c++) _mm_prefetch(block_element(w, OUT_BLOCK + c, i, in, bf16, 0), _MM_HINT_T0);
        }
        __m256 b[OUT_BLOCK];
        for (int c = 0; c < OUT_BLOCK; c++) b[c] = load8(block_element(w, c, i, in, bf16, 0), bf16);
        for (int r = 0; r < n; r++) {
            __m256 v = _mm256_loadu_ps(x + (size_t)r * in + i);
            for (int c = 0; c < OUT_BLOCK; c++) acc[r][c] = _mm256_fmadd_ps(v, b[c], acc[r][c]);
        }
    }
    for (int r = 0; r < n; r++) {
        float *yr = y + (size_t)r * out;
        for (int c = 0; c < OUT_BLOCK; c++) {
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

// Output rows [begin, end): `begin` is a multiple of OUT_BLOCK, so whole blocks come first,
// then (at the weight's end) a pair and a last row, which is row-major in both layouts.
static void skinny_range(void *p, int begin, int end, int part) {
    (void)part;
    const eagle_product *a = p;
    const int bf16 = eagle_weight_is_bf16(a->type), packed = eagle_weight_is_packed(a->type);
    int o = begin;
    for (; o + OUT_BLOCK <= end; o += OUT_BLOCK) {
        const void *w = element(a->w, (size_t)o * a->in, bf16);
        for (int r = 0; r < a->rows; r += ROW_GROUP) {
            int n = a->rows - r < ROW_GROUP ? a->rows - r : ROW_GROUP;
            const float *x = a->x + (size_t)r * a->in;
            float *y = a->y + (size_t)r * a->out + o;
            if (n <= 2 && !packed) block_4x(x, w, a->in, a->out, y, a->accumulate, n, bf16);
            else {
                block_2x(x, w, 0, a->in, a->out, y, a->accumulate, n, bf16, packed);
                block_2x(x, w, 2, a->in, a->out, y + 2, a->accumulate, n, bf16, packed);
            }
        }
    }
    for (; o + 2 <= end; o += 2) {
        for (int r = 0; r < a->rows; r += ROW_GROUP) {
            int n = a->rows - r < ROW_GROUP ? a->rows - r : ROW_GROUP;
            block_2x(a->x + (size_t)r * a->in, element(a->w, (size_t)o * a->in, bf16), 0, a->in, a->out,
                     a->y + (size_t)r * a->out + o, a->accumulate, n, bf16, packed);
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
