// The packed weight layout the skinny kernel streams: rows in pairs, each pair stored run by
// run of EAGLE_PACK_COLUMNS columns — the first row's run, then the second's — so reading a
// pair is one sequential stream. An odd last row stays as it is.
#include "CBLASShim.h"
#include "internal.h"
#include <string.h>

// Index of the run of columns starting at `i` (a multiple of EAGLE_PACK_COLUMNS) of row `o`
// of an `[out, in]` weight in the packed layout (an odd last row is row-major).
static size_t packed_index(int o, int i, int out, int in) {
    if (o == out - 1 && out % EAGLE_PACK_ROWS) return (size_t)o * in + i;
    return eagle_packed_index(o, i, in);
}

eagle_weight_type eagle_pack_weight(const void *weight, eagle_weight_type type, void *packed, int out, int in) {
    if (eagle_weight_is_packed(type) || !eagle_skinny_supported(1, in)) return type;
    const size_t size = eagle_weight_is_bf16(type) ? 2 : 4;
    for (int o = 0; o < out; o++) {
        const char *row = (const char *)weight + (size_t)o * in * size;
        for (int i = 0; i < in; i += EAGLE_PACK_COLUMNS) {
            memcpy((char *)packed + packed_index(o, i, out, in) * size, row + (size_t)i * size, EAGLE_PACK_COLUMNS * size);
        }
    }
    return (eagle_weight_type)(type | EAGLE_WEIGHT_F32_PACKED);
}

// `n` elements of `weight` from index `k`, widened to float32.
static void widen(const void *weight, size_t k, int n, int bf16, float *dst) {
    if (!bf16) { memcpy(dst, (const float *)weight + k, (size_t)n * sizeof(float)); return; }
    const uint16_t *src = (const uint16_t *)weight + k;
    for (int j = 0; j < n; j++) dst[j] = eagle_bf16_to_f32(src[j]);
}

void eagle_weight_rows_f32(const void *weight, eagle_weight_type type, int out, int in,
                           int first, int count, float *rows) {
    const int bf16 = eagle_weight_is_bf16(type), packed = eagle_weight_is_packed(type);
    for (int o = first; o < first + count; o++) {
        float *dst = rows + (size_t)(o - first) * in;
        if (!packed) { widen(weight, (size_t)o * in, in, bf16, dst); continue; }
        for (int i = 0; i < in; i += EAGLE_PACK_COLUMNS)   // packed: `in` is a multiple of the run
            widen(weight, packed_index(o, i, out, in), EAGLE_PACK_COLUMNS, bf16, dst + i);
    }
}
