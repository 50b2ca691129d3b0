#include "CBLASShim.h"
#include "internal.h"
#include <cblas.h>


int eagle_linear_skinny(const float *x, const float *w, float *y,
                        int rows, int in, int out, int accumulate) {
    if (!eagle_skinny_supported(rows, in)) return 0;
    eagle_skinny_gemm(x, w, y, rows, in, out, accumulate);
    return 1;
}

// One share of the output columns, through single-threaded OpenBLAS (sgemv or sgemm).
static void openblas_columns(void *p, int begin, int end, int part) {
    (void)part;
    const eagle_product *a = p;
    const float beta = a->accumulate ? 1.0f : 0.0f;
    if (a->rows == 1) {
        cblas_sgemv(CblasRowMajor, CblasNoTrans, end - begin, a->in, 1.0f, a->w + (size_t)begin * a->in, a->in,
                    a->x, 1, beta, a->y + begin, 1);
    } else {
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, a->rows, end - begin, a->in,
                    1.0f, a->x, a->in, a->w + (size_t)begin * a->in, a->in, beta, a->y + begin, a->out);
    }
}

// OpenBLAS runs single-threaded inside the shim's own pool, split by output columns, so two
// thread pools never fight over the cores.
void eagle_linear_openblas(const float *x, const float *w, float *y,
                           int rows, int in, int out, int accumulate) {
    eagle_product args = {x, w, y, rows, in, out, accumulate};
    eagle_parallel_for(openblas_columns, &args, out, 64);
}

void eagle_linear(const float *x, const float *w, float *y,
                  int rows, int in, int out, int accumulate) {
    if (rows <= EAGLE_SKINNY_MAX_ROWS && eagle_linear_skinny(x, w, y, rows, in, out, accumulate)) return;
    eagle_linear_openblas(x, w, y, rows, in, out, accumulate);
}

void eagle_linear_rowwise(const float *x, const float *w, float *y,
                          int rows, int in, int out, int accumulate) {
    if (rows <= 0) return;
    if (eagle_linear_skinny(x, w, y, rows, in, out, accumulate)) return;
    // Without the skinny kernel: one GEMV per row, which no other row can influence.
    for (int r = 0; r < rows; r++) {
        eagle_linear_openblas(x + (size_t)r * in, w, y + (size_t)r * out, 1, in, out, accumulate);
    }
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
