/// The bytes every id decodes to, precomputed in one buffer so that decoding (and streaming) is
/// a copy per token.
struct DecodedTokenTable: Sendable {
    private let bytes: [UInt8]
    /// The bytes of id `i` are `bytes[offsets[i]..<offsets[i + 1]]`.
    private let offsets: [Int]
    /// Whether a token has id `i` (ids without one decode to nothing, like in `tokenizers`).
    private let exists: [Bool]
    /// The bytes between two decoded tokens.
    let separator: [UInt8]

    /// `tokens[id]` decoded with `decoder` for every id (nil: no such token).
    init(tokens: [[Unicode.Scalar]?], decoder: TokenDecoder) {
        var bytes: [UInt8] = []
        var offsets = [0]
        offsets.reserveCapacity(tokens.count + 1)
        for token in tokens {
            if let token { bytes += decoder.bytes(of: token) }
            offsets.append(bytes.count)
        }
        self.bytes = bytes
        self.offsets = offsets
        exists = tokens.map { $0 != nil }
        separator = decoder.separator
    }

    /// The bytes of `id`, or nil when no token has that id.
    func bytes(of id: Int) -> ArraySlice<UInt8>? {
        guard exists.indices.contains(id), exists[id] else { return nil }
        return bytes[offsets[id]..<offsets[id + 1]]
    }
}
