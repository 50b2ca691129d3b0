// EAGLE-3 draft head (EAGLE3_SPEC.md §3.3–3.6; vLLM `llama_eagle3.py`): fc over the target's
// aux hidden states, one decoder layer whose attention reads [norm(embedding) ‖ norm(hidden)]
// (2H wide), a final norm and a reduced-vocabulary lm_head mapped to target ids by `d2t`.
import EagleKernels
import EagleLoading
import Foundation

/// Errors found when a draft head does not fit its target.
public enum DraftCompatibilityError: Error, Equatable, CustomStringConvertible {
    case hiddenSizeMismatch(draft: Int, target: Int)
    case vocabularyMismatch(draft: Int, target: Int)
    case auxLayerOutOfRange(layer: Int, targetLayers: Int)
    case draftToTargetOutOfRange(draftID: Int, targetID: Int, vocabularySize: Int)
    case auxWidthMismatch(fcInput: Int, expected: Int)

    public var description: String {
        switch self {
        case .hiddenSizeMismatch(let d, let t): "draft hidden size \(d) ≠ target hidden size \(t)"
        case .vocabularyMismatch(let d, let t): "draft vocab_size \(d) ≠ target vocab_size \(t)"
        case .auxLayerOutOfRange(let l, let n): "aux hidden state layer id \(l) is not < the target's \(n) layers"
        case .draftToTargetOutOfRange(let d, let t, let v): "d2t maps draft id \(d) to \(t), outside the target vocabulary (0..<\(v))"
        case .auxWidthMismatch(let w, let e): "fc input width \(w) ≠ aux layers × target hidden size (\(e))"
        }
    }
}

/// Weights of an EAGLE-3 head, shared target tensors resolved.
public struct Eagle3Weights: Sendable {
    /// `fc` split by aux chunk: `fc[j]` is `[H, H_t]`, so `fc(concat(aux)) = Σ_j aux_j · fc[j]ᵀ`.
    public let fc: [WeightMatrix]
    public let inputNorm: FloatTensor?          // [A·H_t] (norm_before_fc)
    public let fcNorms: [FloatTensor]           // A × [H_t] (fc_norm)
    public let embedding: FloatTensor           // [V, H] (own, or the target's)
    public let embeddingNorm: FloatTensor       // layers.0.input_layernorm [H]
    public let hiddenNorm: FloatTensor          // layers.0.hidden_norm [H]
    public let attention: AttentionWeights      // qkv input width 2H
    public let postAttentionNorm: FloatTensor   // [H]
    public let mlp: MLPWeights
    public let finalNorm: FloatTensor           // [H]
    public let lmHead: WeightMatrix             // [Vd, H]
    /// Target id of each draft id (`d + d2t[d]`), `[Vd]`.
    public let draftToTarget: [Int32]
}

/// An immutable, loaded EAGLE-3 head bound to its target model.
public final class Eagle3Draft: Sendable {
    public let config: EagleDraftConfig
    public let weights: Eagle3Weights
    /// Target layers whose input hidden states the head consumes, ascending.
    public let auxLayers: [Int]
    public let rotary: RotaryEmbedding
    public let attention: CausalAttention

    /// Loads a head directory (speculators or original EAGLE-3 format) for `target`.
    public convenience init(directory: URL, target: LlamaModel) throws {
        let config = try EagleDraftConfig(directory: directory)
        try self.init(config: config, checkpoint: Checkpoint(directory: directory), target: target)
    }

    public init(config c: EagleDraftConfig, checkpoint: Checkpoint, target: LlamaModel) throws {
        let t = target.config
        guard c.vocabSize == t.vocabSize else { throw DraftCompatibilityError.vocabularyMismatch(draft: c.vocabSize, target: t.vocabSize) }
        guard c.targetHiddenSize == t.hiddenSize else {
            throw DraftCompatibilityError.hiddenSizeMismatch(draft: c.targetHiddenSize, target: t.hiddenSize)
        }
        let aux = Array(Set(c.auxLayerIDs ?? target.config.defaultAuxLayers)).sorted()
        for layer in aux where layer < 0 || layer >= t.layerCount {
            throw DraftCompatibilityError.auxLayerOutOfRange(layer: layer, targetLayers: t.layerCount)
        }
        let h = c.hiddenSize, ht = c.targetHiddenSize, d = c.headDim
        let fcInfo = try checkpoint.info("fc.weight")
        guard fcInfo.shape.count == 2, fcInfo.shape[0] == h, fcInfo.shape[1] == aux.count * ht else {
            throw DraftCompatibilityError.auxWidthMismatch(fcInput: fcInfo.shape.count == 2 ? fcInfo.shape[1] : -1,
                                                           expected: aux.count * ht)
        }
        if !checkpoint.contains("embed_tokens.weight"), h != t.hiddenSize {
            throw DraftCompatibilityError.hiddenSizeMismatch(draft: h, target: t.hiddenSize)
        }
        let fc = try checkpoint.weightMatrix("fc.weight", shape: [h, aux.count * ht])
        let layer = checkpoint.scoped(c.layerPrefix)
        let draftToTarget = try Self.vocabularyMap(checkpoint: checkpoint, config: c)
        weights = Eagle3Weights(
            fc: fc.splittingColumns(into: aux.count).map { $0.packedForKernels() },
            inputNorm: c.normBeforeFC ? try checkpoint.floatTensor("input_norm.weight", shape: [aux.count * ht]) : nil,
            fcNorms: c.fcNorm ? try (0..<aux.count).map { try checkpoint.floatTensor("fc_norm.\($0).weight", shape: [ht]) } : [],
            embedding: checkpoint.contains("embed_tokens.weight")
                ? try checkpoint.floatTensor("embed_tokens.weight", shape: [c.vocabSize, h]) : target.weights.embedding,
            embeddingNorm: try layer.floatTensor("input_layernorm.weight", shape: [h]),
            hiddenNorm: try layer.floatTensor("hidden_norm.weight", shape: [h]),
            attention: try layer.attentionWeights(inputWidth: 2 * h, queryRows: c.headCount * d,
                                                  kvRows: c.kvHeadCount * d, hidden: h, bias: c.attentionBias),
            postAttentionNorm: try layer.floatTensor("post_attention_layernorm.weight", shape: [h]),
            mlp: try layer.mlpWeights(hidden: h, intermediate: c.intermediateSize, bias: false),
            finalNorm: try checkpoint.floatTensor("norm.weight", shape: [h]),
            lmHead: checkpoint.contains("lm_head.weight") || c.draftVocabSize != c.vocabSize
                ? try checkpoint.weightMatrix("lm_head.weight", shape: [c.draftVocabSize, h]).packedForKernels()
                : target.weights.lmHead,
            draftToTarget: draftToTarget)
        if checkpoint.contains("t2d") {
            let mask = try checkpoint.booleans("t2d")
            guard mask.count == c.vocabSize else {
                throw LoadError.shapeMismatch(file: checkpoint.directory.path, tensor: "t2d", expected: [c.vocabSize], actual: [mask.count])
            }
        }
        try checkpoint.checkAllUsed { $0 == "t2d" || $0.hasSuffix("rotary_emb.inv_freq") }
        config = c
        auxLayers = aux
        rotary = RotaryEmbedding(headDim: d, theta: c.ropeTheta, scaling: c.ropeScaling)
        attention = CausalAttention(heads: c.headCount, kvHeads: c.kvHeadCount, headDim: d)
    }

    /// `d2t` offsets → target ids, checked to lie in the target vocabulary.
    private static func vocabularyMap(checkpoint: Checkpoint, config c: EagleDraftConfig) throws -> [Int32] {
        guard checkpoint.contains("d2t") else {
            guard c.draftVocabSize == c.vocabSize else { throw LoadError.missingTensor(tensor: "d2t", files: checkpoint.files.map(\.path)) }
            return (0..<Int32(c.vocabSize)).map { $0 }
        }
        let offsets = try checkpoint.integers("d2t")
        guard offsets.count == c.draftVocabSize else {
            throw LoadError.shapeMismatch(file: checkpoint.directory.path, tensor: "d2t", expected: [c.draftVocabSize], actual: [offsets.count])
        }
        return try offsets.enumerated().map { draft, offset in
            let target = draft + offset
            guard target >= 0, target < c.vocabSize else {
                throw DraftCompatibilityError.draftToTargetOutOfRange(draftID: draft, targetID: target, vocabularySize: c.vocabSize)
            }
            return Int32(target)
        }
    }

    var geometry: LayerGeometry {
        LayerGeometry(hidden: config.hiddenSize, heads: config.headCount, kvHeads: config.kvHeadCount, headDim: config.headDim,
                      intermediate: config.intermediateSize, attentionInput: 2 * config.hiddenSize,
                      vocabulary: config.draftVocabSize)
    }

    /// A KV cache shaped for the head's single layer.
    public func makeCache(capacity positions: Int, blockSize: Int = 16) -> KVCache {
        KVCache(layerCount: 1, width: config.kvHeadCount * config.headDim, capacity: positions, blockSize: blockSize)
    }
}
