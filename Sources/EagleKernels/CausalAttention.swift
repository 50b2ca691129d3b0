import CBLASShim
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
    /// The (row, head) units are split over the worker threads; each unit is computed alone, so a
    /// row gets the same result whatever else is in the batch.
    /// - Parameters:
    ///   - queries: `[rows, …]` with row stride `queryStride`; head `h` at offset `h·headDim`.
    ///   - scores: scratch of `Parallel.parts × scoreStride` floats, `scoreStride` ≥ max(positions) + 1.
    @inlinable
    public func apply(
        queries: UnsafePointer<Float>, queryStride: Int, positions: UnsafePointer<Int32>, rows: Int,
        keys: UnsafePointer<Float>, values: UnsafePointer<Float>,
        blockTable: UnsafePointer<Int32>, blockSize: Int,
        scores: UnsafeMutablePointer<Float>, scoreStride: Int, output: UnsafeMutablePointer<Float>
    ) {
        let units = rows * heads
        func run(_ unit: Int, scratch: UnsafeMutablePointer<Float>) {
            let r = unit / heads, h = unit % heads
            head(h, query: queries + r * queryStride + h * headDim, context: Int(positions[r]) + 1,
                 keys: keys, values: values, blockTable: blockTable, blockSize: blockSize,
                 scores: scratch, output: output + r * heads * headDim + h * headDim)
        }
        guard rows * heads >= 2 else {
            for unit in 0..<units { run(unit, scratch: scores) }
            return
        }
        // Causal rows grow in cost: pair early and late units so that shares balance.
        Parallel.forEach(units) { range, part in
            for j in range { run(j % 2 == 0 ? j / 2 : units - 1 - j / 2, scratch: scores + part * scoreStride) }
        }
    }

    /// One query head of one row against positions `0..<context` (the shim's kernel).
    @inlinable
    func head(
        _ h: Int, query q: UnsafePointer<Float>, context: Int, keys: UnsafePointer<Float>, values: UnsafePointer<Float>,
        blockTable: UnsafePointer<Int32>, blockSize: Int, scores: UnsafeMutablePointer<Float>, output out: UnsafeMutablePointer<Float>
    ) {
        let kvOffset = (h / (heads / kvHeads)) * headDim
        eagle_attention_row(q, keys + kvOffset, values + kvOffset, blockTable, Int32(blockSize), Int32(context),
                            Int32(kvHeads * headDim), Int32(headDim), scale, scores, out)
    }

    /// Calls `body(position, slot)` for positions `0..<context` of a paged sequence, walking
    /// its block table block by block (no per-position division).
    @inlinable
    static func forEachSlot(_ context: Int, blockTable: UnsafePointer<Int32>, blockSize: Int, _ body: (Int, Int) -> Void) {
        var t = 0, block = 0
        while t < context {
            var slot = Int(blockTable[block]) * blockSize
            let end = min(context, t + blockSize)
            while t < end {
                body(t, slot)
                t += 1
                slot += 1
            }
            block += 1
        }
    }
}
