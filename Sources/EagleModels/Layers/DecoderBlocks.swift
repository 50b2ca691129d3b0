import EagleKernels
import EagleLoading

/// Attention weights of one decoder layer, q/k/v fused row-wise into one matmul.
public struct AttentionWeights: Sendable {
    public let qkv: WeightMatrix         // [(nH + 2·nKV)·d, inputWidth]
    public let qkvBias: FloatTensor?     // [(nH + 2·nKV)·d]
    public let output: WeightMatrix      // [H, nH·d]
    public let outputBias: FloatTensor?  // [H]
}

/// SwiGLU MLP weights, gate/up fused row-wise.
public struct MLPWeights: Sendable {
    public let gateUp: WeightMatrix      // [2·I, H]
    public let gateUpBias: FloatTensor?  // [2·I]
    public let down: WeightMatrix        // [H, I]
    public let downBias: FloatTensor?    // [H]
}

/// Sizes a decoder layer's buffers depend on.
struct LayerGeometry {
    var hidden: Int
    var heads: Int
    var kvHeads: Int
    var headDim: Int
    var intermediate: Int
    /// Width of the attention input (H, or 2H for EAGLE-3's first draft layer).
    var attentionInput: Int
    var vocabulary: Int

    var queryWidth: Int { heads * headDim }
    var kvWidth: Int { kvHeads * headDim }
    var qkvWidth: Int { queryWidth + 2 * kvWidth }
}

/// The two halves of a pre-norm decoder layer, shared by the Llama target and the draft heads.
enum DecoderBlocks {
    /// Segments with at least this many rows use matrix-product attention; fewer rows (decode,
    /// verify) use the per-row kernel, so a row's result never depends on its batch.
    static let prefillRows = 64

    /// `residual += o_proj(attention(qkv(input)))` for every row of `batch`; writes the rows'
    /// keys/values into `cache` (layer `layer`) first. `input` is the normed layer input.
    static func attention(
        _ w: AttentionWeights, input: UnsafePointer<Float>, residual: UnsafeMutablePointer<Float>,
        batch: ForwardBatch, cache: KVCache, layer: Int, geometry g: LayerGeometry,
        rotary: RotaryEmbedding, attention: CausalAttention, workspace ws: Workspace
    ) {
        let t = batch.tokenCount
        linear(input, weight: w.qkv, into: ws.qkv.pointer, batch: batch, inFeatures: g.attentionInput, outFeatures: g.qkvWidth)
        if let bias = w.qkvBias { addBias(bias, to: ws.qkv.pointer, rows: t) }
        rotary.apply(to: ws.qkv.pointer, rows: t, heads: g.heads, rowStride: g.qkvWidth,
                     cos: ws.cos.pointer, sin: ws.sin.pointer)
        rotary.apply(to: ws.qkv.pointer + g.queryWidth, rows: t, heads: g.kvHeads, rowStride: g.qkvWidth,
                     cos: ws.cos.pointer, sin: ws.sin.pointer)
        let keys = cache.keys(layer: layer), values = cache.values(layer: layer)
        let kvWidth = g.kvWidth
        for segment in batch.segments {
            for i in 0..<segment.count {
                let slot = cache.slot(segment.sequence, position: segment.startPosition + i)
                let source = ws.qkv.pointer + (segment.offset + i) * g.qkvWidth + g.queryWidth
                (keys + slot * kvWidth).update(from: source, count: kvWidth)
                (values + slot * kvWidth).update(from: source + kvWidth, count: kvWidth)
            }
            batch.withPositions { positions, cachePositions in
                cache.withBlockTable(segment.sequence) { table in
                    if segment.count >= prefillRows {
                        attention.applyPrefill(
                            queries: ws.qkv.pointer + segment.offset * g.qkvWidth, queryStride: g.qkvWidth,
                            positions: positions + segment.offset, rows: segment.count,
                            keys: keys, values: values, blockTable: table, blockSize: cache.blockSize,
                            scratch: PrefillAttentionScratch(keys: ws.prefillKeys.pointer, values: ws.prefillValues.pointer,
                                                             scores: ws.prefillScores.pointer),
                            output: ws.attention.pointer + segment.offset * g.queryWidth)
                        return
                    }
                    attention.apply(
                        queries: ws.qkv.pointer + segment.offset * g.qkvWidth, queryStride: g.qkvWidth,
                        positions: positions + segment.offset, cachePositions: cachePositions + segment.offset,
                        rows: segment.count, keys: keys, values: values, blockTable: table, blockSize: cache.blockSize,
                        scores: ws.scores.pointer, scoreStride: ws.scoreStride,
                        output: ws.attention.pointer + segment.offset * g.queryWidth)
                }
            }
        }
        linear(ws.attention.pointer, weight: w.output, into: residual, batch: batch,
               inFeatures: g.queryWidth, outFeatures: g.hidden, accumulate: true)
        if let bias = w.outputBias { addBias(bias, to: residual, rows: t) }
    }

    /// `residual += down(silu(gate(input)) ⊙ up(input))` for `rows` rows of normed `input`.
    static func mlp(
        _ w: MLPWeights, input: UnsafePointer<Float>, residual: UnsafeMutablePointer<Float>,
        batch: ForwardBatch, geometry g: LayerGeometry, workspace ws: Workspace
    ) {
        let t = batch.tokenCount
        linear(input, weight: w.gateUp, into: ws.gateUp.pointer, batch: batch, inFeatures: g.hidden, outFeatures: 2 * g.intermediate)
        if let bias = w.gateUpBias { addBias(bias, to: ws.gateUp.pointer, rows: t) }
        SwiGLU.apply(gateUp: ws.gateUp.pointer, into: ws.activation.pointer, rows: t, width: g.intermediate)
        linear(ws.activation.pointer, weight: w.down, into: residual, batch: batch,
               inFeatures: g.intermediate, outFeatures: g.hidden, accumulate: true)
        if let bias = w.downBias { addBias(bias, to: residual, rows: t) }
    }

    /// Final norm of the requested rows of the residual stream into `rowHidden`, then the
    /// lm_head into `logits` (`[rows, vocabulary]`).
    static func logits(rows: [Int], finalNorm: FloatTensor, lmHead: WeightMatrix, epsilon: Float,
                       geometry g: LayerGeometry, workspace ws: Workspace) {
        guard !rows.isEmpty else { return }
        for (i, row) in rows.enumerated() {
            RMSNorm.apply(ws.hidden.pointer + row * g.hidden, weight: finalNorm.pointer, into: ws.rowHidden.pointer + i * g.hidden,
                          rows: 1, width: g.hidden, epsilon: epsilon)
        }
        Linear.apply(ws.rowHidden.pointer, weight: lmHead.elements, into: ws.logits.pointer,
                     rows: rows.count, inFeatures: g.hidden, outFeatures: g.vocabulary, rowwise: true)
    }

    /// `y (+)= x · wᵀ` over every row of `batch`, one product per kernel group
    /// (`ForwardBatch.forEachKernelGroup`), so no row's result depends on the other requests.
    static func linear(_ x: UnsafePointer<Float>, weight w: WeightMatrix, into y: UnsafeMutablePointer<Float>,
                       batch: ForwardBatch, inFeatures: Int, outFeatures: Int, accumulate: Bool = false) {
        batch.forEachKernelGroup { rows, rowwise in
            Linear.apply(x + rows.lowerBound * inFeatures, weight: w.elements, into: y + rows.lowerBound * outFeatures,
                         rows: rows.count, inFeatures: inFeatures, outFeatures: outFeatures,
                         accumulate: accumulate, rowwise: rowwise)
        }
    }

    static func addBias(_ bias: FloatTensor, to x: UnsafeMutablePointer<Float>, rows: Int) {
        let n = bias.count
        for r in 0..<rows {
            let row = x + r * n
            for i in 0..<n { row[i] += bias.pointer[i] }
        }
    }
}
