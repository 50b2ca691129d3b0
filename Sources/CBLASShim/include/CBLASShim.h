#ifndef CBLAS_SHIM_H
#define CBLAS_SHIM_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Largest row count for which `eagle_linear` uses the skinny kernel (above it, OpenBLAS
/// sgemm is faster).
#define EAGLE_SKINNY_MAX_ROWS 16

/// Activation rows the skinny kernel multiplies per pass over a weight: up to this many rows
/// cost about one GEMV, each further group streams the weight again.
#define EAGLE_SKINNY_ROW_GROUP 6

/// The one matmul entry point of the engine ("linear layer", PyTorch weight layout):
///
///     y[rows, out] = x[rows, in] · W[out, in]ᵀ        (accumulate == 0)
///     y[rows, out] += x[rows, in] · W[out, in]ᵀ       (accumulate != 0)
///
/// All matrices are dense row-major float32. The shim picks the kernel (its skinny GEMM
/// for 1–16 rows, OpenBLAS sgemm above) so that callers never choose.
void eagle_linear(const float *x, const float *w, float *y,
                  int rows, int in, int out, int accumulate);

/// How a weight matrix stores its elements. Element type: float32, or bfloat16 (kept as
/// loaded, widened exactly inside the kernels, so products equal float32 storage of the same
/// values). Layout: row-major (`[out, in]`), or packed by `eagle_pack_weight` for the skinny
/// kernel (rows interleaved in pairs, eight columns at a time: one sequential stream per pair,
/// which decoding reads faster). Products are bit for bit the same in both layouts.
typedef enum {
    EAGLE_WEIGHT_F32 = 0,
    EAGLE_WEIGHT_BF16 = 1,
    EAGLE_WEIGHT_F32_PACKED = 2,
    EAGLE_WEIGHT_BF16_PACKED = 3,
} eagle_weight_type;

/// Copies a row-major weight (`EAGLE_WEIGHT_F32` or `EAGLE_WEIGHT_BF16`, `out · in` elements)
/// into `packed` (as many bytes) in the packed layout and returns the packed type; returns
/// `type` without writing when the skinny kernel cannot read it (`in` not a multiple of 8, or
/// no AVX2+FMA), so the row-major weight should be kept.
eagle_weight_type eagle_pack_weight(const void *weight, eagle_weight_type type, void *packed, int out, int in);

/// Rows `[first, first + count)` of a weight of any type and layout, widened to row-major
/// float32 into `rows` (`count · in` floats).
void eagle_weight_rows_f32(const void *weight, eagle_weight_type type, int out, int in,
                           int first, int count, float *rows);

/// `eagle_linear` for a weight of any storage type (`w` points at `out · in` elements).
/// Up to 16 rows run the skinny kernel on the stored elements; more rows (prefill) convert
/// bfloat16 or packed tiles of 64 weight rows to row-major float32 for OpenBLAS sgemm.
void eagle_linear_typed(const float *x, const void *w, eagle_weight_type type, float *y,
                        int rows, int in, int out, int accumulate);

/// `eagle_linear_rowwise` for a weight of any storage type.
void eagle_linear_rowwise_typed(const float *x, const void *w, eagle_weight_type type, float *y,
                                int rows, int in, int out, int accumulate);

/// The same product with every row's result independent of the other rows (bit for bit the
/// value `eagle_linear` gives that row alone): the skinny kernel for any row count. Batches
/// that mix requests use it, so a request's tokens never depend on what it is batched with.
void eagle_linear_rowwise(const float *x, const float *w, float *y,
                          int rows, int in, int out, int accumulate);

/// The same product computed by OpenBLAS kernels (sgemv for one row, sgemm otherwise),
/// split by output columns over the shim's threads.
void eagle_linear_openblas(const float *x, const float *w, float *y,
                           int rows, int in, int out, int accumulate);

/// The same product computed by the shim's skinny kernel (any row count, `in` a multiple of 8,
/// AVX2+FMA). Returns 0 without computing when the shape or CPU is not supported.
int eagle_linear_skinny(const float *x, const float *w, float *y,
                        int rows, int in, int out, int accumulate);

/// Row-major GEMM with explicit leading dimensions (sub-matrices of larger buffers):
/// C[m,n] = alpha·A[m,k]·op(B) + beta·C, op(B) = Bᵀ (B is [n,k]) when transB != 0, else B ([k,n]).
void eagle_sgemm_strided(int transB, int m, int n, int k, float alpha, const float *a, int lda,
                         const float *b, int ldb, float beta, float *c, int ldc);

/// Softmax numerators in place: `x[i] = exp(x[i] − shift)`, returning `Σ x[i]` (relative
/// error < 2e-7 for the exponent range of softmax inputs; AVX2+FMA, libm `expf` elsewhere).
float eagle_exponentiate(float *x, int count, float shift);

/// The gated MLP activation over `rows` rows of `[gate (width) | up (width)]`:
/// `y[r, i] = gate / (1 + exp(−gate)) · up` (the softmax's vector exp on AVX2+FMA, libm `expf`
/// elsewhere), `rows × width` floats.
void eagle_swiglu(const float *gateUp, float *y, int rows, int width);

/// Attention of one query head of one row over a paged KV cache: `output[headDim]` =
/// softmax_t(scale · query · key_t) weighted sum of value_t over positions t < `context`.
/// `keys`/`values` point at the head's KV group in slot 0 (slot `s` at `s · kvStride`); the
/// slot of position t is `blockTable[t / blockSize] · blockSize + t % blockSize`. `scores` is
/// scratch of `context` floats. AVX2+FMA when `headDim` is a multiple of 8, scalar otherwise.
void eagle_attention_row(const float *query, const float *keys, const float *values, const int32_t *blockTable,
                         int blockSize, int context, int kvStride, int headDim, float scale,
                         float *scores, float *output);

/// A batch of query rows for `eagle_attention_rows`: row r (position `positions[r]`) attends to
/// positions 0 ..< `positions[r]` and to its own key and value, cached at position
/// `cache_positions[r]` (a draft-tree leaf is cached past the chain it branches from; NULL:
/// `positions[r]`, the causal case). It has its
/// `heads` query heads at `queries + r · query_stride`; head h reads KV group
/// `h / (heads / kv_heads)` of slots `kv_heads · head_dim` floats wide; output row r is
/// `heads · head_dim` floats at `output + r · heads · head_dim`. `scores` holds
/// `eagle_parallel_parts() × score_stride` floats, `score_stride` ≥ (heads / kv_heads) ×
/// (every position + 1): a thread's scratch for one KV group's query heads.
typedef struct {
    const float *queries;
    int query_stride, rows, heads, kv_heads, head_dim;
    const int32_t *positions, *cache_positions;
    const float *keys, *values;
    const int32_t *block_table;
    int block_size;
    float scale;
    float *scores;
    int score_stride;
    float *output;
} eagle_attention_batch;

/// `eagle_attention_row` for every (row, head) of a batch, the units split over the shim's
/// threads: (row, head) for a lone row, (row, KV head) with its query heads together for
/// more rows. Each query's result is the one it gets alone, so a row's result never depends
/// on the batch.
void eagle_attention_rows(const eagle_attention_batch *batch);

/// Runs `body(context, begin, end, part)` over `[0, count)` split into contiguous ranges
/// across the shim's persistent worker threads; range boundaries are multiples of `grain`;
/// `part` < `eagle_parallel_parts()` identifies the share. Each share runs once, on whichever
/// thread claims it first (the caller included), so a descheduled worker delays nothing.
void eagle_parallel_for(void (*body)(void *, int, int, int), void *context, int count, int grain);

/// The same, with ranges handed out on demand (each thread claims half its share of what is
/// left, at least `grain`), so a thread the machine slows down takes less: `body` may run
/// several times per `part`. For kernels whose cost is per element; OpenBLAS calls, which pay
/// a setup per call, use `eagle_parallel_for`.
void eagle_parallel_for_balanced(void (*body)(void *, int, int, int), void *context, int count, int grain);

/// The number of shares `eagle_parallel_for` splits work into.
int eagle_parallel_parts(void);

/// Sets the number of threads of the shim's persistent pool, which runs every product
/// (OpenBLAS is kept single-threaded inside it).
void eagle_blas_set_threads(int threads);

/// The number of matmul threads in use.
int eagle_blas_threads(void);

#ifdef __cplusplus
}
#endif

#endif
