// Attention of a row's query heads over a paged KV cache (the decode and verify path): scores
// q·k_t·scale for t < context, softmax (softmax.c), then Σ p_t·v_t. AVX2+FMA; a portable
// scalar version runs on other CPUs. The query heads that share a KV head can go together, so
// that each key and value is fetched once for all of them; every query's arithmetic is the
// same alone or grouped, so a row's result depends only on its own queries and the cache,
// never on how many rows or heads are computed together.
#include "CBLASShim.h"
#include "internal.h"
#include <math.h>

// Calls BODY with `t` (position) and `s` (cache slot) for positions first..<last, walking the
// block table block by block; the row's own position, context − 1, is at slot `own_slot`
// (where its key and value were written: a draft-tree leaf sits past the chain it branches from).
#define FOR_SLOTS(first, last, BODY)                                                                 \
    do {                                                                                             \
        int stop_ = (last) < context ? (last) : context - 1;                                         \
        for (int t = (first), b = t / block_size; t < stop_; b++) {                                  \
            int end = (b + 1) * block_size < stop_ ? (b + 1) * block_size : stop_;                    \
            for (long s = (long)block_table[b] * block_size + (t - b * block_size); t < end; t++, s++) { \
                BODY                                                                                 \
            }                                                                                        \
        }                                                                                            \
        if ((last) == context && (first) < context) {                                                \
            int t = context - 1;                                                                     \
            long s = own_slot;                                                                       \
            BODY                                                                                     \
        }                                                                                            \
    } while (0)
#define FOR_EACH_SLOT(BODY) FOR_SLOTS(0, context, BODY)

// Query heads per KV head the grouped kernel takes at once (larger groups go in parts).
#define MAX_GROUP 16
// Positions per block of the weighted-value sum: the block's values stay in L1 while every
// query of the group accumulates over them.
#define VALUE_BLOCK 32

// Scores of eight positions (keys `k[0..7]`): eight independent FMA chains, one per position,
// reduced together by a transpose-add. Every score, in a full set of eight or in the padded
// last one, is the same sum in the same order.
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

// out[0 ..< 8·n8] (+)= Σ_{first ≤ t < last} p_t·v_t with p_t = scores[t] · inverse, added to
// `out` when `accumulate`. Each dimension is one FMA chain over t (stored and reloaded exactly
// between blocks), so the result depends neither on `n8` nor on the blocks; with n8 = 8
// (inlined as a constant) the eight accumulators stay in registers.
__attribute__((target("avx2,fma"), always_inline))
static inline void weighted_values(const float *scores, float inverse, const float *values, const int32_t *block_table,
                                   int block_size, int context, long own_slot, int first, int last, int kv_stride,
                                   const int n8, float *out, int accumulate) {
    __m256 acc[8];
    for (int j = 0; j < n8; j++) acc[j] = accumulate ? _mm256_loadu_ps(out + 8 * j) : _mm256_setzero_ps();
    FOR_SLOTS(first, last, {
        const float *v = values + s * kv_stride;
        __m256 p = _mm256_set1_ps(scores[t] * inverse);
        for (int j = 0; j < n8; j++) acc[j] = _mm256_fmadd_ps(p, _mm256_loadu_ps(v + 8 * j), acc[j]);
    });
    for (int j = 0; j < n8; j++) _mm256_storeu_ps(out + 8 * j, acc[j]);
}

// `group` (≤ MAX_GROUP) query heads sharing one KV head: query g at `q + g·head_dim`, its
// output at `out + g·head_dim`, its scores at `scores + g·score_stride`.
__attribute__((target("avx2,fma")))
static void group_avx2(const float *q, int group, const float *keys, const float *values, const int32_t *block_table,
                       int block_size, int context, long own_slot, int kv_stride, int head_dim, float scale,
                       float *scores, int score_stride, float *out) {
    const __m256 scale8 = _mm256_set1_ps(scale);
    __m256 max8[MAX_GROUP];
    for (int g = 0; g < group; g++) max8[g] = _mm256_set1_ps(-INFINITY);
    const float *k[8];
    int pending = 0;
    FOR_EACH_SLOT({
        k[pending++] = keys + s * kv_stride;
        if (pending == 8) {
            for (int g = 0; g < group; g++) {
                __m256 s8 = scores8(q + (size_t)g * head_dim, k, head_dim, scale8);
                _mm256_storeu_ps(scores + (size_t)g * score_stride + t - 7, s8);
                max8[g] = _mm256_max_ps(max8[g], s8);
            }
            pending = 0;
        }
    });
    if (pending) {   // the last positions, padded to eight with the last key (the extra scores are dropped)
        for (int j = pending; j < 8; j++) k[j] = k[pending - 1];
        for (int g = 0; g < group; g++) {
            float last[8];
            __m256 s8 = scores8(q + (size_t)g * head_dim, k, head_dim, scale8);
            _mm256_storeu_ps(last, s8);
            max8[g] = _mm256_max_ps(max8[g], s8);
            for (int j = 0; j < pending; j++) scores[(size_t)g * score_stride + context - pending + j] = last[j];
        }
    }
    float inverse[MAX_GROUP];
    for (int g = 0; g < group; g++) {
        float lanes[8], max_score = -INFINITY;
        _mm256_storeu_ps(lanes, max8[g]);
        for (int j = 0; j < 8; j++) max_score = lanes[j] > max_score ? lanes[j] : max_score;
        inverse[g] = 1.0f / eagle_exponentiate_avx2(scores + (size_t)g * score_stride, context, max_score);
    }
    for (int first = 0; first < context; first += VALUE_BLOCK) {
        int last = first + VALUE_BLOCK < context ? first + VALUE_BLOCK : context;
        for (int g = 0; g < group; g++) {
            const float *sg = scores + (size_t)g * score_stride;
            float *og = out + (size_t)g * head_dim;
            for (int d0 = 0; d0 < head_dim; d0 += 64) {
                if (head_dim - d0 >= 64)
                    weighted_values(sg, inverse[g], values + d0, block_table, block_size, context, own_slot, first, last, kv_stride, 8, og + d0, first > 0);
                else
                    weighted_values(sg, inverse[g], values + d0, block_table, block_size, context, own_slot, first, last, kv_stride,
                                    (head_dim - d0) / 8, og + d0, first > 0);
            }
        }
    }
}

static void row_scalar(const float *q, const float *keys, const float *values, const int32_t *block_table,
                       int block_size, int context, long own_slot, int kv_stride, int head_dim, float scale,
                       float *scores, float *out) {
    float max_score = -INFINITY;
    FOR_EACH_SLOT({
        const float *k = keys + s * kv_stride;
        float dot = 0;
        for (int d = 0; d < head_dim; d++) dot += q[d] * k[d];
        scores[t] = dot * scale;
        if (scores[t] > max_score) max_score = scores[t];
    });
    const float inverse = 1.0f / eagle_exponentiate(scores, context, max_score);
    for (int d = 0; d < head_dim; d++) out[d] = 0;
    FOR_EACH_SLOT({
        const float *v = values + s * kv_stride;
        const float p = scores[t] * inverse;
        for (int d = 0; d < head_dim; d++) out[d] += p * v[d];
    });
}

// `group` query heads sharing one KV head (see group_avx2), each computed as if alone.
static void attention_group(const float *q, int group, const float *keys, const float *values, const int32_t *block_table,
                            int block_size, int context, long own_slot, int kv_stride, int head_dim, float scale,
                            float *scores, int score_stride, float *out) {
    if (head_dim % 8 == 0 && eagle_cpu_has_avx2_fma()) {
        for (int g = 0; g < group; g += MAX_GROUP) {
            int n = group - g < MAX_GROUP ? group - g : MAX_GROUP;
            group_avx2(q + (size_t)g * head_dim, n, keys, values, block_table, block_size, context, own_slot, kv_stride, head_dim,
                       scale, scores, score_stride, out + (size_t)g * head_dim);
        }
        return;
    }
    for (int g = 0; g < group; g++)
        row_scalar(q + (size_t)g * head_dim, keys, values, block_table, block_size, context, own_slot, kv_stride, head_dim, scale,
                   scores, out + (size_t)g * head_dim);
}

static long slot_of(const int32_t *block_table, int block_size, int position) {
    return (long)block_table[position / block_size] * block_size + position % block_size;
}

void eagle_attention_row(const float *query, const float *keys, const float *values, const int32_t *block_table,
                         int block_size, int context, int kv_stride, int head_dim, float scale,
                         float *scores, float *output) {
    attention_group(query, 1, keys, values, block_table, block_size, context, slot_of(block_table, block_size, context - 1),
                    kv_stride, head_dim, scale, scores, 0, output);
}

// Query heads per unit: a lone row splits by head so that both threads get work; larger
// batches take each KV head's whole group at once. Results are the same either way.
static int unit_heads(const eagle_attention_batch *a) { return a->rows > 1 ? a->heads / a->kv_heads : 1; }

// One unit of a batch: `unit_heads` query heads of one row (all of one KV group), context up
// to the row's position, its own key and value at its cache position.
static void attention_unit(const eagle_attention_batch *a, int unit, float *scores) {
    int group = unit_heads(a), per_row = a->heads / group;
    int r = unit / per_row, h = unit % per_row * group;
    int kv_offset = h / (a->heads / a->kv_heads) * a->head_dim;
    int own = a->cache_positions ? a->cache_positions[r] : a->positions[r];
    attention_group(a->queries + (size_t)r * a->query_stride + (size_t)h * a->head_dim, group, a->keys + kv_offset,
                    a->values + kv_offset, a->block_table, a->block_size, a->positions[r] + 1,
                    slot_of(a->block_table, a->block_size, own),
                    a->kv_heads * a->head_dim, a->head_dim, a->scale, scores, a->score_stride / (a->heads / a->kv_heads),
                    a->output + ((size_t)r * a->heads + h) * a->head_dim);
}

// Causal rows grow in cost: units are taken in the order first, last, second, second-to-last…
// so that shares balance.
static void attention_units(void *p, int begin, int end, int part) {
    const eagle_attention_batch *a = p;
    int units = a->rows * (a->heads / unit_heads(a));
    float *scores = a->scores + (size_t)part * a->score_stride;
    for (int j = begin; j < end; j++) attention_unit(a, j % 2 == 0 ? j / 2 : units - 1 - j / 2, scores);
}

void eagle_attention_rows(const eagle_attention_batch *batch) {
    int units = batch->rows * (batch->heads / unit_heads(batch));
    if (units < 2) {
        for (int unit = 0; unit < units; unit++) attention_unit(batch, unit, batch->scores);
        return;
    }
    eagle_parallel_for_balanced(attention_units, (void *)batch, units, 1);
}
