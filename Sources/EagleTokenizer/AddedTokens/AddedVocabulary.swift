/// A piece of input text after the added tokens have been found in it.
enum TextSegment {
    /// An added token, already encoded.
    case addedToken(id: Int)
    /// Text for the pre-tokenizer and the model.
    case text(ScalarText)
}

/// The `added_tokens` of tokenizer.json (special tokens like `<|im_start|>` among them). They are
/// found in the input before pre-tokenization, leftmost-longest: first the tokens with
/// `normalized: false` in the raw text, then the others in the normalized remaining text.
struct AddedVocabulary: Sendable {
    private let tokensByID: [Int: AddedToken]
    private let idsByContent: [[Unicode.Scalar]: Int]
    /// The contents of the tokens marked `special`.
    let specialContents: Set<[Unicode.Scalar]>
    private let rawTokens: AddedTokenTrie
    private let normalizedTokens: AddedTokenTrie

    /// Reads `added_tokens`, assigning ids like the `tokenizers` crate: a token already in the
    /// model vocabulary keeps that id, the others are numbered from the vocabulary size on.
    init(json: JSONNode?, model: BytePairEncoding, normalizer: Normalizer?) throws {
        var tokensByID: [Int: AddedToken] = [:]
        var idsByContent: [[Unicode.Scalar]: Int] = [:]
        var specialContents: Set<[Unicode.Scalar]> = []
        var nextID = model.vocabulary.count
        for entry in try json?.array() ?? [] {
            let token = try AddedToken(json: entry, normalizer: normalizer)
            guard !token.content.isEmpty else { continue }
            if let id = idsByContent[token.content], tokensByID[id]?.hasSameOptions(as: token) == true { continue }
            let id: Int
            if let known = idsByContent[token.content] ?? model.vocabulary[token.content] {
                id = known
            } else {
                id = nextID
                nextID += 1
            }
            idsByContent[token.content] = id
            if token.isSpecial { specialContents.insert(token.content) }
            tokensByID[id] = token
        }
        self.tokensByID = tokensByID
        self.idsByContent = idsByContent
        self.specialContents = specialContents
        rawTokens = AddedTokenTrie(tokensByID.filter { !$0.value.isNormalized })
        normalizedTokens = AddedTokenTrie(tokensByID.filter { $0.value.isNormalized })
    }

    /// The contents of all added tokens.
    var contents: Dictionary<[Unicode.Scalar], Int>.Keys { idsByContent.keys }

    /// The ids of all added tokens.
    var ids: Dictionary<[Unicode.Scalar], Int>.Values { idsByContent.values }

    func id(for content: [Unicode.Scalar]) -> Int? { idsByContent[content] }

    /// The token of `id` as decoding sees it (its normalized form for `normalized` tokens).
    func token(for id: Int) -> [Unicode.Scalar]? { tokensByID[id]?.decodedContent }

    /// `text` split into added tokens and the text between them, normalized.
    func segments(of text: ScalarText, normalizer: Normalizer?) -> [TextSegment] {
        rawTokens.segments(of: text).flatMap { segment -> [TextSegment] in
            guard case .text(let raw) = segment else { return [segment] }
            let normalized = normalizer.map { ScalarText($0.apply(to: raw)) } ?? raw
            return normalizedTokens.segments(of: normalized)
        }
    }
}

/// One entry of `added_tokens`.
struct AddedToken: Sendable {
    let content: [Unicode.Scalar]
    /// `content` as matched and decoded: normalized when `isNormalized`.
    let decodedContent: [Unicode.Scalar]
    let isSpecial: Bool
    let isNormalized: Bool
    /// `single_word`: only matches when not inside a word.
    let matchesWholeWordsOnly: Bool
    /// `lstrip` / `rstrip`: the match swallows the whitespace before / after it.
    let stripsLeft: Bool
    let stripsRight: Bool

    init(json: JSONNode, normalizer: Normalizer?) throws {
        let content = Array(try json.required("content").string().unicodeScalars)
        self.content = content
        isSpecial = try json.optional("special")?.bool() ?? false
        isNormalized = try json.optional("normalized")?.bool() ?? !isSpecial
        matchesWholeWordsOnly = try json.optional("single_word")?.bool() ?? false
        stripsLeft = try json.optional("lstrip")?.bool() ?? false
        stripsRight = try json.optional("rstrip")?.bool() ?? false
        decodedContent = isNormalized ? normalizer.map { $0.apply(to: content[...]) } ?? content : content
    }

    func hasSameOptions(as other: AddedToken) -> Bool {
        (isSpecial, isNormalized, matchesWholeWordsOnly, stripsLeft, stripsRight)
            == (other.isSpecial, other.isNormalized, other.matchesWholeWordsOnly, other.stripsLeft, other.stripsRight)
    }
}
