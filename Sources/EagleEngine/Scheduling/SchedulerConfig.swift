/// Limits of one scheduler step (vLLM's `SchedulerConfig`).
public struct SchedulerConfig: Sendable, Equatable {
    /// Tokens the target computes in one step, over all requests: prompt chunks plus, per
    /// decoding request, its last token and its drafts (`1 + k`).
    public var maxNumBatchedTokens: Int
    /// Requests running at once (holding KV blocks).
    public var maxNumSeqs: Int
    /// Prompt tokens one request may prefill in a step while others wait (0: no cap).
    public var longPrefillTokenThreshold: Int

    public init(maxNumBatchedTokens: Int = 512, maxNumSeqs: Int = 16, longPrefillTokenThreshold: Int = 0) {
        self.maxNumBatchedTokens = maxNumBatchedTokens
        self.maxNumSeqs = maxNumSeqs
        self.longPrefillTokenThreshold = longPrefillTokenThreshold
    }

    /// Throws `EngineError.invalidSchedulerConfig` unless the limits are positive and a
    /// verify step (`1 + speculativeTokens` tokens) fits in the budget.
    public func validate(speculativeTokens: Int) throws {
        guard maxNumSeqs >= 1 else { throw EngineError.invalidSchedulerConfig("max_num_seqs must be ≥ 1, got \(maxNumSeqs)") }
        guard maxNumBatchedTokens > speculativeTokens else {
            throw EngineError.invalidSchedulerConfig(
                "max_num_batched_tokens (\(maxNumBatchedTokens)) must exceed num_speculative_tokens (\(speculativeTokens))")
        }
        guard longPrefillTokenThreshold >= 0 else {
            throw EngineError.invalidSchedulerConfig("long_prefill_token_threshold must be ≥ 0, got \(longPrefillTokenThreshold)")
        }
    }
}
