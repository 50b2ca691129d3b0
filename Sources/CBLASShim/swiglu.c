// The gated MLP activation y = silu(gate) ⊙ up = gate / (1 + exp(−gate)) · up, with the
// shim's vector exp (internal.h) on AVX2+FMA and libm `expf` elsewhere and in row tails.
#include "CBLASShim.h"
#include "internal.h"
#include <math.h>

static inline float swiglu_scalar(float gate, float up) { return gate / (1.0f + expf(-gate)) * up; }

__attribute__((target("avx2,fma")))
static void rows_avx2(const float *gate_up, float *y, int rows, int width) {
    const __m256 one = _mm256_set1_ps(1.0f), zero = _mm256_setzero_ps();
    for (int r = 0; r < rows; r++) {
        const float *gate = gate_up + (size_t)r * 2 * width, *up = gate + width;
        float *out = y + (size_t)r * width;
        int i = 0;
        for (; i + 8 <= width; i += 8) {
            __m256 g = _mm256_loadu_ps(gate + i);
            __m256 silu = _mm256_div_ps(g, _mm256_add_ps(one, eagle_exp256(_mm256_sub_ps(zero, g))));
            _mm256_storeu_ps(out + i, _mm256_mul_ps(silu, _mm256_loadu_ps(up + i)));
        }
        for (; i < width; i++) out[i] = swiglu_scalar(gate[i], up[i]);
    }
}

void eagle_swiglu(const float *gate_up, float *y, int rows, int width) {
    if (eagle_cpu_has_avx2_fma()) { rows_avx2(gate_up, y, rows, width); return; }
    for (int r = 0; r < rows; r++) {
        const float *gate = gate_up + (size_t)r * 2 * width;
        for (int i = 0; i < width; i++) y[(size_t)r * width + i] = swiglu_scalar(gate[i], gate[width + i]);
    }
}
