/// Why a completion ended (vLLM's `finish_reason`).
public enum FinishReason: String, Sendable, Codable, Equatable {
    /// An EOS token, a stop token or a stop string.
    case stop
    /// `max_tokens` reached (or the context filled up).
    case length
}

/// One completion of a request (vLLM's `CompletionOutput`).
public struct CompletionOutput: Sendable, Equatable {
    public var index: Int
    /// Generated text (without a matched stop string unless asked for).
    public var text: String
    /// Generated token ids, including the token that completed a stop string or EOS.
    public var tokenIDs: [Int]
    /// Set once the completion is finished.
    public var finishReason: FinishReason?
    /// The stop string or stop token id that ended the completion, if any.
    public var stopReason: StopReason?

    public init(index: Int = 0, text: String = "", tokenIDs: [Int] = [], finishReason: FinishReason? = nil,
                stopReason: StopReason? = nil) {
        self.index = index
        self.text = text
        self.tokenIDs = tokenIDs
        self.finishReason = finishReason
        self.stopReason = stopReason
    }
}

/// What matched when a completion stopped.
public enum StopReason: Sendable, Equatable {
    case string(String)
    case token(Int)
}

/// Timing of one request, in seconds.
public struct RequestMetrics: Sendable, Equatable {
    public var promptTokens = 0
    public var generatedTokens = 0
    public var prefillSeconds = 0.0
    public var decodeSeconds = 0.0
    /// Speculative-decoding counters and time split (zero without a draft).
    public var speculation = SpeculationMetrics()

    public init() {}

    /// Prompt tokens per second of the prefill.
    public var prefillTokensPerSecond: Double { prefillSeconds > 0 ? Double(promptTokens) / prefillSeconds : 0 }
    /// Tokens generated after the first one (the decode phase `decodeSeconds` times).
    public var decodeTokens: Int { max(generatedTokens - 1, 0) }
    /// Generated tokens per second after the first token.
    public var decodeTokensPerSecond: Double {
        decodeSeconds > 0 ? Double(decodeTokens) / decodeSeconds : 0
    }
}

/// The result (or, when streaming, the progress) of one request (vLLM's `RequestOutput`).
public struct RequestOutput: Sendable, Equatable {
    public var requestID: String
    public var prompt: String?
    public var promptTokenIDs: [Int]
    public var outputs: [CompletionOutput]
    public var finished: Bool
    public var metrics: RequestMetrics
    /// The recorded hidden states (`EngineOptions.recordHiddenStates`), on the final output.
    public var hiddenStates: HiddenStateRecord?
}
