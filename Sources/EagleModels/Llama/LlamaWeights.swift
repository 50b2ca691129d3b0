import EagleLoading

/// Weights of one Llama decoder layer.
public struct LlamaLayerWeights: Sendable {
    public let inputNorm: FloatTensor          // [H]
    public let attention: AttentionWeights
    public let postAttentionNorm: FloatTensor  // [H]
    public let mlp: MLPWeights
}

/// All weights of a Llama causal LM (HF tensor names, `model.` prefix).
public struct LlamaWeights: Sendable {
    public let embedding: FloatTensor          // [V, H]
    public let layers: [LlamaLayerWeights]
    public let finalNorm: FloatTensor          // [H]
    public let lmHead: WeightMatrix            // [V, H] (a copy of the embedding when tied)

    /// Loads and shape-checks every tensor; rejects missing and unexpected tensors.
    public init(checkpoint: Checkpoint, config c: LlamaConfig) throws {
        let h = c.hiddenSize, d = c.headDim
        let qRows = c.headCount * d, kvRows = c.kvHeadCount * d
        // Weights streamed every step live in owned, huge-page backed buffers (not the mmap).
        embedding = try checkpoint.floatTensor("model.embed_tokens.weight", shape: [c.vocabSize, h]).ownedCopy()
        layers = try (0..<c.layerCount).map { i in
            let scoped = checkpoint.scoped("model.layers.\(i).")
            return LlamaLayerWeights(
                inputNorm: try scoped.floatTensor("input_layernorm.weight", shape: [h]),
                attention: try scoped.attentionWeights(inputWidth: h, queryRows: qRows, kvRows: kvRows,
                                                       hidden: h, bias: c.attentionBias),
                postAttentionNorm: try scoped.floatTensor("post_attention_layernorm.weight", shape: [h]),
                mlp: try scoped.mlpWeights(hidden: h, intermediate: c.intermediateSize, bias: c.mlpBias))
        }
        finalNorm = try checkpoint.floatTensor("model.norm.weight", shape: [h])
        // The product streams its own packed copy; lookups read the row-major float32 embedding.
        if !c.tieWordEmbeddings {
            lmHead = try checkpoint.weightMatrix("lm_head.weight", shape: [c.vocabSize, h]).packedForKernels()
        } else if try checkpoint.info("model.embed_tokens.weight").dtype == .bf16 || checkpoint.weightDType == .bfloat16 {
            lmHead = try checkpoint.weightMatrix("model.embed_tokens.weight", shape: [c.vocabSize, h]).packedForKernels()
        } else {
            lmHead = WeightMatrix(embedding).packedForKernels()
        }
        // Tied checkpoints sometimes still carry lm_head.weight; RoPE caches are never weights.
        try checkpoint.checkAllUsed { name in
            (c.tieWordEmbeddings && name == "lm_head.weight") || name.hasSuffix("rotary_emb.inv_freq")
        }
    }
}
