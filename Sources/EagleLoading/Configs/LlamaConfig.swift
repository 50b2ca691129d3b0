import EagleKernels
import Foundation

/// Hyper-parameters of a Llama-architecture decoder, read from an HF `config.json`.
///
/// Accepts both transformers 4.x (`rope_theta`, `rope_scaling`) and 5.x (`rope_parameters`)
/// layouts. Missing required fields or unsupported values throw `ConfigError` naming the key.
public struct LlamaConfig: Sendable, Equatable {
    public var architecture: String
    public var vocabSize: Int
    public var hiddenSize: Int
    public var intermediateSize: Int
    public var layerCount: Int
    public var headCount: Int
    public var kvHeadCount: Int
    public var headDim: Int
    public var rmsNormEpsilon: Float
    public var ropeTheta: Float
    public var ropeScaling: RopeScaling
    public var maxPositionEmbeddings: Int
    public var tieWordEmbeddings: Bool
    public var attentionBias: Bool
    public var mlpBias: Bool
    public var bosTokenID: Int?
    public var eosTokenIDs: [Int]

    /// Architectures this config type describes.
    public static let supportedArchitectures = ["LlamaForCausalLM"]

    /// Reads `config.json` in `directory`.
    public init(directory: URL) throws {
        try self.init(json: JSONFile(directory.appendingPathComponent("config.json")))
    }

    public init(json: JSONFile) throws {
        if json.has("architectures") {
            let architectures = try json.strings("architectures")
            guard let known = architectures.first(where: Self.supportedArchitectures.contains) else {
                throw ConfigError.unsupportedArchitecture(
                    file: json.file, found: architectures.joined(separator: ", "), supported: Self.supportedArchitectures)
            }
            architecture = known
        } else {
            let modelType = try json.string("model_type")
            guard modelType == "llama" else {
                throw ConfigError.unsupportedArchitecture(file: json.file, found: modelType, supported: Self.supportedArchitectures)
            }
            architecture = "LlamaForCausalLM"
        }
        if json.has("hidden_act"), try json.string("hidden_act") != "silu" {
            throw ConfigError.invalidValue(file: json.file, path: "hidden_act", reason: "only 'silu' is supported")
        }
        vocabSize = try json.int("vocab_size")
        hiddenSize = try json.int("hidden_size")
        intermediateSize = try json.int("intermediate_size")
        layerCount = try json.int("num_hidden_layers")
        headCount = try json.int("num_attention_heads")
        kvHeadCount = try json.int("num_key_value_heads", default: headCount)
        headDim = try json.int("head_dim", default: headCount > 0 ? hiddenSize / headCount : 0)
        rmsNormEpsilon = Float(try json.double("rms_norm_eps", default: 1e-6))
        maxPositionEmbeddings = try json.int("max_position_embeddings", default: 2048)
        tieWordEmbeddings = try json.bool("tie_word_embeddings", default: false)
        attentionBias = try json.bool("attention_bias", default: false)
        mlpBias = try json.bool("mlp_bias", default: false)
        bosTokenID = try json.optionalInt("bos_token_id")
        eosTokenIDs = json.has("eos_token_id") ? try json.ints("eos_token_id") : []
        (ropeTheta, ropeScaling) = try Self.rope(json, defaultTheta: 10_000)
        try validate(file: json.file)
    }

    /// The default EAGLE-3 aux layers `(2, L/2, L-3)` (EAGLE3_SPEC.md §2.5).
    public var defaultAuxLayers: [Int] {
        Array(Set([2, layerCount / 2, layerCount - 3])).sorted()
    }

    /// RoPE parameters from either the 5.x `rope_parameters` or the 4.x `rope_theta`/`rope_scaling` keys.
    public static func rope(_ json: JSONFile, defaultTheta: Double) throws -> (Float, RopeScaling) {
        if let parameters = try json.optionalObject("rope_parameters") {
            let theta = try parameters.double("rope_theta", default: try json.double("rope_theta", default: defaultTheta))
            return (Float(theta), try scaling(parameters))
        }
        let theta = try json.double("rope_theta", default: defaultTheta)
        guard let scaling = try json.optionalObject("rope_scaling") else { return (Float(theta), .none) }
        return (Float(theta), try Self.scaling(scaling))
    }

    private static func scaling(_ object: JSONFile) throws -> RopeScaling {
        let type = try object.optionalString("rope_type") ?? object.optionalString("type") ?? "default"
        switch type {
        case "default":
            return .none
        case "linear":
            return .linear(factor: Float(try object.double("factor")))
        case "llama3":
            return .llama3(
                factor: Float(try object.double("factor")),
                lowFrequencyFactor: Float(try object.double("low_freq_factor")),
                highFrequencyFactor: Float(try object.double("high_freq_factor")),
                originalMaxPositions: try object.int("original_max_position_embeddings"))
        default:
            throw ConfigError.invalidValue(file: object.file, path: object.path.isEmpty ? "rope_type" : "\(object.path).rope_type",
                                           reason: "unsupported rope type '\(type)' (supported: default, linear, llama3)")
        }
    }

    private func validate(file: String) throws {
        try ConfigError.requirePositive(["vocab_size": vocabSize, "hidden_size": hiddenSize,
                                         "intermediate_size": intermediateSize, "num_hidden_layers": layerCount,
                                         "num_attention_heads": headCount, "num_key_value_heads": kvHeadCount,
                                         "head_dim": headDim], file: file)
        if headCount % kvHeadCount != 0 {
            throw ConfigError.invalidValue(file: file, path: "num_key_value_heads",
                                           reason: "\(kvHeadCount) does not divide num_attention_heads \(headCount)")
        }
        if headDim % 2 != 0 {
            throw ConfigError.invalidValue(file: file, path: "head_dim", reason: "must be even for RoPE, got \(headDim)")
        }
    }
}
