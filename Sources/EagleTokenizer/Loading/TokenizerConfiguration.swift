import Foundation

/// What a model directory adds to tokenizer.json: the special token names and the chat template
/// of `tokenizer_config.json`, the template of `chat_template.jinja` taking precedence (as in
/// transformers).
///
/// `add_bos_token`/`add_eos_token` are deliberately not read: transformers 5 ignores them when a
/// tokenizer.json exists, whose post-processor alone decides which special tokens are added.
struct TokenizerConfiguration {
    var bosToken: String?
    var eosToken: String?
    var chatTemplate: ChatTemplateSource?

    struct ChatTemplateSource {
        var text: String
        /// The file it came from, for error messages.
        var file: String
    }

    init() {}

    /// Reads the optional `tokenizer_config.json` and `chat_template.jinja` of `directory`.
    init(directory: URL) throws {
        let configURL = directory.appendingPathComponent("tokenizer_config.json")
        if FileManager.default.fileExists(atPath: configURL.path) {
            let config = try JSONNode.load(configURL)
            bosToken = try config.optional("bos_token").map(Self.tokenContent)
            eosToken = try config.optional("eos_token").map(Self.tokenContent)
            if let template = config.optional("chat_template") {
                chatTemplate = ChatTemplateSource(text: try Self.defaultTemplate(template), file: configURL.lastPathComponent)
            }
        }
        let templateURL = directory.appendingPathComponent("chat_template.jinja")
        if FileManager.default.fileExists(atPath: templateURL.path) {
            do {
                chatTemplate = ChatTemplateSource(text: try String(contentsOf: templateURL, encoding: .utf8),
                                                  file: templateURL.lastPathComponent)
            } catch {
                throw TokenizerError.unreadableFile(file: templateURL.path, reason: error.localizedDescription)
            }
        }
    }

    /// A special token: `"<s>"` or `{"__type": "AddedToken", "content": "<s>", ...}`.
    private static func tokenContent(_ json: JSONNode) throws -> String {
        if let content = json.optional("content") { return try content.string() }
        return try json.string()
    }

    /// `chat_template`: a string, or `[{"name": ..., "template": ...}]` of which "default" is used.
    private static func defaultTemplate(_ json: JSONNode) throws -> String {
        if json.value is String { return try json.string() }
        for entry in try json.array() where try entry.required("name").string() == "default" {
            return try entry.required("template").string()
        }
        throw json.invalid(#"a template or a list of named templates including "default""#)
    }
}
