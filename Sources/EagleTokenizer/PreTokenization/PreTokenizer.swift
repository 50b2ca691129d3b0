/// The `pre_tokenizer` of tokenizer.json: splits text into the pieces the model encodes one by one.
indirect enum PreTokenizer: Sendable {
    /// `Sequence`: each step splits the pieces of the previous one.
    case sequence([PreTokenizer])
    /// `Split` (and `Digits`, which splits at numeric scalars).
    case split(any SplitMatcher, behavior: SplitDelimiterBehavior, invert: Bool)
    /// `ByteLevel`: optional prefix space, optional GPT-2 split, then every piece rewritten in the
    /// byte-level alphabet.
    case byteLevel(addPrefixSpace: Bool, useRegex: Bool)

    static let supportedTypes = ["ByteLevel", "Digits", "Sequence", "Split"]

    /// The pieces of `pieces` after this step, none of them empty.
    func apply(to pieces: [ScalarText]) -> [ScalarText] {
        switch self {
        case .sequence(let steps):
            return steps.reduce(pieces) { $1.apply(to: $0) }
        case let .split(matcher, behavior, invert):
            return pieces.flatMap { behavior.split($0, at: matcher.matches(in: $0), invert: invert) }
        case let .byteLevel(addPrefixSpace, useRegex):
            return pieces.flatMap { piece -> [ScalarText] in
                let prefixed = addPrefixSpace && piece.first != " " ? ScalarText([" "] + piece) : piece
                let words = useRegex
                    ? SplitDelimiterBehavior.isolated.split(
                        prefixed, at: WellKnownSplitPattern.gpt2.matches(in: prefixed), invert: false)
                    : [prefixed]
                return words.map { ScalarText(ByteLevelAlphabet.encode($0)) }
            }
        }
    }
}

extension PreTokenizer {
    /// Reads a `pre_tokenizer` object.
    init(json: JSONNode) throws {
        let type = try json.componentType()
        switch type {
        case "Sequence":
            self = .sequence(try json.required("pretokenizers").array().map(PreTokenizer.init(json:)))
        case "Split":
            self = .split(try Self.matcher(json.required("pattern")),
                          behavior: try Self.behavior(json.required("behavior")),
                          invert: try json.optional("invert")?.bool() ?? false)
        case "Digits":
            let individual = try json.optional("individual_digits")?.bool() ?? false
            self = .split(NumericScalarMatcher(), behavior: individual ? .isolated : .contiguous, invert: false)
        case "ByteLevel":
            self = .byteLevel(addPrefixSpace: try json.optional("add_prefix_space")?.bool() ?? true,
                              useRegex: try json.optional("use_regex")?.bool() ?? true)
        default:
            throw json.unsupported(type: type, supported: Self.supportedTypes)
        }
    }

    /// `{"Regex": "..."}` or `{"String": "..."}` (a literal).
    private static func matcher(_ json: JSONNode) throws -> any SplitMatcher {
        let pattern: String
        if let regex = json.optional("Regex") {
            pattern = try regex.string()
            if let known = WellKnownSplitPattern(pattern: pattern) { return known }
        } else if let literal = json.optional("String") {
            pattern = RegularExpressionMatcher.pattern(matchingLiteral: try literal.string())
        } else {
            throw json.invalid(#"{"Regex": pattern} or {"String": literal}"#)
        }
        do {
            return try RegularExpressionMatcher(pattern: pattern)
        } catch {
            throw TokenizerError.invalidRegex(file: json.file, key: json.path, pattern: pattern,
                                              reason: "\(error)")
        }
    }

    private static func behavior(_ json: JSONNode) throws -> SplitDelimiterBehavior {
        guard let behavior = SplitDelimiterBehavior(rawValue: try json.string()) else {
            throw json.invalid("one of " + SplitDelimiterBehavior.allCases.map(\.rawValue).joined(separator: ", "))
        }
        return behavior
    }
}
