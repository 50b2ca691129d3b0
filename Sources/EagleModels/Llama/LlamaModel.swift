// Llama causal LM (transformers `models/llama/modeling_llama.py`; EAGLE3_SPEC.md §4.8):
// pre-norm blocks, RMSNorm, rotate-half RoPE, GQA attention, SwiGLU MLP, final norm, lm_head.
import EagleKernels
import EagleLoading
import Foundation

/// An immutable, loaded Llama model. Run it through a `LlamaContext`.
public final class LlamaModel: Sendable {
    public let config: LlamaConfig
    public let weights: LlamaWeights
    public let rotary: RotaryEmbedding
    public let attention: CausalAttention

    /// Loads `config.json` and the safetensors weights from an HF-layout directory, matmul
    /// weights kept as `weightDType` says.
    public convenience init(directory: URL, weightDType: WeightDType = .auto) throws {
        let config = try LlamaConfig(directory: directory)
        try self.init(config: config, checkpoint: Checkpoint(directory: directory, weightDType: weightDType))
    }

    public init(config: LlamaConfig, checkpoint: Checkpoint) throws {
        self.config = config
        weights = try LlamaWeights(checkpoint: checkpoint, config: config)
        rotary = RotaryEmbedding(headDim: config.headDim, theta: config.ropeTheta, scaling: config.ropeScaling)
        attention = CausalAttention(heads: config.headCount, kvHeads: config.kvHeadCount, headDim: config.headDim)
    }

    var geometry: LayerGeometry {
        LayerGeometry(hidden: config.hiddenSize, heads: config.headCount, kvHeads: config.kvHeadCount,
                      headDim: config.headDim, intermediate: config.intermediateSize,
                      attentionInput: config.hiddenSize, vocabulary: config.vocabSize)
    }

    /// A KV cache shaped for this model.
    public func makeCache(capacity positions: Int, blockSize: Int = 16) -> KVCache {
        KVCache(layerCount: config.layerCount, width: config.kvHeadCount * config.headDim,
                capacity: positions, blockSize: blockSize)
    }

    /// Weight bytes a decode step reads: every layer matrix (in its storage type) and norm,
    /// the final norm and the lm_head (the embedding rows read are negligible).
    public var weightByteCount: Int {
        let float = MemoryLayout<Float>.size
        let layers = weights.layers.reduce(0) { total, l in
            total + (l.inputNorm.count + l.postAttentionNorm.count) * float + l.attention.qkv.byteCount
                + l.attention.output.byteCount + l.mlp.gateUp.byteCount + l.mlp.down.byteCount
        }
        return layers + weights.finalNorm.count * float + weights.lmHead.byteCount
    }
}
