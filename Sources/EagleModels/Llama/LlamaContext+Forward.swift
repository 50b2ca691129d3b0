import EagleKernels
import EagleLoading

extension LlamaContext {
    /// Runs the model over every token of `batch`: appends their keys/values to the cache
    /// (reserving blocks), records the hidden states of `capturedLayers`, and computes the
    /// logits of `batch.logitRows` (read them with `logits(row:)`).
    ///
    /// Throws before touching any state when the input is invalid or the cache is full.
    public func forward(_ batch: ForwardBatch) throws {
        let c = model.config
        try batch.validate(vocabularySize: c.vocabSize)
        // Rewriting from `startPosition` drops anything past it (rejected drafts).
        try cache.prepare(batch, maxPositions: maxPositions)
        let t = batch.tokenCount
        let ws = workspace
        ws.reserve(tokens: t, logitRows: batch.logitRows.count, context: batch.contextLength,
                   captures: capturedLayers.count, geometry: model.geometry)
        guard t > 0 else { return }
        let h = c.hiddenSize
        let embedding = model.weights.embedding.pointer
        batch.tokens.withUnsafeBufferPointer { tokens in
            for row in 0..<t {
                (ws.hidden.pointer + row * h).update(from: embedding + Int(tokens[row]) * h, count: h)
            }
        }
        batch.positions.withUnsafeBufferPointer { positions in
            model.rotary.fillTables(positions: positions.baseAddress!, count: t, cos: ws.cos.pointer, sin: ws.sin.pointer)
        }
        var captureIndex = 0
        for layer in 0..<c.layerCount {
            if captureIndex < capturedLayers.count, capturedLayers[captureIndex] == layer {
                capture(index: captureIndex, rows: t)
                captureIndex += 1
            }
            runLayer(layer, batch: batch)
        }
        if captureIndex < capturedLayers.count { capture(index: captureIndex, rows: t) }
        DecoderBlocks.logits(rows: batch.logitRows, finalNorm: model.weights.finalNorm, lmHead: model.weights.lmHead,
                             epsilon: c.rmsNormEpsilon, geometry: model.geometry, workspace: ws)
    }

    private func capture(index: Int, rows: Int) {
        let h = model.config.hiddenSize
        (workspace.captured.pointer + index * workspace.capacity * h).update(from: workspace.hidden.pointer, count: rows * h)
    }

    private func runLayer(_ layer: Int, batch: ForwardBatch) {
        let c = model.config
        let w = model.weights.layers[layer]
        let ws = workspace
        let t = batch.tokenCount
        RMSNorm.apply(ws.hidden.pointer, weight: w.inputNorm.pointer, into: ws.normed.pointer,
                      rows: t, width: c.hiddenSize, epsilon: c.rmsNormEpsilon)
        DecoderBlocks.attention(w.attention, input: ws.normed.pointer, residual: ws.hidden.pointer, batch: batch,
                                cache: cache, layer: layer, geometry: model.geometry, rotary: model.rotary,
                                attention: model.attention, workspace: ws)
        RMSNorm.apply(ws.hidden.pointer, weight: w.postAttentionNorm.pointer, into: ws.normed.pointer,
                      rows: t, width: c.hiddenSize, epsilon: c.rmsNormEpsilon)
        DecoderBlocks.mlp(w.mlp, input: ws.normed.pointer, residual: ws.hidden.pointer, batch: batch,
                          geometry: model.geometry, workspace: ws)
    }

}
