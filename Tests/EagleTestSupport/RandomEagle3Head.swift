import EagleLoading
import Foundation

/// Writes a random, untrained EAGLE-3 head for a target (speculators or original layout),
/// for lossless-decoding tests that need no Python.
public enum RandomEagle3Head {
    public enum Layout: Sendable { case speculators, original }

    /// Writes `config.json` and `model.safetensors` into a new scratch directory.
    public static func write(target: LlamaConfig, draftVocabSize: Int, seed: UInt64, layout: Layout = .speculators,
                             speculativeTokens: Int = 4, normBeforeResidual: Bool = false,
                             auxLayers: [Int]? = nil, breakDraftMap: Bool = false) throws -> URL {
        let directory = try ScratchDirectory.make(prefix: "eagle3-head")
        var state = seed &+ 0x9E37_79B9_7F4A_7C15
        func random(_ count: Int, scale: Float, offset: Float = 0) -> [Float] {
            (0..<count).map { _ in
                state = state &* 6364136223846793005 &+ 1442695040888963407
                let unit = Float(state >> 40) / Float(1 << 24) - 0.5
                return offset + scale * unit
            }
        }
        let h = target.hiddenSize, d = target.headDim, i = target.intermediateSize
        let q = target.headCount * d, kv = target.kvHeadCount * d
        let prefix = layout == .speculators ? "layers.0." : "midlayer."
        // Draft vocabulary: every k-th target id, sorted (d2t holds offsets).
        let stride = max(1, target.vocabSize / draftVocabSize)
        let selected = (0..<draftVocabSize).map { $0 * stride }
        var entries: [SafetensorsWriter.Entry] = [
            .float32("fc.weight", shape: [h, 3 * h], values: random(h * 3 * h, scale: 0.1)),
            .float32(prefix + "self_attn.q_proj.weight", shape: [q, 2 * h], values: random(q * 2 * h, scale: 0.2)),
            .float32(prefix + "self_attn.k_proj.weight", shape: [kv, 2 * h], values: random(kv * 2 * h, scale: 0.2)),
            .float32(prefix + "self_attn.v_proj.weight", shape: [kv, 2 * h], values: random(kv * 2 * h, scale: 0.2)),
            .float32(prefix + "self_attn.o_proj.weight", shape: [h, q], values: random(h * q, scale: 0.2)),
            .float32(prefix + "mlp.gate_proj.weight", shape: [i, h], values: random(i * h, scale: 0.2)),
            .float32(prefix + "mlp.up_proj.weight", shape: [i, h], values: random(i * h, scale: 0.2)),
            .float32(prefix + "mlp.down_proj.weight", shape: [h, i], values: random(h * i, scale: 0.2)),
            .float32(prefix + "input_layernorm.weight", shape: [h], values: random(h, scale: 0.2, offset: 1)),
            .float32(prefix + "hidden_norm.weight", shape: [h], values: random(h, scale: 0.2, offset: 1)),
            .float32(prefix + "post_attention_layernorm.weight", shape: [h], values: random(h, scale: 0.2, offset: 1)),
            .float32("norm.weight", shape: [h], values: random(h, scale: 0.2, offset: 1)),
            .float32("lm_head.weight", shape: [draftVocabSize, h], values: random(draftVocabSize * h, scale: 0.5)),
        ]
        if draftVocabSize < target.vocabSize {
            var d2t = selected.enumerated().map { Int64($1 - $0) }
            if breakDraftMap { d2t[d2t.count - 1] += Int64(target.vocabSize) }
            var mask = [UInt8](repeating: 0, count: target.vocabSize)
            for id in selected { mask[id] = 1 }
            entries.append(.init(name: "d2t", dtype: .i64, shape: [draftVocabSize], bytes: d2t.withUnsafeBytes { Data($0) }))
            entries.append(.init(name: "t2d", dtype: .bool, shape: [target.vocabSize], bytes: Data(mask)))
        }
        try SafetensorsWriter.write(entries, to: directory.appendingPathComponent("model.safetensors"))
        try config(target: target, draftVocabSize: draftVocabSize, layout: layout, speculativeTokens: speculativeTokens,
                   normBeforeResidual: normBeforeResidual, auxLayers: auxLayers)
            .write(to: directory.appendingPathComponent("config.json"))
        return directory
    }

    static func config(target t: LlamaConfig, draftVocabSize: Int, layout: Layout, speculativeTokens: Int,
                       normBeforeResidual: Bool, auxLayers: [Int]?) -> Data {
        let aux = auxLayers.map { "\"eagle_aux_hidden_state_layer_ids\": \($0), " } ?? ""
        let layer = """
        "hidden_size": \(t.hiddenSize), "intermediate_size": \(t.intermediateSize), "num_attention_heads": \(t.headCount),
        "num_key_value_heads": \(t.kvHeadCount), "rms_norm_eps": \(t.rmsNormEpsilon), "vocab_size": \(t.vocabSize),
        "num_hidden_layers": 1, "rope_theta": \(t.ropeTheta), "max_position_embeddings": \(t.maxPositionEmbeddings)
        """
        switch layout {
        case .speculators:
            return Data("""
            {"architectures": ["Eagle3Speculator"], "speculators_model_type": "eagle3", \(aux)"draft_vocab_size": \(draftVocabSize),
             "norm_before_residual": \(normBeforeResidual), "transformer_layer_config": {"model_type": "llama", "head_dim": \(t.headDim), \(layer)},
             "speculators_config": {"algorithm": "eagle3", "proposal_methods": [{"proposal_type": "greedy", "speculative_tokens": \(speculativeTokens)}],
                                    "default_proposal_method": "greedy", "verifier": {"name_or_path": "target", "architectures": ["LlamaForCausalLM"]}}}
            """.utf8)
        case .original:
            return Data("""
            {"architectures": ["LlamaForCausalLMEagle3"], "model_type": "llama", "draft_vocab_size": \(draftVocabSize), \(layer)}
            """.utf8)
        }
    }
}
