import Foundation

/// Causal grouped-query attention of new query rows over a paged KV cache.
///
/// Key/value storage is slot-major: slot `s` holds `kvHeads × headDim` floats, and the
/// slot of position `p` is `blockTable[p / blockSize] · blockSize + p % blockSize`.
/// A query row at position `p` attends to positions `0 … p` (HF eager attention, fp32 softmax).
public struct CausalAttention: Sendable {
    public let heads: Int
    public let kvHeads: Int
    public let headDim: Int
    public let scale: Float

    public init(heads: Int, kvHeads: Int, headDim: Int) {
        precondition(heads % kvHeads == 0, "heads must be a multiple of kv heads")
        self.heads = heads
        self.kvHeads = kvHeads
        self.headDim = headDim
        self.scale = 1 / Float(headDim).squareRoot()
    }

    /// Computes `rows` output rows (`[rows, heads·headDim]`, stride `heads·headDim`).
    /// - Parameters:
    ///   - queries: `[rows, …]` with row stride `queryStride`; head `h` at offset `h·headDim`.
    ///   - scores: scratch of at least `max(positions) + 1` floats.
    @inlinable
    public func apply(
        queries: UnsafePointer<Float>, queryStride: Int, positions: UnsafePointer<Int32>, rows: Int,
        keys: UnsafePointer<Float>, values: UnsafePointer<Float>,
        blockTable: UnsafePointer<Int32>, blockSize: Int,
        scores: UnsafeMutablePointer<Float>, output: UnsafeMutablePointer<Float>
    ) {
        let kvStride = kvHeads * headDim
        let group = heads / kvHeads
        for r in 0..<rows {
            let context = Int(positions[r]) + 1
            for h in 0..<heads {
                let q = queries + r * queryStride + h * headDim
                let kvOffset = (h / group) * headDim
                var maxScore = -Float.infinity
                for t in 0..<context {
                    let slot = Int(blockTable[t / blockSize]) * blockSize + t % blockSize
                    let s = SIMDMath.dot(q, keys + slot * kvStride + kvOffset, count: headDim) * scale
                    scores[t] = s
                    if s > maxScore { maxScore = s }
                }
                var total: Float = 0
                for t in 0..<context {
                    let e = Foundation.exp(scores[t] - maxScore)
                    scores[t] = e
                    total += e
                }
                let out = output + r * heads * headDim + h * headDim
                out.update(repeating: 0, count: headDim)
                let inverseTotal = 1 / total
                for t in 0..<context {
                    let slot = Int(blockTable[t / blockSize]) * blockSize + t % blockSize
                    SIMDMath.axpy(scores[t] * inverseTotal, values + slot * kvStride + kvOffset, out, count: headDim)
                }
            }
        }
    }
}
