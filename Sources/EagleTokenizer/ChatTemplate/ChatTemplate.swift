/// A model's chat template: the Jinja2 subset chat templates use (`{{ }}`, `if`/`elif`/`else`,
/// `for` with `loop`, `set` and `namespace()`, `break`/`continue`, whitespace control, filters and
/// tests), rendering like transformers'
/// `apply_chat_template(messages, tokenize=False, add_generation_prompt: ...)`.
public struct ChatTemplate: Sendable {
    /// The Jinja source.
    public let source: String
    /// The `bos_token` the template sees.
    public let bosToken: String?
    /// The `eos_token` the template sees.
    public let eosToken: String?
    private let statements: [JinjaStatement]

    /// Parses `source`; throws `ChatTemplateError.syntax` (with line and column) when it is not
    /// valid or uses a tag, filter or test this interpreter does not implement.
    public init(_ source: String, bosToken: String? = nil, eosToken: String? = nil) throws {
        self.source = source
        self.bosToken = bosToken
        self.eosToken = eosToken
        statements = try JinjaParser.parse(source)
    }

    /// The prompt for `messages`. With `addGenerationPrompt`, it ends with the header of the
    /// assistant's reply. `variables` are extra template variables (e.g. `date_string`); like
    /// transformers, `tools` and `documents` are `none` and `bos_token`/`eos_token` are set.
    /// Throws `ChatTemplateError` (e.g. `.raised` when the template rejects the conversation).
    public func render(messages: [ChatMessage], addGenerationPrompt: Bool,
                       variables: [String: String] = [:]) throws -> String {
        var context: [String: JinjaValue] = [
            "messages": .list(messages.map {
                .dictionary(JinjaDictionary([("role", .string($0.role)), ("content", .string($0.content))]))
            }),
            "add_generation_prompt": .boolean(addGenerationPrompt),
            "tools": .none,
            "documents": .none,
        ]
        context["bos_token"] = bosToken.map { .string($0) }
        context["eos_token"] = eosToken.map { .string($0) }
        for (name, value) in variables { context[name] = .string(value) }
        return try render(context)
    }

    /// Renders with arbitrary variables (over the global functions).
    func render(_ variables: [String: JinjaValue]) throws -> String {
        var scope = Dictionary(uniqueKeysWithValues: JinjaFunction.allCases.map { ($0.rawValue, JinjaValue.function($0)) })
        scope.merge(variables) { $1 }
        var evaluator = JinjaEvaluator(variables: scope)
        _ = try evaluator.execute(statements)
        return evaluator.output
    }
}
