import Foundation

/// Builds HF `tokenizer.json` / `tokenizer_config.json` contents from a GGUF's
/// `tokenizer.ggml.*` metadata (byte-level BPE vocabularies: `tokenizer.ggml.model == "gpt2"`).
struct GGUFTokenizerExport {
    let tokens: [String]
    let tokenTypes: [Int]
    let merges: [String]
    let preTokenizerTag: String
    let bosID: Int?
    let eosID: Int?
    let unknownID: Int?
    let paddingID: Int?
    let addBOS: Bool
    let chatTemplate: String?
    let file: String

    /// llama.cpp token types.
    private static let control = 3, userDefined = 4

    static let gpt2Regex = #"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+"#
    static let llama3Regex =
        #"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"#

    init(gguf: GGUFFile) throws {
        file = gguf.path
        let model = try gguf.string("tokenizer.ggml.model")
        guard model == "gpt2" else {
            throw ConfigError.invalidValue(file: file, path: "tokenizer.ggml.model",
                                           reason: "only byte-level BPE ('gpt2') tokenizers can be imported, found '\(model)'")
        }
        func strings(_ key: String) throws -> [String] {
            guard let values = try gguf.value(key).array else {
                throw ConfigError.wrongType(file: gguf.path, path: key, expected: "an array of strings")
            }
            return try values.map {
                guard let s = $0.string else { throw ConfigError.wrongType(file: gguf.path, path: key, expected: "an array of strings") }
                return s
            }
        }
        tokens = try strings("tokenizer.ggml.tokens")
        merges = try strings("tokenizer.ggml.merges")
        tokenTypes = gguf.metadata["tokenizer.ggml.token_type"]?.array?.map { $0.int ?? 1 } ?? Array(repeating: 1, count: tokens.count)
        preTokenizerTag = gguf.metadata["tokenizer.ggml.pre"]?.string ?? "default"
        bosID = gguf.metadata["tokenizer.ggml.bos_token_id"]?.int
        eosID = gguf.metadata["tokenizer.ggml.eos_token_id"]?.int
        unknownID = gguf.metadata["tokenizer.ggml.unknown_token_id"]?.int
        paddingID = gguf.metadata["tokenizer.ggml.padding_token_id"]?.int
        addBOS = gguf.metadata["tokenizer.ggml.add_bos_token"]?.bool ?? false
        chatTemplate = gguf.metadata["tokenizer.chat_template"]?.string
        for (key, id) in [("bos", bosID), ("eos", eosID), ("unknown", unknownID), ("padding", paddingID)] {
            if let id, !(0..<tokens.count).contains(id) {
                throw ConfigError.invalidValue(file: file, path: "tokenizer.ggml.\(key)_token_id", reason: "\(id) is not a token id")
            }
        }
    }

    /// The HF pre-tokenizer for llama.cpp's `tokenizer.ggml.pre` tag.
    func preTokenizer() throws -> [String: Any] {
        let byteLevelWithRegex: [String: Any] = ["type": "ByteLevel", "add_prefix_space": false, "trim_offsets": true, "use_regex": true]
        switch preTokenizerTag {
        case "default", "gpt2", "gpt-2":
            return byteLevelWithRegex
        case "smollm":
            // Upstream SmolLM2 (and llama.cpp): every digit alone, then the GPT-2 split.
            return ["type": "Sequence", "pretokenizers": [["type": "Digits", "individual_digits": true], byteLevelWithRegex]]
        case "llama-bpe", "llama3":
            return ["type": "Sequence", "pretokenizers": [
                ["type": "Split", "pattern": ["Regex": Self.llama3Regex], "behavior": "Isolated", "invert": false],
                ["type": "ByteLevel", "add_prefix_space": false, "trim_offsets": true, "use_regex": false],
            ]]
        default:
            throw ConfigError.invalidValue(file: file, path: "tokenizer.ggml.pre",
                                           reason: "unsupported pre-tokenizer '\(preTokenizerTag)' (supported: default, gpt2, smollm, llama-bpe)")
        }
    }

    func tokenizerJSON() throws -> [String: Any] {
        var vocab: [String: Int] = [:]
        for (id, token) in tokens.enumerated() { vocab[token] = id }
        let pairs: [[String]] = try merges.map { merge in
            let parts = merge.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
            guard parts.count == 2 else {
                throw ConfigError.invalidValue(file: file, path: "tokenizer.ggml.merges", reason: "merge '\(merge)' is not 'a b'")
            }
            return parts
        }
        let added: [[String: Any]] = tokens.indices.compactMap { id in
            let type = id < tokenTypes.count ? tokenTypes[id] : 1
            guard type == Self.control || type == Self.userDefined else { return nil }
            return ["id": id, "content": tokens[id], "single_word": false, "lstrip": false, "rstrip": false,
                    "normalized": false, "special": type == Self.control]
        }
        var single: [[String: Any]] = [["Sequence": ["id": "A", "type_id": 0]]]
        var specialTokens: [String: Any] = [:]
        if addBOS, let bosID {
            single.insert(["SpecialToken": ["id": tokens[bosID], "type_id": 0]], at: 0)
            specialTokens[tokens[bosID]] = ["id": tokens[bosID], "ids": [bosID], "tokens": [tokens[bosID]]]
        }
        return [
            "version": "1.0",
            "truncation": NSNull(), "padding": NSNull(),
            "added_tokens": added,
            "normalizer": NSNull(),
            "pre_tokenizer": try preTokenizer(),
            "post_processor": ["type": "TemplateProcessing", "single": single, "pair": single + [["Sequence": ["id": "B", "type_id": 1]]],
                               "special_tokens": specialTokens],
            "decoder": ["type": "ByteLevel", "add_prefix_space": true, "trim_offsets": true, "use_regex": true],
            "model": ["type": "BPE", "dropout": NSNull(), "unk_token": NSNull(), "continuing_subword_prefix": "",
                      "end_of_word_suffix": "", "fuse_unk": false, "byte_fallback": false, "ignore_merges": false,
                      "vocab": vocab, "merges": pairs],
        ]
    }

    func tokenizerConfigJSON(maxLength: Int) -> [String: Any] {
        var config: [String: Any] = ["add_bos_token": addBOS, "add_eos_token": false, "model_max_length": maxLength,
                                     "clean_up_tokenization_spaces": false, "tokenizer_class": "PreTrainedTokenizerFast"]
        if let bosID { config["bos_token"] = tokens[bosID] }
        if let eosID { config["eos_token"] = tokens[eosID] }
        if let unknownID { config["unk_token"] = tokens[unknownID] }
        if let paddingID { config["pad_token"] = tokens[paddingID] }
        if let chatTemplate { config["chat_template"] = chatTemplate }
        return config
    }
}
