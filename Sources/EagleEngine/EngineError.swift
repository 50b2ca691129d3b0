/// Errors of the generation engine that users can cause.
public enum EngineError: Error, Equatable, CustomStringConvertible {
    case invalidSamplingParams(field: String, reason: String)
    case emptyPrompt
    case promptTooLong(tokens: Int, maximum: Int)
    case invalidTokenID(Int, vocabularySize: Int)
    case noChatTemplate(model: String)
    case invalidSpeculativeConfig(reason: String)
    case invalidSchedulerConfig(String)
    case invalidHiddenStateLayers(String)

    public var description: String {
        switch self {
        case .invalidSamplingParams(let field, let reason): "invalid sampling parameter '\(field)': \(reason)"
        case .emptyPrompt: "the prompt is empty (it must hold at least one token)"
        case .promptTooLong(let n, let maximum): "the prompt has \(n) tokens; the model accepts at most \(maximum) in total"
        case .invalidTokenID(let id, let v): "token id \(id) is outside the vocabulary (0..<\(v))"
        case .noChatTemplate(let model): "\(model) has no chat template; use a raw completion prompt (--no-chat)"
        case .invalidSpeculativeConfig(let reason): "invalid speculative config: \(reason)"
        case .invalidSchedulerConfig(let reason): "invalid scheduler config: \(reason)"
        case .invalidHiddenStateLayers(let reason): "invalid hidden-state layers to record: \(reason)"
        }
    }
}
