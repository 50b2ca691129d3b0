/// Decodes ids one at a time while they are generated, returning only complete text: bytes that
/// begin a multi-byte character are held back until the character is complete, so a chunk never
/// ends in half an emoji. Concatenating every chunk (and `finish()`) gives `decode(allIDs)`.
public struct StreamingDetokenizer: Sendable {
    private let tokenizer: Tokenizer
    private let skipsSpecialTokens: Bool
    private var pendingBytes: [UInt8] = []
    private var hasDecodedAToken = false

    /// A detokenizer for `tokenizer`'s ids; with `skipSpecialTokens`, special tokens produce no text.
    public init(tokenizer: Tokenizer, skipSpecialTokens: Bool = false) {
        self.tokenizer = tokenizer
        skipsSpecialTokens = skipSpecialTokens
    }

    /// The new complete text after `id` (often empty while a character is incomplete).
    public mutating func append(_ id: Int) -> String {
        guard let bytes = tokenizer.decodedBytes(of: id, skippingSpecialTokens: skipsSpecialTokens) else { return "" }
        if hasDecodedAToken { pendingBytes += tokenizer.decodedTokens.separator }
        pendingBytes += bytes
        hasDecodedAToken = true
        let completeCount = pendingBytes.count - UTF8Completion.incompleteSuffixLength(of: pendingBytes)
        defer { pendingBytes.removeFirst(completeCount) }
        return String(decoding: pendingBytes[..<completeCount], as: UTF8.self)
    }

    /// The text still held back: an incomplete character at the end of the stream becomes U+FFFD,
    /// as in `decode`.
    public mutating func finish() -> String {
        defer { pendingBytes.removeAll() }
        return String(decoding: pendingBytes, as: UTF8.self)
    }
}
