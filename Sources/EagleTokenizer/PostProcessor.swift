/// The `post_processor` of tokenizer.json, as far as it changes the ids of a single sequence:
/// the special tokens that `encode(_:addSpecialTokens: true)` adds around the text.
indirect enum PostProcessor: Sendable {
    /// `TemplateProcessing`: the `single` template, e.g. `<|begin_of_text|> $A`.
    case template([TemplatePiece])
    /// `ByteLevel`: only adjusts offsets, ids are unchanged.
    case byteLevel
    /// `Sequence`: each processor in turn.
    case sequence([PostProcessor])

    /// One item of a `single` template.
    enum TemplatePiece: Sendable {
        /// `$A`: the encoded text.
        case text
        /// A special token's ids.
        case specialToken([Int])
    }

    static let supportedTypes = ["ByteLevel", "Sequence", "TemplateProcessing"]

    /// `ids` with the special tokens added.
    func apply(to ids: [Int]) -> [Int] {
        switch self {
        case .template(let pieces):
            return pieces.flatMap { piece -> [Int] in
                switch piece {
                case .text: return ids
                case .specialToken(let tokenIDs): return tokenIDs
                }
            }
        case .byteLevel:
            return ids
        case .sequence(let processors):
            return processors.reduce(ids) { $1.apply(to: $0) }
        }
    }
}

extension PostProcessor {
    /// Reads a `post_processor` object.
    init(json: JSONNode) throws {
        let type = try json.componentType()
        switch type {
        case "ByteLevel":
            self = .byteLevel
        case "Sequence":
            self = .sequence(try json.required("processors").array().map(PostProcessor.init(json:)))
        case "TemplateProcessing":
            self = .template(try Self.singleTemplate(json))
        default:
            throw json.unsupported(type: type, supported: Self.supportedTypes)
        }
    }

    /// `single`: `[{"Sequence": {"id": "A"}}, {"SpecialToken": {"id": "<s>"}}, ...]`, the
    /// special tokens' ids taken from `special_tokens`.
    private static func singleTemplate(_ json: JSONNode) throws -> [TemplatePiece] {
        let specialTokens = try json.required("special_tokens")
        return try json.required("single").array().map { item in
            if let sequence = item.optional("Sequence") {
                let id = try sequence.required("id").string()
                guard id == "A" else { throw sequence.invalid(#""A" (a single sequence has no "B")"#) }
                return .text
            }
            guard let special = item.optional("SpecialToken") else {
                throw item.invalid(#"{"Sequence": ...} or {"SpecialToken": ...}"#)
            }
            let name = try special.required("id")
            guard let token = specialTokens.optional(try name.string()) else {
                throw TokenizerError.unknownToken(file: json.file, key: name.path, token: try name.string())
            }
            return .specialToken(try token.required("ids").array().map { try $0.int() })
        }
    }
}
