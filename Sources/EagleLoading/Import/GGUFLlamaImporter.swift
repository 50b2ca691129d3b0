import Foundation

/// Converts a llama.cpp GGUF of a Llama model into an HF-layout directory:
/// `config.json`, `model.safetensors` (F32, dequantized), `tokenizer.json`,
/// `tokenizer_config.json` (with the chat template) and `generation_config.json`.
///
/// llama.cpp's converter permutes the rows of `attn_q`/`attn_k` for its RoPE layout
/// (`convert_hf_to_gguf.py`, `LlamaModel.permute`); the importer undoes it so the weights are
/// in HF's rotate-half order. The directory is written under a temporary name and renamed
/// into place, so an interrupted import never leaves a half-written model.
public struct GGUFLlamaImporter {
    public let gguf: GGUFFile

    public init(gguf: URL) throws {
        self.gguf = try GGUFFile(gguf)
        let architecture = try self.gguf.string("general.architecture")
        guard architecture == "llama" else {
            throw ConfigError.unsupportedArchitecture(file: self.gguf.path, found: architecture, supported: ["llama"])
        }
    }

    /// Writes the HF directory at `directory` (which must not exist yet), reporting tensors done.
    public func write(to directory: URL, progress: (_ done: Int, _ total: Int) -> Void = { _, _ in }) throws {
        let fm = FileManager.default
        guard !fm.fileExists(atPath: directory.path) else {
            throw ConfigError.invalidValue(file: directory.path, path: "", reason: "output directory already exists")
        }
        let staging = directory.deletingLastPathComponent().appendingPathComponent(".\(directory.lastPathComponent).partial")
        try? fm.removeItem(at: staging)
        try fm.createDirectory(at: staging, withIntermediateDirectories: true)
        do {
            let config = try configJSON()
            let tokenizer = try GGUFTokenizerExport(gguf: gguf)
            try writeJSON(config, to: staging.appendingPathComponent("config.json"))
            try writeJSON(try tokenizer.tokenizerJSON(), to: staging.appendingPathComponent("tokenizer.json"))
            try writeJSON(tokenizer.tokenizerConfigJSON(maxLength: config["max_position_embeddings"] as! Int),
                          to: staging.appendingPathComponent("tokenizer_config.json"))
            var generation: [String: Any] = ["do_sample": false]
            generation["bos_token_id"] = config["bos_token_id"]
            generation["eos_token_id"] = config["eos_token_id"]
            try writeJSON(generation, to: staging.appendingPathComponent("generation_config.json"))
            try writeWeights(to: staging.appendingPathComponent("model.safetensors"), progress: progress)
            try fm.moveItem(at: staging, to: directory)
        } catch {
            try? fm.removeItem(at: staging)
            throw error
        }
    }

    private var heads: Int { get throws { try gguf.int("llama.attention.head_count") } }
    private var kvHeads: Int { get throws { try gguf.metadata["llama.attention.head_count_kv"]?.int ?? heads } }

    func configJSON() throws -> [String: Any] {
        let hidden = try gguf.int("llama.embedding_length")
        let heads = try heads
        let embedding = try gguf.tensor("token_embd.weight")
        if gguf.tensors.contains(where: { $0.name == "rope_freqs.weight" }) {
            throw ConfigError.invalidValue(file: gguf.path, path: "rope_freqs.weight",
                                           reason: "GGUFs with precomputed RoPE frequency factors are not supported")
        }
        var config: [String: Any] = [
            "architectures": ["LlamaForCausalLM"],
            "model_type": "llama",
            "hidden_act": "silu",
            "hidden_size": hidden,
            "intermediate_size": try gguf.int("llama.feed_forward_length"),
            "num_hidden_layers": try gguf.int("llama.block_count"),
            "num_attention_heads": heads,
            "num_key_value_heads": try kvHeads,
            "head_dim": gguf.metadata["llama.rope.dimension_count"]?.int ?? hidden / heads,
            "rms_norm_eps": try gguf.double("llama.attention.layer_norm_rms_epsilon"),
            "rope_theta": gguf.metadata["llama.rope.freq_base"]?.double ?? 10_000,
            "rope_scaling": NSNull(),
            "max_position_embeddings": try gguf.int("llama.context_length"),
            "vocab_size": gguf.hfShape(of: embedding)[0],
            "tie_word_embeddings": !gguf.tensors.contains { $0.name == "output.weight" },
            "attention_bias": false,
            "mlp_bias": false,
            "torch_dtype": "float32",
        ]
        if let type = gguf.metadata["llama.rope.scaling.type"]?.string, type != "none" {
            guard type == "linear", let factor = gguf.metadata["llama.rope.scaling.factor"]?.double else {
                throw ConfigError.invalidValue(file: gguf.path, path: "llama.rope.scaling.type", reason: "unsupported '\(type)'")
            }
            config["rope_scaling"] = ["rope_type": "linear", "factor": factor]
        }
        if let bos = gguf.metadata["tokenizer.ggml.bos_token_id"]?.int { config["bos_token_id"] = bos }
        if let eos = gguf.metadata["tokenizer.ggml.eos_token_id"]?.int { config["eos_token_id"] = eos }
        return config
    }

    /// GGUF tensor name → HF tensor name, and whether its rows need un-permuting (q/k).
    func hfName(_ name: String) throws -> (String, permutedHeads: Int?) {
        switch name {
        case "token_embd.weight": return ("model.embed_tokens.weight", nil)
        case "output_norm.weight": return ("model.norm.weight", nil)
        case "output.weight": return ("lm_head.weight", nil)
        default: break
        }
        let parts = name.split(separator: ".")
        guard parts.count == 4, parts[0] == "blk", let layer = Int(parts[1]) else {
            throw LoadError.invalidValue(file: gguf.path, tensor: name, reason: "unexpected tensor in a llama GGUF")
        }
        let suffix = parts[3]
        let prefix = "model.layers.\(layer)."
        switch parts[2] {
        case "attn_norm": return (prefix + "input_layernorm.\(suffix)", nil)
        case "ffn_norm": return (prefix + "post_attention_layernorm.\(suffix)", nil)
        case "attn_q": return (prefix + "self_attn.q_proj.\(suffix)", try heads)
        case "attn_k": return (prefix + "self_attn.k_proj.\(suffix)", try kvHeads)
        case "attn_v": return (prefix + "self_attn.v_proj.\(suffix)", nil)
        case "attn_output": return (prefix + "self_attn.o_proj.\(suffix)", nil)
        case "ffn_gate": return (prefix + "mlp.gate_proj.\(suffix)", nil)
        case "ffn_up": return (prefix + "mlp.up_proj.\(suffix)", nil)
        case "ffn_down": return (prefix + "mlp.down_proj.\(suffix)", nil)
        default:
            throw LoadError.invalidValue(file: gguf.path, tensor: name, reason: "unexpected tensor in a llama GGUF")
        }
    }

    private func writeWeights(to url: URL, progress: (Int, Int) -> Void) throws {
        var entries: [SafetensorsWriter.Entry] = []
        for (i, info) in gguf.tensors.enumerated() {
            let (name, permutedHeads) = try hfName(info.name)
            let shape = gguf.hfShape(of: info)
            var values = try gguf.floats(info.name)
            if let heads = permutedHeads {
                values = Self.unpermuteRotaryRows(values, heads: heads, rows: shape[0], columns: shape.count > 1 ? shape[1] : 1)
            }
            entries.append(.float32(name, shape: shape, values: values))
            progress(i + 1, gguf.tensors.count + 1)
        }
        try SafetensorsWriter.write(entries, to: url, metadata: ["format": "pt"])
        progress(gguf.tensors.count + 1, gguf.tensors.count + 1)
    }

    /// Inverse of llama.cpp's `permute`: within each head, GGUF row `2i + j` holds HF row
    /// `j · d/2 + i` (interleaved pairs → rotate-half halves).
    static func unpermuteRotaryRows(_ values: [Float], heads: Int, rows: Int, columns: Int) -> [Float] {
        let headDim = rows / heads
        var out = [Float](repeating: 0, count: values.count)
        for head in 0..<heads {
            for within in 0..<headDim {
                let source = head * headDim + within
                let target = head * headDim + (within % 2) * (headDim / 2) + within / 2
                for c in 0..<columns { out[target * columns + c] = values[source * columns + c] }
            }
        }
        return out
    }

    private func writeJSON(_ object: [String: Any], to url: URL) throws {
        let data = try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
        try data.write(to: url)
    }
}
