#include "CBLASShim.h"
#include "internal.h"
#include <cblas.h>
#include <stdio.h>
#include <stdlib.h>

#define TILE_ROWS 64

static int skinny(const float *x, const void *w, eagle_weight_type type, float *y,
                  int rows, int in, int out, int accumulate) {
    if (!eagle_skinny_supported(rows, in)) return 0;
    eagle_skinny_gemm(x, w, type, y, rows, in, out, accumulate);
    return 1;
}

int eagle_linear_skinny(const float *x, const float *w, float *y,
                        int rows, int in, int out, int accumulate) {
    return skinny(x, w, EAGLE_WEIGHT_F32, y, rows, in, out, accumulate);
}

// `y[:, first ..< first + count] (+)= x · w[count, in]ᵀ` through single-threaded OpenBLAS.
static void blas_columns(const eagle_product *a, const float *w, int first, int count) {
    const float beta = a->accumulate ? 1.0f : 0.0f;
    if (a->rows == 1) {
        cblas_sgemv(CblasRowMajor, CblasNoTrans, count, a->in, 1.0f, w, a->in, a->x, 1, beta, a->y + first, 1);
    } else {
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, a->rows, count, a->in,
                    1.0f, a->x, a->in, w, a->in, beta, a->y + first, a->out);
    }
}

// This thread's float32 tile for converted weight rows (grown on demand, kept for the
// thread's life: pool threads are persistent).
static float *thread_tile(size_t floats) {
    static _Thread_local float *tile;
    static _Thread_local size_t capacity;
    if (floats > capacity) {
        free(tile);
        tile = aligned_alloc(64, (floats * sizeof(float) + 63) / 64 * 64);
        if (!tile) { fprintf(stderr, "eagle: out of memory for a %zu-float weight tile\n", floats); abort(); }
        capacity = floats;
    }
    return tile;
}

// One share of the output columns: row-major float32 weights go to OpenBLAS in place; other
// types are converted TILE_ROWS rows at a time into this thread's row-major float32 tile.
static void openblas_columns(void *p, int begin, int end, int part) {
    (void)part;
    const eagle_product *a = p;
    if (a->type == EAGLE_WEIGHT_F32) {
        blas_columns(a, (const float *)a->w + (size_t)begin * a->in, begin, end - begin);
        return;
    }
    float *tile = thread_tile((size_t)TILE_ROWS * a->in);
    for (int o = begin; o < end; o += TILE_ROWS) {
        int count = end - o < TILE_ROWS ? end - o : TILE_ROWS;
        eagle_weight_rows_f32(a->w, a->type, a->out, a->in, o, count, tile);
        blas_columns(a, tile, o, count);
    }
}

// OpenBLAS runs single-threaded inside the shim's own pool, split by output columns, so two
// thread pools never fight over the cores.
static void openblas(const float *x, const void *w, eagle_weight_type type, float *y,
                     int rows, int in, int out, int accumulate) {
    eagle_product args = {x, w, type, y, rows, in, out, accumulate};
    eagle_parallel_for(openblas_columns, &args, out, TILE_ROWS);
}

void eagle_linear_openblas(const float *x, const float *w, float *y,
                           int rows, int in, int out, int accumulate) {
    openblas(x, w, EAGLE_WEIGHT_F32, y, rows, in, out, accumulate);
}

void eagle_linear_typed(const float *x, const void *w, eagle_weight_type type, float *y,
                        int rows, int in, int out, int accumulate) {
    if (rows <= EAGLE_SKINNY_MAX_ROWS && skinny(x, w, type, y, rows, in, out, accumulate)) return;
    openblas(x, w, type, y, rows, in, out, accumulate);
}

void eagle_linear(const float *x, const float *w, float *y,
                  int rows, int in, int out, int accumulate) {
    eagle_linear_typed(x, w, EAGLE_WEIGHT_F32, y, rows, in, out, accumulate);
}

void eagle_linear_rowwise_typed(const float *x, const void *w, eagle_weight_type type, float *y,
                                int rows, int in, int out, int accumulate) {
    if (rows <= 0) return;
    if (skinny(x, w, type, y, rows, in, out, accumulate)) return;
    // Without the skinny kernel: one GEMV per row, which no other row can influence.
    for (int r = 0; r < rows; r++) {
        openblas(x + (size_t)r * in, w, type, y + (size_t)r * out, 1, in, out, accumulate);
    }
}

void eagle_linear_rowwise(const float *x, const float *w, float *y,
                          int rows, int in, int out, int accumulate) {
    eagle_linear_rowwise_typed(x, w, EAGLE_WEIGHT_F32, y, rows, in, out, accumulate);
}

typedef struct {
    int transB, n, k;
    float alpha, beta;
    const float *a, *b;
    float *c;
    int lda, ldb, ldc;
} strided_args;

// One share of the rows of C.
static void strided_rows(void *p, int begin, int end, int part) {
    (void)part;
    const strided_args *s = p;
    cblas_sgemm(CblasRowMajor, CblasNoTrans, s->transB ? CblasTrans : CblasNoTrans, end - begin, s->n, s->k,
                s->alpha, s->a + (size_t)begin * s->lda, s->lda, s->b, s->ldb, s->beta, s->c + (size_t)begin * s->ldc, s->ldc);
}

void eagle_sgemm_strided(int transB, int m, int n, int k, float alpha, const float *a, int lda,
                         const float *b, int ldb, float beta, float *c, int ldc) {
    strided_args args = {transB, n, k, alpha, beta, a, b, c, lda, ldb, ldc};
    eagle_parallel_for(strided_rows, &args, m, 8);
}

void eagle_blas_set_threads(int threads) {
    openblas_set_num_threads(1);
    eagle_pool_set_threads(threads);
}

int eagle_blas_threads(void) { return eagle_parallel_parts(); }
