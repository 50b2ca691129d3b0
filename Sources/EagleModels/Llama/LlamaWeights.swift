import EagleLoading

/// Weights of one Llama decoder layer, with q/k/v and gate/up fused row-wise at load so
/// that each is a single matmul.
public struct LlamaLayerWeights: Sendable {
    public let inputNorm: FloatTensor          // [H]
    public let qkv: FloatTensor                // [(nH + 2·nKV)·d, H]
    public let qkvBias: FloatTensor?           // [(nH + 2·nKV)·d]
    public let output: FloatTensor             // [H, nH·d]
    public let outputBias: FloatTensor?        // [H]
    public let postAttentionNorm: FloatTensor  // [H]
    public let gateUp: FloatTensor             // [2·I, H]
    public let gateUpBias: FloatTensor?        // [2·I]
    public let down: FloatTensor               // [H, I]
    public let downBias: FloatTensor?          // [H]
}

/// All weights of a Llama causal LM (HF tensor names, `model.` prefix).
public struct LlamaWeights: Sendable {
    public let embedding: FloatTensor          // [V, H]
    public let layers: [LlamaLayerWeights]
    public let finalNorm: FloatTensor          // [H]
    public let lmHead: FloatTensor             // [V, H] (the embedding when tied)

    /// Loads and shape-checks every tensor; rejects missing and unexpected tensors.
    public init(checkpoint: Checkpoint, config c: LlamaConfig) throws {
        let h = c.hiddenSize, d = c.headDim
        let qRows = c.headCount * d, kvRows = c.kvHeadCount * d
        embedding = try checkpoint.floatTensor("model.embed_tokens.weight", shape: [c.vocabSize, h])
        layers = try (0..<c.layerCount).map { i in
            let p = "model.layers.\(i)."
            func weight(_ name: String, _ shape: [Int]) throws -> FloatTensor {
                try checkpoint.floatTensor(p + name, shape: shape)
            }
            func bias(_ name: String, _ size: Int, present: Bool) throws -> FloatTensor? {
                present ? try checkpoint.floatTensor(p + name, shape: [size]) : nil
            }
            let b = c.attentionBias, mb = c.mlpBias
            return LlamaLayerWeights(
                inputNorm: try weight("input_layernorm.weight", [h]),
                qkv: try fuseRows([weight("self_attn.q_proj.weight", [qRows, h]),
                                   weight("self_attn.k_proj.weight", [kvRows, h]),
                                   weight("self_attn.v_proj.weight", [kvRows, h])]),
                qkvBias: b ? try fuseRows([bias("self_attn.q_proj.bias", qRows, present: true)!,
                                           bias("self_attn.k_proj.bias", kvRows, present: true)!,
                                           bias("self_attn.v_proj.bias", kvRows, present: true)!]) : nil,
                output: try weight("self_attn.o_proj.weight", [h, qRows]),
                outputBias: try bias("self_attn.o_proj.bias", h, present: b),
                postAttentionNorm: try weight("post_attention_layernorm.weight", [h]),
                gateUp: try fuseRows([weight("mlp.gate_proj.weight", [c.intermediateSize, h]),
                                      weight("mlp.up_proj.weight", [c.intermediateSize, h])]),
                gateUpBias: mb ? try fuseRows([bias("mlp.gate_proj.bias", c.intermediateSize, present: true)!,
                                               bias("mlp.up_proj.bias", c.intermediateSize, present: true)!]) : nil,
                down: try weight("mlp.down_proj.weight", [h, c.intermediateSize]),
                downBias: try bias("mlp.down_proj.bias", h, present: mb))
        }
        finalNorm = try checkpoint.floatTensor("model.norm.weight", shape: [h])
        if c.tieWordEmbeddings {
            lmHead = embedding
        } else {
            lmHead = try checkpoint.floatTensor("lm_head.weight", shape: [c.vocabSize, h])
        }
        // Tied checkpoints sometimes still carry lm_head.weight; RoPE caches are never weights.
        try checkpoint.checkAllUsed { name in
            (c.tieWordEmbeddings && name == "lm_head.weight") || name.hasSuffix("rotary_emb.inv_freq")
        }
    }
}

/// Concatenates tensors along their first dimension into one new buffer.
func fuseRows(_ parts: [FloatTensor]) -> FloatTensor {
    let total = parts.reduce(0) { $0 + $1.count }
    let buffer = FloatBuffer(count: total)
    var offset = 0
    for part in parts {
        (buffer.pointer + offset).update(from: part.pointer, count: part.count)
        offset += part.count
    }
    let rows = parts.reduce(0) { $0 + $1.shape[0] }
    return buffer.tensor(shape: [rows] + parts[0].shape.dropFirst())
}
