import EagleKernels
import EagleLoading

/// Mutable state for running an `Eagle3Draft`: its own KV cache (one layer) and buffers.
///
/// First pass of a round (`forward(_:auxStates:)`): row i pairs the target's aux hidden
/// states of the token at position p with the embedding of the token at p + 1, at RoPE
/// position p (EAGLE3_SPEC.md §3.2). Later steps (`forward(_:hiddenStates:)`) feed back the
/// head's own hidden state (`nextHidden(row:)`), one position further each time.
public final class Eagle3Context {
    public let draft: Eagle3Draft
    public let cache: KVCache
    public let maxPositions: Int
    let workspace = Workspace()
    private var projected = FloatBuffer(count: 0)   // [T, H]: fc output or fed-back hidden
    private var gathered = FloatBuffer(count: 0)    // [A, T, H_t]: the rows' aux states
    private var normedAux = FloatBuffer(count: 0)   // [A, T, H_t]: aux states after pre-fc norms
    private let exponentials: FloatBuffer            // [Vd]: one logit row, exponentiated
    private var rowCapacity = 0

    public init(draft: Eagle3Draft, cache: KVCache, maxPositions: Int) {
        self.draft = draft
        self.cache = cache
        self.maxPositions = maxPositions
        exponentials = FloatBuffer(count: draft.config.draftVocabSize)
    }

    /// First pass over rows of the target's last forward: draft row i takes the target's aux
    /// states (the hidden states entering `draft.auxLayers`, which `target` must capture) of
    /// target row `targetRows[i]`.
    public func forward(_ batch: ForwardBatch, target: LlamaContext, targetRows: [Int]) throws {
        precondition(targetRows.count == batch.tokenCount, "one target row per draft row")
        let c = draft.config, ht = c.targetHiddenSize, aux = draft.auxLayers.count
        for layer in draft.auxLayers where !target.capturedLayers.contains(layer) {
            throw ForwardError.layerNotCaptured(layer: layer)
        }
        try begin(batch)
        let t = batch.tokenCount
        // Gather the rows' aux states, chunk j at `auxInput + j · rowCapacity · ht`.
        for (j, layer) in draft.auxLayers.enumerated() {
            let captured = target.capturedHiddenStates(target.capturedLayers.firstIndex(of: layer)!).baseAddress!
            for (i, row) in targetRows.enumerated() {
                (gathered.pointer + (j * rowCapacity + i) * ht).update(from: captured + row * ht, count: ht)
            }
        }
        var input = gathered.pointer
        if let norm = draft.weights.inputNorm {
            // One RMSNorm over each row's concatenation of all chunks.
            for r in 0..<t {
                var sum: Float = 0
                for j in 0..<aux { sum += SIMDMath.sumOfSquares(gathered.pointer + (j * rowCapacity + r) * ht, count: ht) }
                let scale = 1 / (sum / Float(ht * aux) + c.rmsNormEpsilon).squareRoot()
                for j in 0..<aux {
                    let chunk = gathered.pointer + (j * rowCapacity + r) * ht
                    let out = normedAux.pointer + (j * rowCapacity + r) * ht
                    for i in 0..<ht { out[i] = norm.pointer[j * ht + i] * (chunk[i] * scale) }
                }
            }
            input = normedAux.pointer
        } else if !draft.weights.fcNorms.isEmpty {
            for j in 0..<aux {
                RMSNorm.apply(gathered.pointer + j * rowCapacity * ht, weight: draft.weights.fcNorms[j].pointer,
                              into: normedAux.pointer + j * rowCapacity * ht, rows: t, width: ht, epsilon: c.rmsNormEpsilon)
            }
            input = normedAux.pointer
        }
        for j in 0..<aux {
            DecoderBlocks.linear(input + j * rowCapacity * ht, weight: draft.weights.fc[j], into: projected.pointer,
                                 batch: batch, inFeatures: ht, outFeatures: c.hiddenSize, accumulate: j > 0)
        }
        run(batch)
    }

    /// Later steps: `hiddenStates` holds `batch.tokenCount` rows of width H (e.g. copies of
    /// `nextHidden(row:)` from the previous step).
    public func forward(_ batch: ForwardBatch, hiddenStates: UnsafePointer<Float>) throws {
        try begin(batch)
        projected.pointer.update(from: hiddenStates, count: batch.tokenCount * draft.config.hiddenSize)
        run(batch)
    }

    /// Target-vocabulary id of the argmax of the `i`-th logit row (draft ids mapped by `d2t`).
    public func draftToken(row i: Int) -> Int {
        let vd = draft.config.draftVocabSize
        return Int(draft.weights.draftToTarget[SIMDMath.argmax(workspace.logits.pointer + i * vd, count: vd)])
    }

    /// The head's two most likely tokens of the `i`-th row (target-vocabulary ids:
    /// `draftToken(row:)` and the runner-up, a draft-tree leaf) with their probabilities under
    /// the softmax of the row's draft-vocabulary logits.
    public func draftCandidates(row i: Int) -> (best: Int, runnerUp: Int, bestProbability: Float, runnerUpProbability: Float) {
        let vd = draft.config.draftVocabSize
        let logits = workspace.logits.pointer + i * vd
        let (first, second) = SIMDMath.topTwo(logits, count: vd)
        exponentials.pointer.update(from: logits, count: vd)
        let sum = SIMDMath.exponentiate(exponentials.pointer, count: vd, subtracting: logits[first])
        return (Int(draft.weights.draftToTarget[first]), Int(draft.weights.draftToTarget[second]),
                1 / sum, exponentials.pointer[second] / sum)
    }

    /// Draft-vocabulary logits of the `i`-th requested row, valid until the next forward.
    public func logits(row i: Int) -> UnsafeBufferPointer<Float> {
        let vd = draft.config.draftVocabSize
        return UnsafeBufferPointer(start: workspace.logits.pointer + i * vd, count: vd)
    }

    /// The hidden state the next draft step consumes for the `i`-th requested row: the
    /// pre-norm output, or the normed one when `norm_output` is set (`[H]`).
    public func nextHidden(row i: Int, batch: ForwardBatch) -> UnsafePointer<Float> {
        let h = draft.config.hiddenSize
        if draft.config.normOutput { return UnsafePointer(workspace.rowHidden.pointer + i * h) }
        return UnsafePointer(workspace.hidden.pointer + batch.logitRows[i] * h)
    }

    private func begin(_ batch: ForwardBatch) throws {
        try batch.validate(vocabularySize: draft.config.vocabSize)
        try cache.prepare(batch, maxPositions: maxPositions)
        let t = batch.tokenCount, c = draft.config
        workspace.reserve(tokens: t, logitRows: batch.logitRows.count, context: batch.contextLength, captures: 0,
                          geometry: draft.geometry)
        if t > rowCapacity {
            rowCapacity = t
            projected = FloatBuffer(count: t * c.hiddenSize)
            gathered = FloatBuffer(count: t * c.targetHiddenSize * draft.auxLayers.count)
            normedAux = FloatBuffer(count: t * c.targetHiddenSize * draft.auxLayers.count)
        }
    }

    /// The decoder layer, final norm and lm_head over `projected` rows.
    private func run(_ batch: ForwardBatch) {
        let c = draft.config, w = draft.weights, ws = workspace
        let t = batch.tokenCount, h = c.hiddenSize, eps = c.rmsNormEpsilon
        batch.positions.withUnsafeBufferPointer { positions in
            draft.rotary.fillTables(positions: positions.baseAddress!, count: t, cos: ws.cos.pointer, sin: ws.sin.pointer)
        }
        // normed row = [input_layernorm(embedding) ‖ hidden_norm(hidden)], 2H wide.
        batch.tokens.withUnsafeBufferPointer { tokens in
            for r in 0..<t {
                let row = ws.normed.pointer + r * 2 * h
                RMSNorm.apply(w.embedding.pointer + Int(tokens[r]) * h, weight: w.embeddingNorm.pointer, into: row,
                              rows: 1, width: h, epsilon: eps)
                RMSNorm.apply(projected.pointer + r * h, weight: w.hiddenNorm.pointer, into: row + h,
                              rows: 1, width: h, epsilon: eps)
                let residual = c.normBeforeResidual ? UnsafePointer(row + h) : UnsafePointer(projected.pointer + r * h)
                (ws.hidden.pointer + r * h).update(from: residual, count: h)
            }
        }
        DecoderBlocks.attention(w.attention, input: ws.normed.pointer, residual: ws.hidden.pointer, batch: batch,
                                cache: cache, layer: 0, geometry: draft.geometry, rotary: draft.rotary,
                                attention: draft.attention, workspace: ws)
        RMSNorm.apply(ws.hidden.pointer, weight: w.postAttentionNorm.pointer, into: ws.normed.pointer,
                      rows: t, width: h, epsilon: eps)
        DecoderBlocks.mlp(w.mlp, input: ws.normed.pointer, residual: ws.hidden.pointer, batch: batch,
                          geometry: draft.geometry, workspace: ws)
        DecoderBlocks.logits(rows: batch.logitRows, finalNorm: w.finalNorm, lmHead: w.lmHead, epsilon: eps,
                             geometry: draft.geometry, workspace: ws)
    }
}
