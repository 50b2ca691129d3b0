import CBLASShim
import Foundation

/// Causal grouped-query attention of new query rows over a paged KV cache.
///
/// Key/value storage is slot-major: slot `s` holds `kvHeads × headDim` floats, and the
/// slot of position `p` is `blockTable[p / blockSize] · blockSize + p % blockSize`.
/// A query row at position `p` attends to positions `0 … p` (HF eager attention, fp32 softmax);
/// its own key and value (position `p`) may be cached at another position (a draft-tree leaf).
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
    ///   - cachePositions: where each row's own key and value are cached (nil: at `positions`).
    ///   - scores: scratch of `Parallel.parts × scoreStride` floats, `scoreStride` ≥
    ///     `scoreStride(context:)` for the longest row.
    @inlinable
    public func apply(
        queries: UnsafePointer<Float>, queryStride: Int, positions: UnsafePointer<Int32>,
        cachePositions: UnsafePointer<Int32>? = nil, rows: Int,
        keys: UnsafePointer<Float>, values: UnsafePointer<Float>,
        blockTable: UnsafePointer<Int32>, blockSize: Int,
        scores: UnsafeMutablePointer<Float>, scoreStride: Int, output: UnsafeMutablePointer<Float>
    ) {
        var batch = eagle_attention_batch(
            queries: queries, query_stride: Int32(queryStride), rows: Int32(rows), heads: Int32(heads),
            kv_heads: Int32(kvHeads), head_dim: Int32(headDim), positions: positions, cache_positions: cachePositions,
            keys: keys, values: values,
            block_table: blockTable, block_size: Int32(blockSize), scale: scale, scores: scores,
            score_stride: Int32(scoreStride), output: output)
        eagle_attention_rows(&batch)
    }

    /// Scratch floats one thread needs per query row of context `context` (the scores of one
    /// KV group's query heads).
    @inlinable
    public func scoreStride(context: Int) -> Int { Self.scoreStride(heads: heads, kvHeads: kvHeads, context: context) }

    /// `scoreStride(context:)` for a geometry, before any `CausalAttention` exists.
    @inlinable
    public static func scoreStride(heads: Int, kvHeads: Int, context: Int) -> Int { heads / kvHeads * context }

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
