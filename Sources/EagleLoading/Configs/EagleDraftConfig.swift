import EagleKernels
import Foundation

/// One internal description of an EAGLE draft head, whatever format its checkpoint uses
/// (EAGLE3_SPEC.md §1–2): the speculators library format (`speculators_model_type`) or the
/// original EAGLE-3 / ModelOpt format (`LlamaForCausalLMEagle3`, `midlayer.*` tensors).
public struct EagleDraftConfig: Sendable, Equatable {
    public enum Method: String, Sendable { case eagle, eagle3 }
    public enum Format: String, Sendable { case speculators, original }

    public var method: Method
    public var format: Format
    /// The architecture name that selected this config (see `EagleDraftRegistry`).
    public var architecture: String
    public var hiddenSize: Int
    /// Width of each target hidden state fed to `fc` (`target_hidden_size`, default H).
    public var targetHiddenSize: Int
    public var intermediateSize: Int
    public var layerCount: Int
    public var headCount: Int
    public var kvHeadCount: Int
    public var headDim: Int
    public var rmsNormEpsilon: Float
    public var ropeTheta: Float
    public var ropeScaling: RopeScaling
    public var vocabSize: Int
    public var draftVocabSize: Int
    public var attentionBias: Bool
    public var normBeforeResidual: Bool
    public var normBeforeFC: Bool
    public var fcNorm: Bool
    public var normOutput: Bool
    /// Target layers whose input hidden states feed the draft (nil: the target's default).
    public var auxLayerIDs: [Int]?
    /// Draft tokens per step (`speculative_tokens`; vLLM's `num_lookahead_tokens` default 5).
    public var numSpeculativeTokens: Int
    /// Tensor prefix of the first decoder layer (`layers.0.` or `midlayer.`).
    public var layerPrefix: String

    public static let defaultSpeculativeTokens = 5

    /// Reads `config.json` in `directory`.
    public init(directory: URL) throws {
        try self.init(json: JSONFile(directory.appendingPathComponent("config.json")))
    }

    public init(json: JSONFile) throws {
        if let modelType = try json.optionalString("speculators_model_type") {
            try self.init(speculators: json, modelType: modelType)
        } else {
            try self.init(original: json)
        }
        try validate(file: json.file)
    }

    /// speculators format: decoder fields under `transformer_layer_config`, EAGLE-3 switches
    /// at the top level; `norm_before_residual` defaults to true when absent, as vLLM's adapter.
    private init(speculators json: JSONFile, modelType: String) throws {
        guard modelType == "eagle3" else {
            throw ConfigError.invalidValue(file: json.file, path: "speculators_model_type",
                                           reason: "unsupported '\(modelType)' (supported: eagle3)")
        }
        let layer = try json.object("transformer_layer_config")
        let layerType = try layer.optionalString("model_type") ?? "llama"
        guard layerType == "llama" else {
            throw ConfigError.invalidValue(file: json.file, path: "transformer_layer_config.model_type",
                                           reason: "unsupported '\(layerType)' (supported: llama)")
        }
        method = .eagle3
        format = .speculators
        architecture = (try? json.strings("architectures").first) ?? "Eagle3Speculator"
        try EagleDraftRegistry.check(architecture: architecture, method: .eagle3, file: json.file)
        hiddenSize = try layer.int("hidden_size")
        intermediateSize = try layer.int("intermediate_size")
        layerCount = try layer.int("num_hidden_layers", default: 1)
        headCount = try layer.int("num_attention_heads")
        kvHeadCount = try layer.int("num_key_value_heads", default: headCount)
        headDim = try layer.int("head_dim", default: hiddenSize / max(headCount, 1))
        rmsNormEpsilon = Float(try layer.double("rms_norm_eps", default: 1e-6))
        (ropeTheta, ropeScaling) = try LlamaConfig.rope(layer, defaultTheta: 10_000)
        vocabSize = try layer.int("vocab_size")
        draftVocabSize = try json.int("draft_vocab_size", default: vocabSize)
        attentionBias = try layer.bool("attention_bias", default: false)
        targetHiddenSize = try json.int("target_hidden_size", default: hiddenSize)
        normBeforeResidual = try json.bool("norm_before_residual", default: true)
        normBeforeFC = try json.bool("norm_before_fc", default: false)
        fcNorm = try json.bool("fc_norm", default: false)
        normOutput = try json.bool("norm_output", default: false)
        auxLayerIDs = json.has("eagle_aux_hidden_state_layer_ids") ? try json.ints("eagle_aux_hidden_state_layer_ids") : nil
        numSpeculativeTokens = try Self.speculativeTokens(json)
        layerPrefix = "layers.0."
    }

    /// The original EAGLE-3 format: a Llama-style config; `head_dim` is always H / nH and
    /// RoPE θ defaults to 10000 (the training code's value).
    private init(original json: JSONFile) throws {
        let architectures = json.has("architectures") ? try json.strings("architectures") : []
        let modelType = try json.optionalString("model_type") ?? ""
        guard let (name, method) = EagleDraftRegistry.resolve(architectures: architectures, modelType: modelType) else {
            throw ConfigError.unsupportedArchitecture(file: json.file, found: architectures.joined(separator: ", "),
                                                      supported: EagleDraftRegistry.supported)
        }
        guard method == .eagle3 else {
            throw ConfigError.invalidValue(file: json.file, path: "architectures",
                                           reason: "EAGLE v1 heads ('\(name)') are not supported yet; use an EAGLE-3 head")
        }
        self.method = method
        format = .original
        architecture = name
        hiddenSize = try json.int("hidden_size")
        intermediateSize = try json.int("intermediate_size")
        layerCount = try json.int("num_hidden_layers", default: 1)
        headCount = try json.int("num_attention_heads")
        kvHeadCount = try json.int("num_key_value_heads", default: headCount)
        headDim = hiddenSize / max(headCount, 1)
        rmsNormEpsilon = Float(try json.double("rms_norm_eps", default: 1e-6))
        (ropeTheta, ropeScaling) = try LlamaConfig.rope(json, defaultTheta: 10_000)
        vocabSize = try json.int("vocab_size")
        draftVocabSize = try json.int("draft_vocab_size", default: vocabSize)
        attentionBias = try json.bool("attention_bias", default: false)
        targetHiddenSize = try json.int("target_hidden_size", default: hiddenSize)
        normBeforeResidual = false
        let eagle = try json.optionalObject("eagle_config")
        normBeforeFC = try eagle?.bool("norm_before_fc", default: false) ?? false
        fcNorm = false
        normOutput = false
        if let eagle, eagle.has("eagle_aux_hidden_state_layer_ids") {
            auxLayerIDs = try eagle.ints("eagle_aux_hidden_state_layer_ids")
        } else {
            auxLayerIDs = nil
        }
        numSpeculativeTokens = Self.defaultSpeculativeTokens
        layerPrefix = "midlayer."
    }

    private static func speculativeTokens(_ json: JSONFile) throws -> Int {
        guard let speculators = try json.optionalObject("speculators_config"),
              case .array(let methods)? = speculators.storage["proposal_methods"],
              case .object(let first)? = methods.first
        else { return defaultSpeculativeTokens }
        let method = JSONFile(storage: first, file: json.file, path: "speculators_config.proposal_methods[0]")
        return try method.int("speculative_tokens", default: defaultSpeculativeTokens)
    }

    private func validate(file: String) throws {
        try ConfigError.requirePositive(["hidden_size": hiddenSize, "num_attention_heads": headCount,
                                         "num_key_value_heads": kvHeadCount, "vocab_size": vocabSize,
                                         "draft_vocab_size": draftVocabSize, "speculative_tokens": numSpeculativeTokens],
                                        file: file)
        if layerCount != 1 {
            throw ConfigError.invalidValue(file: file, path: "num_hidden_layers", reason: "only single-layer EAGLE-3 heads are supported, got \(layerCount)")
        }
        if draftVocabSize > vocabSize {
            throw ConfigError.invalidValue(file: file, path: "draft_vocab_size", reason: "\(draftVocabSize) exceeds vocab_size \(vocabSize)")
        }
        if normBeforeFC && fcNorm {
            throw ConfigError.invalidValue(file: file, path: "fc_norm", reason: "norm_before_fc and fc_norm are mutually exclusive")
        }
        if headCount % kvHeadCount != 0 {
            throw ConfigError.invalidValue(file: file, path: "num_key_value_heads", reason: "\(kvHeadCount) does not divide \(headCount)")
        }
    }
}

/// Architecture names of draft heads and the method each selects (vLLM's speculative
/// registry, EAGLE3_SPEC.md §2.3–2.4).
public enum EagleDraftRegistry {
    public static let eagle3 = ["Eagle3LlamaForCausalLM", "LlamaForCausalLMEagle3", "Eagle3Speculator", "Eagle3DraftModel"]
    public static let eagle = ["EagleLlamaForCausalLM", "EagleSpeculator"]
    public static var supported: [String] { eagle3 + eagle }

    /// The first known architecture name and its method; `model_type` "eagle3"/"eagle" as fallback.
    public static func resolve(architectures: [String], modelType: String) -> (String, EagleDraftConfig.Method)? {
        for name in architectures {
            if eagle3.contains(name) { return (name, .eagle3) }
            if eagle.contains(name) { return (name, .eagle) }
        }
        switch modelType {
        case "eagle3": return (architectures.first ?? "eagle3", .eagle3)
        case "eagle": return (architectures.first ?? "eagle", .eagle)
        default: return nil
        }
    }

    static func check(architecture: String, method: EagleDraftConfig.Method, file: String) throws {
        if eagle.contains(architecture) && method == .eagle3 {
            throw ConfigError.invalidValue(file: file, path: "architectures", reason: "'\(architecture)' is an EAGLE v1 head, but speculators_model_type says eagle3")
        }
    }
}
