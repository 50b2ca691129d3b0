import CBLASShim

/// Scratch buffers of the matrix-product attention path (sized by the caller).
public struct PrefillAttentionScratch {
    /// `[context, headDim]` keys of one KV head, gathered from the paged cache.
    public var keys: UnsafeMutablePointer<Float>
    /// `[context, headDim]` values of one KV head.
    public var values: UnsafeMutablePointer<Float>
    /// `[CausalAttention.prefillChunk, context]` attention weights of a chunk of query rows.
    public var scores: UnsafeMutablePointer<Float>

    public init(keys: UnsafeMutablePointer<Float>, values: UnsafeMutablePointer<Float>, scores: UnsafeMutablePointer<Float>) {
        self.keys = keys
        self.values = values
        self.scores = scores
    }
}

extension CausalAttention {
    /// Query rows per score matrix in the prefill path.
    public static let prefillChunk = 128

    /// Causal attention of many consecutive rows of one sequence as matrix products (prefill):
    /// per KV head the keys/values are gathered once, then per query head and chunk of rows
    /// `S = Q·Kᵀ·scale`, a masked softmax, and `O = S·V`, both through the CBLAS shim.
    /// Rows must sit at consecutive positions.
    public func applyPrefill(
        queries: UnsafePointer<Float>, queryStride: Int, positions: UnsafePointer<Int32>, rows: Int,
        keys: UnsafePointer<Float>, values: UnsafePointer<Float>, blockTable: UnsafePointer<Int32>, blockSize: Int,
        scratch: PrefillAttentionScratch, output: UnsafeMutablePointer<Float>
    ) {
        let context = Int(positions[rows - 1]) + 1
        let kvStride = kvHeads * headDim, outStride = heads * headDim
        for g in 0..<kvHeads {
            Self.forEachSlot(context, blockTable: blockTable, blockSize: blockSize) { t, slot in
                (scratch.keys + t * headDim).update(from: keys + slot * kvStride + g * headDim, count: headDim)
                (scratch.values + t * headDim).update(from: values + slot * kvStride + g * headDim, count: headDim)
            }
            for h in (g * heads / kvHeads)..<((g + 1) * heads / kvHeads) {
                var first = 0
                while first < rows {
                    let count = min(Self.prefillChunk, rows - first)
                    let width = Int(positions[first + count - 1]) + 1
                    eagle_sgemm_strided(1, Int32(count), Int32(width), Int32(headDim), scale,
                                        queries + first * queryStride + h * headDim, Int32(queryStride),
                                        scratch.keys, Int32(headDim), 0, scratch.scores, Int32(width))
                    Parallel.forEach(count, grain: 8) { range, _ in
                        for r in range {
                            let row = scratch.scores + r * width
                            let valid = Int(positions[first + r]) + 1
                            var maxScore = -Float.infinity
                            for i in 0..<valid where row[i] > maxScore { maxScore = row[i] }
                            let inverse = 1 / SIMDMath.exponentiate(row, count: valid, subtracting: maxScore)
                            for i in 0..<valid { row[i] *= inverse }
                            (row + valid).update(repeating: 0, count: width - valid)
                        }
                    }
                    eagle_sgemm_strided(0, Int32(count), Int32(headDim), Int32(width), 1, scratch.scores, Int32(width),
                                        scratch.values, Int32(headDim), 0, output + first * outStride + h * headDim,
                                        Int32(outStride))
                    first += count
                }
            }
        }
    }
}
