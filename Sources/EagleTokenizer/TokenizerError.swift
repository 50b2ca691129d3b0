/// Why a tokenizer could not be loaded. Every case names the file and, where there is one, the
/// JSON key path (e.g. `model.vocab`, `pre_tokenizer.pretokenizers[1].type`).
public enum TokenizerError: Error, CustomStringConvertible, Equatable {
    /// The file could not be read.
    case unreadableFile(file: String, reason: String)
    /// The file is not valid JSON (or its top level is not an object).
    case malformedJSON(file: String, reason: String)
    /// A required key is absent or `null`.
    case missingKey(file: String, key: String)
    /// A key holds a value of the wrong kind.
    case invalidValue(file: String, key: String, expected: String)
    /// A component (`model`, `normalizer`, `pre_tokenizer`, `post_processor`, `decoder`) has a
    /// `type` this library does not implement.
    case unsupportedType(file: String, key: String, type: String, supported: [String])
    /// An option is set to a value this library does not implement (e.g. BPE dropout).
    case unsupportedOption(file: String, key: String, reason: String)
    /// A split pattern is not a valid regular expression.
    case invalidRegex(file: String, key: String, pattern: String, reason: String)
    /// A legacy merge line is not two tokens separated by one space.
    case invalidMerge(file: String, key: String, merge: String)
    /// A merge names a token (or produces one) that is not in `model.vocab`.
    case unknownMergeToken(file: String, key: String, merge: String, token: String)
    /// A token referenced by name (unknown token, post-processor special token) does not exist.
    case unknownToken(file: String, key: String, token: String)
    /// The chat template does not parse.
    case invalidChatTemplate(file: String, error: ChatTemplateError)

    public var description: String {
        switch self {
        case let .unreadableFile(file, reason):
            return "\(file): cannot read the file: \(reason)"
        case let .malformedJSON(file, reason):
            return "\(file): not a JSON object: \(reason)"
        case let .missingKey(file, key):
            return "\(file): missing key `\(key)`"
        case let .invalidValue(file, key, expected):
            return "\(file): `\(key)` must be \(expected)"
        case let .unsupportedType(file, key, type, supported):
            return "\(file): `\(key)` is \"\(type)\", which is not supported (supported: "
                + supported.joined(separator: ", ") + ")"
        case let .unsupportedOption(file, key, reason):
            return "\(file): `\(key)` is not supported: \(reason)"
        case let .invalidRegex(file, key, pattern, reason):
            return "\(file): `\(key)` is not a valid regular expression (\(reason)): \(pattern)"
        case let .invalidMerge(file, key, merge):
            return "\(file): `\(key)` is not two tokens separated by a space: \"\(merge)\""
        case let .unknownMergeToken(file, key, merge, token):
            return "\(file): merge `\(key)` (\"\(merge)\") uses \"\(token)\", which is not in model.vocab"
        case let .unknownToken(file, key, token):
            return "\(file): `\(key)` names the token \"\(token)\", which is not in the vocabulary"
        case let .invalidChatTemplate(file, error):
            return "\(file): invalid chat template: \(error)"
        }
    }
}
