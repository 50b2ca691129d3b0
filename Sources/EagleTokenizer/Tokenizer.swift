import Foundation

/// A byte-level BPE tokenizer read from a Hugging Face `tokenizer.json`, encoding and decoding
/// exactly like the `tokenizers` library (GPT-2, Llama-3 and SmolLM2 style files).
///
/// Immutable and thread-safe; encoding caches the ids of frequent words.
public final class Tokenizer: Sendable {
    /// The BPE model.
    let model: BytePairEncoding
    private let addedVocabulary: AddedVocabulary
    private let normalizer: Normalizer?
    private let preTokenizer: PreTokenizer?
    private let postProcessor: PostProcessor?
    /// What every id decodes to.
    let decodedTokens: DecodedTokenTable

    /// The number of distinct tokens: the model vocabulary plus the added tokens not in it.
    public let vocabularySize: Int
    /// The ids of special tokens (`<|im_start|>`, `<|eot_id|>`...): what
    /// `decode(_:skipSpecialTokens: true)` leaves out.
    public let specialTokenIDs: Set<Int>
    /// The chat template of `tokenizer_config.json` or `chat_template.jinja`, when loaded with
    /// `init(directory:)` and the model has one.
    public let chatTemplate: ChatTemplate?
    /// The beginning-of-sequence token named in `tokenizer_config.json`.
    public let bosToken: String?
    /// The end-of-sequence token named in `tokenizer_config.json`.
    public let eosToken: String?

    /// Loads `tokenizer.json` alone (no chat template, no BOS/EOS names).
    public convenience init(tokenizerJSON url: URL) throws {
        try self.init(tokenizerJSON: url, configuration: TokenizerConfiguration())
    }

    /// Loads a model directory: `tokenizer.json`, plus `tokenizer_config.json` (chat template,
    /// `bos_token`, `eos_token`) and `chat_template.jinja` when present.
    public convenience init(directory: URL) throws {
        try self.init(tokenizerJSON: directory.appendingPathComponent("tokenizer.json"),
                      configuration: TokenizerConfiguration(directory: directory))
    }

    private init(tokenizerJSON url: URL, configuration: TokenizerConfiguration) throws {
        let root = try JSONNode.load(url)
        let model = try BytePairEncoding(json: root.required("model"))
        let normalizer = try root.optional("normalizer").map(Normalizer.init(json:))
        let added = try AddedVocabulary(json: root.optional("added_tokens"), model: model, normalizer: normalizer)
        self.model = model
        self.normalizer = normalizer
        addedVocabulary = added
        preTokenizer = try root.optional("pre_tokenizer").map(PreTokenizer.init(json:))
        postProcessor = try root.optional("post_processor").map(PostProcessor.init(json:))

        let idCount = max(model.tokensByID.count, (added.ids.max() ?? -1) + 1)
        let tokens = (0..<idCount).map { added.token(for: $0) ?? model.token(for: $0) }
        decodedTokens = DecodedTokenTable(tokens: tokens, decoder: try TokenDecoder(json: root.optional("decoder")))
        specialTokenIDs = Set(tokens.indices.filter { tokens[$0].map(added.specialContents.contains) ?? false })
        vocabularySize = model.vocabulary.count + added.contents.filter { model.vocabulary[$0] == nil }.count

        bosToken = configuration.bosToken
        eosToken = configuration.eosToken
        chatTemplate = try configuration.chatTemplate.map { source in
            do {
                return try ChatTemplate(source.text, bosToken: configuration.bosToken, eosToken: configuration.eosToken)
            } catch let error as ChatTemplateError {
                throw TokenizerError.invalidChatTemplate(file: source.file, error: error)
            }
        }
    }

    /// The ids of `text`. Added and special tokens written in the text (`<|im_start|>`) are
    /// recognized. With `addSpecialTokens`, the post-processor's tokens are added (Llama-3: BOS);
    /// pass `false` for text rendered by `chatTemplate`, which already contains them.
    public func encode(_ text: String, addSpecialTokens: Bool = true) -> [Int] {
        let scalars = Array(text.unicodeScalars)
        var ids: [Int] = []
        ids.reserveCapacity(scalars.count / 3)
        for segment in addedVocabulary.segments(of: scalars[...], normalizer: normalizer) {
            switch segment {
            case .addedToken(let id):
                ids.append(id)
            case .text(let text):
                for piece in preTokenizer?.apply(to: [text]) ?? [text] {
                    model.encode(piece, into: &ids)
                }
            }
        }
        guard addSpecialTokens, let postProcessor else { return ids }
        return postProcessor.apply(to: ids)
    }

    /// The text of `ids`. Unknown ids are ignored; bytes that are not valid UTF-8 become U+FFFD.
    public func decode(_ ids: [Int], skipSpecialTokens: Bool = false) -> String {
        var bytes: [UInt8] = []
        var isFirstToken = true
        for id in ids {
            guard let tokenBytes = decodedBytes(of: id, skippingSpecialTokens: skipSpecialTokens) else { continue }
            if !isFirstToken { bytes += decodedTokens.separator }
            bytes += tokenBytes
            isFirstToken = false
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The bytes `id` decodes to, or nil when it decodes to nothing (unknown or skipped).
    func decodedBytes(of id: Int, skippingSpecialTokens: Bool) -> ArraySlice<UInt8>? {
        if skippingSpecialTokens && specialTokenIDs.contains(id) { return nil }
        return decodedTokens.bytes(of: id)
    }

    /// The vocabulary entry of `id` (byte-level form, e.g. "Ġhello"), or nil for an unknown id.
    public func tokenString(for id: Int) -> String? {
        (addedVocabulary.token(for: id) ?? model.token(for: id)).map { String(scalars: $0) }
    }

    /// The id of the vocabulary entry `token` (byte-level form, or an added token's content).
    public func id(forToken token: String) -> Int? {
        let scalars = Array(token.unicodeScalars)
        return addedVocabulary.id(for: scalars) ?? model.vocabulary[scalars]
    }
}
