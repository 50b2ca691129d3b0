// Softmax numerators: x[i] = exp(x[i] − shift) in place, returning their sum, for attention
// scores (prefill and per-row alike), with the vector exp of internal.h.
#include "CBLASShim.h"
#include "internal.h"
#include <math.h>

__attribute__((target("avx2,fma")))
float eagle_exponentiate_avx2(float *x, int count, float shift) {
    const __m256 s = _mm256_set1_ps(shift);
    __m256 total = _mm256_setzero_ps();
    int i = 0;
    for (; i + 8 <= count; i += 8) {
        __m256 e = eagle_exp256(_mm256_sub_ps(_mm256_loadu_ps(x + i), s));
        _mm256_storeu_ps(x + i, e);
        total = _mm256_add_ps(total, e);
    }
    if (i < count) {   // the last partial vector; padding lanes contribute 0
        float lane[8] = {0};
        for (int j = 0; i + j < count; j++) lane[j] = x[i + j];
        __m256 valid = _mm256_cmp_ps(_mm256_setr_ps(0, 1, 2, 3, 4, 5, 6, 7), _mm256_set1_ps((float)(count - i)), _CMP_LT_OQ);
        __m256 e = _mm256_and_ps(eagle_exp256(_mm256_sub_ps(_mm256_loadu_ps(lane), s)), valid);
        _mm256_storeu_ps(lane, e);
        for (int j = 0; i + j < count; j++) x[i + j] = lane[j];
        total = _mm256_add_ps(total, e);
    }
    return eagle_hsum256(total);
}

float eagle_exponentiate(float *x, int count, float shift) {
    if (eagle_cpu_has_avx2_fma()) return eagle_exponentiate_avx2(x, count, shift);
    float total = 0;
    for (int i = 0; i < count; i++) { x[i] = expf(x[i] - shift); total += x[i]; }
    return total;
}
