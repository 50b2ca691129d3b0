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
        try validate(batch)
        var maxContext = 0
        for segment in batch.segments {
            maxContext = max(maxContext, segment.startPosition + segment.count)
        }
        for segment in batch.segments {
            try cache.reserve(segment.sequence, capacity: segment.startPosition + segment.count)
        }
        for segment in batch.segments {
            cache.truncate(segment.sequence, to: segment.startPosition)
            cache.setLength(segment.sequence, segment.startPosition + segment.count)
        }
        let t = batch.tokenCount
        let ws = workspace
        ws.reserve(tokens: t, logitRows: batch.logitRows.count, context: maxContext,
                   captures: capturedLayers.count, config: c)
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
        computeLogits(rows: batch.logitRows)
    }

    private func validate(_ batch: ForwardBatch) throws {
        let v = model.config.vocabSize
        for token in batch.tokens where token < 0 || Int(token) >= v {
            throw ForwardError.tokenOutOfRange(token: Int(token), vocabularySize: v)
        }
        for row in batch.logitRows where row < 0 || row >= batch.tokenCount {
            throw ForwardError.rowOutOfRange(row: row, tokenCount: batch.tokenCount)
        }
        var needed: [KVCache.SequenceID: Int] = [:]
        for segment in batch.segments {
            let length = cache.length(of: segment.sequence)
            if segment.startPosition > length {
                throw ForwardError.positionPastEnd(sequence: segment.sequence, startPosition: segment.startPosition, length: length)
            }
            let end = segment.startPosition + segment.count
            if end > maxPositions { throw ForwardError.contextTooLong(position: end - 1, maximum: maxPositions) }
            let blocks = (end + cache.blockSize - 1) / cache.blockSize - cache.blockCount(of: segment.sequence)
            needed[segment.sequence, default: 0] += max(0, blocks)
        }
        let total = needed.values.reduce(0, +)
        if total > cache.freeBlockCount {
            throw KVCacheError.outOfBlocks(requested: total * cache.blockSize, freeBlocks: cache.freeBlockCount,
                                           blockSize: cache.blockSize)
        }
    }

    private func capture(index: Int, rows: Int) {
        let h = model.config.hiddenSize
        (workspace.captured.pointer + index * workspace.capacity * h).update(from: workspace.hidden.pointer, count: rows * h)
    }

    private func runLayer(_ layer: Int, batch: ForwardBatch) {
        let c = model.config
        let w = model.weights.layers[layer]
        let ws = workspace
        let t = batch.tokenCount, h = c.hiddenSize, d = c.headDim
        let qDim = c.headCount * d, kvDim = c.kvHeadCount * d, qkvDim = qDim + 2 * kvDim
        let inter = c.intermediateSize

        // Attention block.
        RMSNorm.apply(ws.hidden.pointer, weight: w.inputNorm.pointer, into: ws.normed.pointer,
                      rows: t, width: h, epsilon: c.rmsNormEpsilon)
        Linear.apply(ws.normed.pointer, weight: w.qkv.pointer, into: ws.qkv.pointer,
                     rows: t, inFeatures: h, outFeatures: qkvDim)
        if let bias = w.qkvBias { addBias(bias, to: ws.qkv.pointer, rows: t) }
        model.rotary.apply(to: ws.qkv.pointer, rows: t, heads: c.headCount, rowStride: qkvDim,
                           cos: ws.cos.pointer, sin: ws.sin.pointer)
        model.rotary.apply(to: ws.qkv.pointer + qDim, rows: t, heads: c.kvHeadCount, rowStride: qkvDim,
                           cos: ws.cos.pointer, sin: ws.sin.pointer)
        let keys = cache.keys(layer: layer), values = cache.values(layer: layer)
        for segment in batch.segments {
            for i in 0..<segment.count {
                let row = segment.offset + i
                let slot = cache.slot(segment.sequence, position: segment.startPosition + i)
                let source = ws.qkv.pointer + row * qkvDim + qDim
                (keys + slot * kvDim).update(from: source, count: kvDim)
                (values + slot * kvDim).update(from: source + kvDim, count: kvDim)
            }
            batch.positions.withUnsafeBufferPointer { positions in
                cache.withBlockTable(segment.sequence) { table in
                    model.attention.apply(
                        queries: ws.qkv.pointer + segment.offset * qkvDim, queryStride: qkvDim,
                        positions: positions.baseAddress! + segment.offset, rows: segment.count,
                        keys: keys, values: values, blockTable: table, blockSize: cache.blockSize,
                        scores: ws.scores.pointer, output: ws.attention.pointer + segment.offset * qDim)
                }
            }
        }
        Linear.apply(ws.attention.pointer, weight: w.output.pointer, into: ws.hidden.pointer,
                     rows: t, inFeatures: qDim, outFeatures: h, accumulate: true)
        if let bias = w.outputBias { addBias(bias, to: ws.hidden.pointer, rows: t) }

        // MLP block.
        RMSNorm.apply(ws.hidden.pointer, weight: w.postAttentionNorm.pointer, into: ws.normed.pointer,
                      rows: t, width: h, epsilon: c.rmsNormEpsilon)
        Linear.apply(ws.normed.pointer, weight: w.gateUp.pointer, into: ws.gateUp.pointer,
                     rows: t, inFeatures: h, outFeatures: 2 * inter)
        if let bias = w.gateUpBias { addBias(bias, to: ws.gateUp.pointer, rows: t) }
        SwiGLU.apply(gateUp: ws.gateUp.pointer, into: ws.activation.pointer, rows: t, width: inter)
        Linear.apply(ws.activation.pointer, weight: w.down.pointer, into: ws.hidden.pointer,
                     rows: t, inFeatures: inter, outFeatures: h, accumulate: true)
        if let bias = w.downBias { addBias(bias, to: ws.hidden.pointer, rows: t) }
    }

    private func computeLogits(rows: [Int]) {
        guard !rows.isEmpty else { return }
        let c = model.config
        let ws = workspace, h = c.hiddenSize
        for (i, row) in rows.enumerated() {
            (ws.rowHidden.pointer + i * h).update(from: ws.hidden.pointer + row * h, count: h)
        }
        RMSNorm.apply(ws.rowHidden.pointer, weight: model.weights.finalNorm.pointer, into: ws.rowHidden.pointer,
                      rows: rows.count, width: h, epsilon: c.rmsNormEpsilon)
        Linear.apply(ws.rowHidden.pointer, weight: model.weights.lmHead.pointer, into: ws.logits.pointer,
                     rows: rows.count, inFeatures: h, outFeatures: c.vocabSize)
    }

    private func addBias(_ bias: FloatTensor, to x: UnsafeMutablePointer<Float>, rows: Int) {
        let n = bias.count
        for r in 0..<rows {
            let row = x + r * n
            for i in 0..<n { row[i] += bias.pointer[i] }
        }
    }
}
