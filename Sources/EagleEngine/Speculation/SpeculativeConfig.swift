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

    /// Default `verifyRowBudget`: the rows the shim's skinny kernel handles for about the cost of one.
    public static let defaultVerifyRowBudget = 16

    public init(method: String? = "eagle3", model: String, numSpeculativeTokens: Int? = nil, verifyRowBudget: Int? = nil) {
        self.method = method
        self.model = model
        self.numSpeculativeTokens = numSpeculativeTokens
        self.verifyRowBudget = verifyRowBudget
    }

    enum CodingKeys: String, CodingKey {
        case method, model
        case numSpeculativeTokens = "num_speculative_tokens"
        case verifyRowBudget = "verify_row_budget"
    }

    /// Parses vLLM's JSON form; unknown methods and bad counts are errors.
    public static func parse(json: String) throws -> SpeculativeConfig {
        let config: SpeculativeConfig
        do {
            config = try JSONDecoder().decode(SpeculativeConfig.self, from: Data(json.utf8))
        } catch {
            throw EngineError.invalidSpeculativeConfig(reason: "expected {\"method\": \"eagle3\", \"model\": DIR, \"num_speculative_tokens\": K}")
        }
        try config.validate()
        return config
    }

    public func validate() throws {
        if let method, method != "eagle3" {
            throw EngineError.invalidSpeculativeConfig(reason: "unsupported method '\(method)' (supported: eagle3)")
        }
        if let k = numSpeculativeTokens, !(1...15).contains(k) {
            throw EngineError.invalidSpeculativeConfig(reason: "num_speculative_tokens must be in 1…15, got \(k)")
        }
        if let rows = verifyRowBudget, rows < 1 {
            throw EngineError.invalidSpeculativeConfig(reason: "verify_row_budget must be ≥ 1, got \(rows)")
        }
    }
}
