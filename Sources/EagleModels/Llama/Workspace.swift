import EagleKernels
import EagleLoading

/// Preallocated activation buffers of a forward pass. They grow only when a batch larger
/// than any before arrives (prefill); steady-state decoding never allocates.
final class Workspace {
    private(set) var capacity = 0          // token rows
    private(set) var rowCapacity = 0       // logit rows
    private(set) var contextCapacity = 0   // attention positions (per thread)
    var tokenCount = 0
    var logitRowCount = 0

    var hidden = FloatBuffer(count: 0)     // [T, H] residual stream
    var normed = FloatBuffer(count: 0)     // [T, attention input width]
    var qkv = FloatBuffer(count: 0)        // [T, (nH + 2nKV)·d]
    var attention = FloatBuffer(count: 0)  // [T, nH·d]
    var gateUp = FloatBuffer(count: 0)     // [T, 2I]
    var activation = FloatBuffer(count: 0) // [T, I]
    var cos = FloatBuffer(count: 0)        // [T, d/2]
    var sin = FloatBuffer(count: 0)        // [T, d/2]
    var captured = FloatBuffer(count: 0)   // [numCaptured, T, H]
    var rowHidden = FloatBuffer(count: 0)  // [R, H]
    var logits = FloatBuffer(count: 0)     // [R, V]
    var scores = FloatBuffer(count: 0)     // [threads, scoreStride]
    /// Per-thread attention scratch for contextCapacity positions (`CausalAttention.scoreStride`).
    private(set) var scoreStride = 0
    // Prefill attention: gathered keys/values of one KV head, scores of a chunk of rows.
    private(set) var prefillCapacity = 0
    var prefillKeys = FloatBuffer(count: 0)    // [prefillCapacity, headDim]
    var prefillValues = FloatBuffer(count: 0)  // [prefillCapacity, headDim]
    var prefillScores = FloatBuffer(count: 0)  // [prefillChunk, prefillCapacity]

    /// Makes room for `tokens` rows, `logitRows` logit rows and `context` attended positions.
    func reserve(tokens: Int, logitRows: Int, context: Int, captures: Int, geometry g: LayerGeometry) {
        let h = g.hidden
        if tokens > capacity || captures * tokens * h > captured.count {
            capacity = max(tokens, capacity)
            hidden = FloatBuffer(count: capacity * h)
            normed = FloatBuffer(count: capacity * g.attentionInput)
            qkv = FloatBuffer(count: capacity * g.qkvWidth)
            attention = FloatBuffer(count: capacity * g.queryWidth)
            gateUp = FloatBuffer(count: capacity * 2 * g.intermediate)
            activation = FloatBuffer(count: capacity * g.intermediate)
            cos = FloatBuffer(count: capacity * g.headDim / 2)
            sin = FloatBuffer(count: capacity * g.headDim / 2)
            captured = FloatBuffer(count: max(captures, 1) * capacity * h)
        }
        if logitRows > rowCapacity {
            rowCapacity = logitRows
            rowHidden = FloatBuffer(count: logitRows * h)
            logits = FloatBuffer(count: logitRows * g.vocabulary)
        }
        if context > contextCapacity {
            contextCapacity = max(context, 2 * contextCapacity)
            scoreStride = CausalAttention.scoreStride(heads: g.heads, kvHeads: g.kvHeads, context: contextCapacity)
            scores = FloatBuffer(count: Parallel.parts * scoreStride)
        }
        if tokens >= DecoderBlocks.prefillRows, context > prefillCapacity {
            prefillCapacity = max(context, 2 * prefillCapacity)
            prefillKeys = FloatBuffer(count: prefillCapacity * g.headDim, initialize: false)
            prefillValues = FloatBuffer(count: prefillCapacity * g.headDim, initialize: false)
            prefillScores = FloatBuffer(count: CausalAttention.prefillChunk * prefillCapacity, initialize: false)
        }
        tokenCount = tokens
        logitRowCount = logitRows
    }
}
