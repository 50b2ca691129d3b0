import EagleKernels
import EagleLoading

/// Errors of a forward pass (bad input, not programmer error).
public enum ForwardError: Error, Equatable, CustomStringConvertible {
    case tokenOutOfRange(token: Int, vocabularySize: Int)
    case positionPastEnd(sequence: Int, startPosition: Int, length: Int)
    case layerOutOfRange(layer: Int, layerCount: Int)
    case rowOutOfRange(row: Int, tokenCount: Int)
    case contextTooLong(position: Int, maximum: Int)
    case layerNotCaptured(layer: Int)

    public var description: String {
        switch self {
        case .tokenOutOfRange(let t, let v): "token id \(t) is outside the vocabulary (0..<\(v))"
        case .positionPastEnd(let s, let p, let l): "sequence \(s): start position \(p) is past its length \(l)"
        case .layerOutOfRange(let l, let n): "cannot capture hidden state entering layer \(l): the model has \(n) layers"
        case .rowOutOfRange(let r, let n): "logit row \(r) is outside the batch (\(n) tokens)"
        case .contextTooLong(let p, let m): "position \(p) exceeds the maximum context \(m)"
        case .layerNotCaptured(let l): "the target does not capture the hidden states entering layer \(l)"
        }
    }
}

/// The mutable state needed to run a `LlamaModel`: its KV cache and preallocated
/// activation buffers (llama.cpp's context). One context serves one thread.
///
///     let context = LlamaContext(model: model, cacheCapacity: 4096)
///     let seq = context.cache.addSequence()
///     var batch = ForwardBatch()
///     batch.append(sequence: seq, tokens: promptIDs, startPosition: 0)
///     batch.requestLogits(rows: [promptIDs.count - 1])
///     try context.forward(batch)
///     let next = context.argmax(row: 0)
public final class LlamaContext {
    public let model: LlamaModel
    public let cache: KVCache
    /// Layers whose input residual stream is captured on every forward (sorted).
    public private(set) var capturedLayers: [Int] = []
    let workspace = Workspace()
    /// Largest position the context accepts (the cache may be smaller).
    public let maxPositions: Int

    public init(model: LlamaModel, cache: KVCache) {
        self.model = model
        self.cache = cache
        self.maxPositions = max(model.config.maxPositionEmbeddings, cache.blockCount * cache.blockSize)
    }

    public convenience init(model: LlamaModel, cacheCapacity: Int, blockSize: Int = 16) {
        self.init(model: model, cache: model.makeCache(capacity: cacheCapacity, blockSize: blockSize))
    }

    /// Chooses the layers whose input hidden states each forward records (EAGLE-3 aux states,
    /// EAGLE3_SPEC.md §3.1). Id `k` is the residual stream entering layer `k`; `L` is the
    /// stream after the last layer, before the final norm.
    public func captureHiddenStates(enteringLayers layers: [Int]) throws {
        for l in layers where l < 0 || l > model.config.layerCount {
            throw ForwardError.layerOutOfRange(layer: l, layerCount: model.config.layerCount)
        }
        capturedLayers = Array(Set(layers)).sorted()
    }

    /// Logits of the `i`-th requested row of the last forward (`[vocab]`), valid until the next forward.
    public func logits(row i: Int) -> UnsafeBufferPointer<Float> {
        let v = model.config.vocabSize
        return UnsafeBufferPointer(start: workspace.logits.pointer + i * v, count: v)
    }

    /// Argmax of the `i`-th requested logits row (first maximal index).
    public func argmax(row i: Int) -> Int {
        SIMDMath.argmax(workspace.logits.pointer + i * model.config.vocabSize, count: model.config.vocabSize)
    }

    /// Hidden states captured at `capturedLayers[index]` for every token row of the last
    /// forward (`[numTokens, H]`), valid until the next forward.
    public func capturedHiddenStates(_ index: Int) -> UnsafeBufferPointer<Float> {
        UnsafeBufferPointer(start: workspace.captured.pointer + index * workspace.capacity * model.config.hiddenSize,
                            count: workspace.tokenCount * model.config.hiddenSize)
    }

    /// Final hidden states (after the final norm) of the requested logit rows (`[rows, H]`).
    public func finalHiddenStates() -> UnsafeBufferPointer<Float> {
        UnsafeBufferPointer(start: workspace.rowHidden.pointer, count: workspace.logitRowCount * model.config.hiddenSize)
    }
}
