// Attention of one query head of one row over a paged KV cache (the decode and verify path):
// scores q·k_t·scale for t < context, softmax (softmax.c), then Σ p_t·v_t. AVX2+FMA; a
// portable scalar version runs on other CPUs. A row's result depends only on its own query
// and the cache, never on how many rows are computed together.
#include "CBLASShim.h"
#include "internal.h"
#include <math.h>

// Calls BODY with `t` (position) and `s` (cache slot) for positions 0..<context, walking the
// block table block by block.
#define FOR_EACH_SLOT(BODY)                                                          \
    for (int t = 0, b = 0; t < context; b++) {                                       \
        int end = t + block_size < context ? t + block_size : context;               \
        for (long s = (long)block_table[b] * block_size; t < end; t++, s++) { BODY } \
    }

// Scores of eight positions (keys `k[0..7]`): eight independent FMA chains, one per position,
// reduced together by a transpose-add. Every score, in a full group or padded in the last, is
// the same sum in the same order.
__attribute__((target("avx2,fma"), always_inline))
static inline __m256 scores8(const float *q, const float *const k[8], int head_dim, __m256 scale) {
    __m256 acc[8];
    for (int j = 0; j < 8; j++) acc[j] = _mm256_setzero_ps();
    for (int d = 0; d < head_dim; d += 8) {
        __m256 qd = _mm256_loadu_ps(q + d);
        for (int j = 0; j < 8; j++) acc[j] = _mm256_fmadd_ps(qd, _mm256_loadu_ps(k[j] + d), acc[j]);
    }
    // Lanes (l0+l1)+(l2+l3) of each 128-bit half, then the halves added.
    __m256 s01 = _mm256_hadd_ps(acc[0], acc[1]), s23 = _mm256_hadd_ps(acc[2], acc[3]);
    __m256 s45 = _mm256_hadd_ps(acc[4], acc[5]), s67 = _mm256_hadd_ps(acc[6], acc[7]);
    __m256 s0123 = _mm256_hadd_ps(s01, s23), s4567 = _mm256_hadd_ps(s45, s67);
    __m256 lo = _mm256_permute2f128_ps(s0123, s4567, 0x20), hi = _mm256_permute2f128_ps(s0123, s4567, 0x31);
    return _mm256_mul_ps(_mm256_add_ps(lo, hi), scale);
}

// out[0 ..< 8·n8] = Σ_t p_t·v_t with p_t = scores[t] · inverse. Each dimension is its own FMA
// chain, so the result does not depend on `n8`; with n8 = 8 (inlined as a constant) the eight
// accumulators stay in registers.
__attribute__((target("avx2,fma"), always_inline))
static inline void weighted_values(const float *scores, float inverse, const float *values, const int32_t *block_table,
                                   int block_size, int context, int kv_stride, const int n8, float *out) {
    __m256 acc[8];
    for (int j = 0; j < n8; j++) acc[j] = _mm256_setzero_ps();
    FOR_EACH_SLOT({
        const float *v = values + s * kv_stride;
        __m256 p = _mm256_set1_ps(scores[t] * inverse);
        for (int j = 0; j < n8; j++) acc[j] = _mm256_fmadd_ps(p, _mm256_loadu_ps(v + 8 * j), acc[j]);
    })
    for (int j = 0; j < n8; j++) _mm256_storeu_ps(out + 8 * j, acc[j]);
}

__attribute__((target("avx2,fma")))
static void row_avx2(const float *q, const float *keys, const float *values, const int32_t *block_table,
                     int block_size, int context, int kv_stride, int head_dim, float scale,
                     float *scores, float *out) {
    const __m256 scale8 = _mm256_set1_ps(scale);
    __m256 max8 = _mm256_set1_ps(-INFINITY);
    const float *k[8];
    int pending = 0;
    FOR_EACH_SLOT({
        k[pending++] = keys + s * kv_stride;
        if (pending == 8) {
            __m256 s8 = scores8(q, k, head_dim, scale8);
            _mm256_storeu_ps(scores + t - 7, s8);
            max8 = _mm256_max_ps(max8, s8);
            pending = 0;
        }
    })
    if (pending) {   // the last group, padded with its last key (the extra scores are dropped)
        float last[8];
        for (int j = pending; j < 8; j++) k[j] = k[pending - 1];
        __m256 s8 = scores8(q, k, head_dim, scale8);
        _mm256_storeu_ps(last, s8);
        max8 = _mm256_max_ps(max8, s8);
        for (int j = 0; j < pending; j++) scores[context - pending + j] = last[j];
    }
    float lanes[8], max_score = -INFINITY;
    _mm256_storeu_ps(lanes, max8);
    for (int j = 0; j < 8; j++) max_score = lanes[j] > max_score ? lanes[j] : max_score;
    const float inverse = 1.0f / eagle_exponentiate_avx2(scores, context, max_score);
    for (int d0 = 0; d0 < head_dim; d0 += 64) {
        if (head_dim - d0 >= 64) weighted_values(scores, inverse, values + d0, block_table, block_size, context, kv_stride, 8, out + d0);
        else weighted_values(scores, inverse, values + d0, block_table, block_size, context, kv_stride, (head_dim - d0) / 8, out + d0);
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
    const float inverse = 1.0f / eagle_exponentiate(scores, context, max_score);
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

// One (row, head) unit of a batch: the query head's KV group, context up to the row's position.
static void attention_unit(const eagle_attention_batch *a, int unit, float *scores) {
    int r = unit / a->heads, h = unit % a->heads;
    int kv_offset = h / (a->heads / a->kv_heads) * a->head_dim;
    eagle_attention_row(a->queries + (size_t)r * a->query_stride + (size_t)h * a->head_dim, a->keys + kv_offset,
                        a->values + kv_offset, a->block_table, a->block_size, a->positions[r] + 1,
                        a->kv_heads * a->head_dim, a->head_dim, a->scale, scores,
                        a->output + ((size_t)r * a->heads + h) * a->head_dim);
}

// Causal rows grow in cost: units are taken in the order first, last, second, second-to-last…
// so that shares balance.
static void attention_units(void *p, int begin, int end, int part) {
    const eagle_attention_batch *a = p;
    int units = a->rows * a->heads;
    float *scores = a->scores + (size_t)part * a->score_stride;
    for (int j = begin; j < end; j++) attention_unit(a, j % 2 == 0 ? j / 2 : units - 1 - j / 2, scores);
}

void eagle_attention_rows(const eagle_attention_batch *batch) {
    int units = batch->rows * batch->heads;
    if (units < 2) {
        for (int unit = 0; unit < units; unit++) attention_unit(batch, unit, batch->scores);
        return;
    }
    eagle_parallel_for_balanced(attention_units, (void *)batch, units, 1);
}
