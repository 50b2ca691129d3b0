/// The `decoder` of tokenizer.json: how tokens turn back into the bytes of the text.
enum TokenDecoder: Sendable {
    /// `ByteLevel`: each token's scalars mapped back to bytes; a token with scalars outside the
    /// byte-level alphabet (an added token like "<|im_start|>" is inside it) contributes its UTF-8.
    case byteLevel
    /// `null`: the tokens' UTF-8, separated by spaces (what the `tokenizers` crate does).
    case joinedWithSpaces

    static let supportedTypes = ["ByteLevel"]

    /// Reads the `decoder` member (absent or null: `joinedWithSpaces`).
    init(json: JSONNode?) throws {
        guard let json else {
            self = .joinedWithSpaces
            return
        }
        let type = try json.componentType()
        guard type == "ByteLevel" else { throw json.unsupported(type: type, supported: Self.supportedTypes) }
        self = .byteLevel
    }

    /// The bytes `token` decodes to.
    func bytes(of token: [Unicode.Scalar]) -> [UInt8] {
        switch self {
        case .byteLevel:
            return ByteLevelAlphabet.decode(token) ?? Array(String(scalars: token).utf8)
        case .joinedWithSpaces:
            return Array(String(scalars: token).utf8)
        }
    }

    /// The bytes between two decoded tokens.
    var separator: [UInt8] {
        self == .joinedWithSpaces ? [0x20] : []
    }
}
