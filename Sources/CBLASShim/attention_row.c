// Attention of one query head of one row over a paged KV cache (the decode and verify path):
// scores q·k_t·scale for t < context, softmax, then Σ p_t·v_t. AVX2+FMA with a vector exp;
// a portable scalar version runs on other CPUs. A row's result depends only on its own query
// and the cache, never on how many rows are computed together.
#include "CBLASShim.h"
#include "internal.h"
#include <immintrin.h>
#include <math.h>

__attribute__((target("avx2,fma")))
static inline float hsum256(__m256 v) {
    __m128 lo = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    lo = _mm_add_ps(lo, _mm_movehl_ps(lo, lo));
    lo = _mm_add_ss(lo, _mm_movehdup_ps(lo));
    return _mm_cvtss_f32(lo);
}

// exp of 8 floats: 2^n · p(r) with x = n·ln2 + r, |r| ≤ ln2/2 (Cephes expf), n rounded with
// the 1.5·2^23 trick (the same approximation as SIMDMath.exp8).
__attribute__((target("avx2,fma")))
static inline __m256 exp256(__m256 x) {
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

// Calls BODY with `t` (position) and `s` (cache slot) for positions 0..<context, walking the
// block table block by block.
#define FOR_EACH_SLOT(BODY)                                                          \
    for (int t = 0, b = 0; t < context; b++) {                                       \
        int end = t + block_size < context ? t + block_size : context;               \
        for (long s = (long)block_table[b] * block_size; t < end; t++, s++) { BODY } \
    }

__attribute__((target("avx2,fma")))
static void row_avx2(const float *q, const float *keys, const float *values, const int32_t *block_table,
                     int block_size, int context, int kv_stride, int head_dim, float scale,
                     float *scores, float *out) {
    float max_score = -INFINITY;
    FOR_EACH_SLOT({
        const float *k = keys + s * kv_stride;
        __m256 acc = _mm256_mul_ps(_mm256_loadu_ps(q), _mm256_loadu_ps(k));
        for (int d = 8; d < head_dim; d += 8) acc = _mm256_fmadd_ps(_mm256_loadu_ps(q + d), _mm256_loadu_ps(k + d), acc);
        float score = hsum256(acc) * scale;
        scores[t] = score;
        if (score > max_score) max_score = score;
    })
    __m256 total = _mm256_setzero_ps();
    const __m256 shift = _mm256_set1_ps(max_score);
    int t = 0;
    for (; t + 8 <= context; t += 8) {
        __m256 e = exp256(_mm256_sub_ps(_mm256_loadu_ps(scores + t), shift));
        _mm256_storeu_ps(scores + t, e);
        total = _mm256_add_ps(total, e);
    }
    if (t < context) {   // the last partial vector, padded with -inf (exp → 0)
        float lane[8];
        for (int i = 0; i < 8; i++) lane[i] = t + i < context ? scores[t + i] : -INFINITY;
        __m256 e = exp256(_mm256_sub_ps(_mm256_loadu_ps(lane), shift));
        e = _mm256_and_ps(e, _mm256_cmp_ps(_mm256_loadu_ps(lane), _mm256_set1_ps(-INFINITY), _CMP_NEQ_OQ));
        _mm256_storeu_ps(lane, e);
        for (int i = 0; t + i < context; i++) scores[t + i] = lane[i];
        total = _mm256_add_ps(total, e);
    }
    const float inverse = 1.0f / hsum256(total);
    // Σ p_t·v_t, 64 output dims at a time held in eight registers across all positions.
    for (int d0 = 0; d0 < head_dim; d0 += 64) {
        int width = head_dim - d0 < 64 ? head_dim - d0 : 64;
        __m256 acc[8];
        for (int j = 0; j < 8; j++) acc[j] = _mm256_setzero_ps();
        FOR_EACH_SLOT({
            const float *v = values + s * kv_stride + d0;
            __m256 p = _mm256_set1_ps(scores[t] * inverse);
            for (int j = 0; j < width / 8; j++) acc[j] = _mm256_fmadd_ps(p, _mm256_loadu_ps(v + 8 * j), acc[j]);
        })
        for (int j = 0; j < width / 8; j++) _mm256_storeu_ps(out + d0 + 8 * j, acc[j]);
    }
}

static void row_scalar(const float *q, const float *keys, const float *values, const int32_t *block_table,
                       int block_size, int context, int kv_stride, int head_dim, float scale,
                       float *scores, float *out) {
    float max_score = -INFINITY;
    FOR_EACH_SLOT({
        const float *k = keys + s * kv_stride;
        float dot = 0;
        for (int d = 0; d < head_dim; d++) dot += q[d] * k[d];
        scores[t] = dot * scale;
        if (scores[t] > max_score) max_score = scores[t];
    })
    float total = 0;
    for (int t = 0; t < context; t++) { scores[t] = expf(scores[t] - max_score); total += scores[t]; }
    const float inverse = 1.0f / total;
    for (int d = 0; d < head_dim; d++) out[d] = 0;
    FOR_EACH_SLOT({
        const float *v = values + s * kv_stride;
        const float p = scores[t] * inverse;
        for (int d = 0; d < head_dim; d++) out[d] += p * v[d];
    })
}

void eagle_attention_row(const float *query, const float *keys, const float *values, const int32_t *block_table,
                         int block_size, int context, int kv_stride, int head_dim, float scale,
                         float *scores, float *output) {
    if (head_dim % 8 == 0 && eagle_cpu_has_avx2_fma())
        row_avx2(query, keys, values, block_table, block_size, context, kv_stride, head_dim, scale, scores, output);
    else
        row_scalar(query, keys, values, block_table, block_size, context, kv_stride, head_dim, scale, scores, output);
}
