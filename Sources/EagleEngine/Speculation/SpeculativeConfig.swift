import EagleKernels
import Foundation

/// Speculative decoding settings, as vLLM's `speculative_config`
/// (`{"method": "eagle3", "model": DIR, "num_speculative_tokens": K}`).
public struct SpeculativeConfig: Sendable, Equatable, Decodable {
    /// `eagle3` (nil: detected from the head's config).
    public var method: String?
    /// Directory of the draft head.
    public var model: String
    /// Drafts per step (nil: the head's `speculative_tokens`, else 5).
    public var numSpeculativeTokens: Int?
    /// Rows a step verifies at most for greedy requests (k + 1 each): with many requests
    /// running, their drafts are cut (to none beyond this many requests), since batching then
    /// already makes each weight pass count. Sampled requests always draft k.
    public var verifyRowBudget: Int?
    /// Prompt lookup beside the head (`PromptLookup`): the shortest recurring suffix that
    /// takes over from the head (nil: `defaultPromptLookupMin`; 0 turns lookup off).
    public var promptLookupMin: Int?
    /// The longest suffix prompt lookup matches (nil: `defaultPromptLookupMax`).
    public var promptLookupMax: Int?
    /// Drafts per prompt-lookup match (nil: `defaultPromptLookupTokens`), independent of k.
    public var promptLookupTokens: Int?
    /// For greedy requests, how many draft-tree leaves are verified beside the head's drafts:
    /// the head's runner-ups for the drafts where it rates them most likely to be accepted, one
    /// per draft at most (nil: `defaultDraftSiblings(k:)`; 0: chains only). Leaves share
    /// `verifyRowBudget` with the drafts.
    public var draftSiblings: Int?

    /// Default `verifyRowBudget`: the rows the shim's skinny kernel handles for about the cost of one.
    public static let defaultVerifyRowBudget = 16
    /// Default `promptLookupMin`, chosen on prompts the shipped head's recipe held out (README).
    public static let defaultPromptLookupMin = 4
    /// Default `promptLookupMax`.
    public static let defaultPromptLookupMax = 8
    /// Default `promptLookupTokens`, chosen with `promptLookupMin` (README).
    public static let defaultPromptLookupTokens = 8
    /// Default `draftSiblings` for k drafts: the leaves that fit beside the chain in one pass of
    /// the skinny kernel over the weights (`Linear.rowsPerWeightPass` rows: 1 at k = 4, 2 at
    /// k = 3, none from k = 5; a further row starts a second pass); chosen on prompts the
    /// shipped head's recipe held out (README).
    public static func defaultDraftSiblings(k: Int) -> Int { max(0, min(k, Linear.rowsPerWeightPass - 1 - k)) }
    /// The longest suffix prompt lookup may be asked to match.
    public static let longestPromptLookup = 64
    /// Drafts one step may carry, from the head (`num_speculative_tokens`) or from prompt
    /// lookup (`prompt_lookup_tokens`).
    public static let draftTokenRange = 1...15
    /// Values `draftSiblings` may take (0: chains only).
    public static let draftSiblingRange = 0...draftTokenRange.upperBound

    public init(method: String? = "eagle3", model: String, numSpeculativeTokens: Int? = nil, verifyRowBudget: Int? = nil,
                promptLookupMin: Int? = nil, promptLookupMax: Int? = nil, promptLookupTokens: Int? = nil,
                draftSiblings: Int? = nil) {
        self.method = method
        self.model = model
        self.numSpeculativeTokens = numSpeculativeTokens
        self.verifyRowBudget = verifyRowBudget
        self.promptLookupMin = promptLookupMin
        self.promptLookupMax = promptLookupMax
        self.promptLookupTokens = promptLookupTokens
        self.draftSiblings = draftSiblings
    }

    enum CodingKeys: String, CodingKey {
        case method, model
        case numSpeculativeTokens = "num_speculative_tokens"
        case verifyRowBudget = "verify_row_budget"
        case promptLookupMin = "prompt_lookup_min"
        case promptLookupMax = "prompt_lookup_max"
        case promptLookupTokens = "prompt_lookup_tokens"
        case draftSiblings = "draft_siblings"
    }

    /// The prompt lookup these settings ask for, or nil when it is off.
    public var promptLookup: PromptLookup? {
        let minimum = promptLookupMin ?? Self.defaultPromptLookupMin
        guard minimum > 0 else { return nil }
        return PromptLookup(minimumMatch: minimum, maximumMatch: max(minimum, promptLookupMax ?? Self.defaultPromptLookupMax),
                            draftCount: promptLookupTokens ?? Self.defaultPromptLookupTokens)
    }

    /// Parses vLLM's JSON form; unknown methods and bad counts are errors.
    public static func parse(json: String) throws -> SpeculativeConfig {
        let config: SpeculativeConfig
        do {
            config = try JSONDecoder().decode(SpeculativeConfig.self, from: Data(json.utf8))
        } catch {
            throw EngineError.invalidSpeculativeConfig(
                reason: "expected {\"method\": \"eagle3\", \"model\": DIR, \"num_speculative_tokens\": K} (optional: \"verify_row_budget\", \"prompt_lookup_min\", \"prompt_lookup_max\", \"prompt_lookup_tokens\", \"draft_siblings\")")
        }
        try config.validate()
        return config
    }

    public func validate() throws {
        if let method, method != "eagle3" {
            throw EngineError.invalidSpeculativeConfig(reason: "unsupported method '\(method)' (supported: eagle3)")
        }
        if let k = numSpeculativeTokens, !Self.draftTokenRange.contains(k) {
            throw EngineError.invalidSpeculativeConfig(
                reason: "num_speculative_tokens must be in \(Self.draftTokenRange.lowerBound)…\(Self.draftTokenRange.upperBound), got \(k)")
        }
        if let rows = verifyRowBudget, rows < 1 {
            throw EngineError.invalidSpeculativeConfig(reason: "verify_row_budget must be ≥ 1, got \(rows)")
        }
        if let minimum = promptLookupMin, !(0...Self.longestPromptLookup).contains(minimum) {
            throw EngineError.invalidSpeculativeConfig(
                reason: "prompt_lookup_min must be in 0…\(Self.longestPromptLookup) (0 turns prompt lookup off), got \(minimum)")
        }
        if let tokens = promptLookupTokens, !Self.draftTokenRange.contains(tokens) {
            throw EngineError.invalidSpeculativeConfig(
                reason: "prompt_lookup_tokens must be in \(Self.draftTokenRange.lowerBound)…\(Self.draftTokenRange.upperBound), got \(tokens)")
        }
        if let leaves = draftSiblings, !Self.draftSiblingRange.contains(leaves) {
            throw EngineError.invalidSpeculativeConfig(
                reason: "draft_siblings must be in 0…\(Self.draftSiblingRange.upperBound) (0: chains only), got \(leaves)")
        }
        if let maximum = promptLookupMax {
            let minimum = promptLookupMin ?? Self.defaultPromptLookupMin
            guard (max(1, minimum)...Self.longestPromptLookup).contains(maximum) else {
                throw EngineError.invalidSpeculativeConfig(
                    reason: "prompt_lookup_max must be in \(max(1, minimum))…\(Self.longestPromptLookup) (at least prompt_lookup_min), got \(maximum)")
            }
        }
    }
}
