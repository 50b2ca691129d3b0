/// How to sample a completion, with vLLM's field names and defaults
/// (`vllm.SamplingParams`). `temperature == 0` means greedy decoding.
public struct SamplingParams: Sendable, Equatable, Codable {
    /// Softmax temperature; 0 selects the argmax (greedy).
    public var temperature: Double = 1.0
    /// Nucleus sampling: keep the smallest top set with probability mass ≥ `topP` (1 = off).
    public var topP: Double = 1.0
    /// Keep only the `topK` most likely tokens (0 or -1 = off).
    public var topK: Int = 0
    /// Drop tokens whose probability is below `minP` × the top probability (0 = off).
    public var minP: Double = 0.0
    /// Maximum number of generated tokens.
    public var maxTokens: Int = 16
    /// Seed of this request's random generator (nil: random). Same seed ⇒ same output.
    public var seed: UInt64?
    /// Strings that end the completion; the stop string is not included in the text.
    public var stop: [String] = []
    /// Token ids that end the completion (in addition to the model's EOS ids).
    public var stopTokenIDs: [Int] = []
    /// Keep generating past EOS.
    public var ignoreEOS: Bool = false
    /// Include the matched stop string in the output text.
    public var includeStopStringInOutput: Bool = false
    /// Drop special tokens from the output text.
    public var skipSpecialTokens: Bool = true

    public init(temperature: Double = 1.0, topP: Double = 1.0, topK: Int = 0, minP: Double = 0.0,
                maxTokens: Int = 16, seed: UInt64? = nil, stop: [String] = [], stopTokenIDs: [Int] = [],
                ignoreEOS: Bool = false, includeStopStringInOutput: Bool = false, skipSpecialTokens: Bool = true) {
        self.temperature = temperature
        self.topP = topP
        self.topK = topK
        self.minP = minP
        self.maxTokens = maxTokens
        self.seed = seed
        self.stop = stop
        self.stopTokenIDs = stopTokenIDs
        self.ignoreEOS = ignoreEOS
        self.includeStopStringInOutput = includeStopStringInOutput
        self.skipSpecialTokens = skipSpecialTokens
    }

    enum CodingKeys: String, CodingKey {
        case temperature, seed, stop
        case topP = "top_p", topK = "top_k", minP = "min_p", maxTokens = "max_tokens"
        case stopTokenIDs = "stop_token_ids", ignoreEOS = "ignore_eos"
        case includeStopStringInOutput = "include_stop_str_in_output", skipSpecialTokens = "skip_special_tokens"
    }

    /// Whether decoding is greedy.
    public var isGreedy: Bool { temperature == 0 }

    /// Checks ranges; throws `EngineError.invalidSamplingParams` naming the field.
    public func validate() throws {
        func fail(_ field: String, _ reason: String) -> EngineError { .invalidSamplingParams(field: field, reason: reason) }
        guard temperature >= 0, temperature.isFinite else { throw fail("temperature", "must be ≥ 0, got \(temperature)") }
        guard topP > 0, topP <= 1 else { throw fail("top_p", "must be in (0, 1], got \(topP)") }
        guard topK >= -1 else { throw fail("top_k", "must be -1, 0 (off) or positive, got \(topK)") }
        guard minP >= 0, minP <= 1 else { throw fail("min_p", "must be in [0, 1], got \(minP)") }
        guard maxTokens >= 1 else { throw fail("max_tokens", "must be ≥ 1, got \(maxTokens)") }
        if stop.contains("") { throw fail("stop", "stop strings must not be empty") }
    }
}
