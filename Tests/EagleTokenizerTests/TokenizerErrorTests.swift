import Foundation
import Testing
@testable import EagleTokenizer
import EagleTestSupport

/// Loading broken variants of the Llama-3-style tokenizer.json.
@Suite("Tokenizer loading errors")
struct TokenizerErrorTests {
    /// The committed tokenizer.json, changed by `edit`, written to a scratch directory.
    private func variant(_ edit: (inout [String: Any]) -> Void) throws -> URL {
        let original = TestFixtures.llama3StyleDirectory.appendingPathComponent("tokenizer.json")
        var json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: original)) as? [String: Any])
        edit(&json)
        let directory = try ScratchDirectory.make(prefix: "eagle-tokenizer")
        let url = directory.appendingPathComponent("tokenizer.json")
        try JSONSerialization.data(withJSONObject: json).write(to: url)
        return url
    }

    private func loadingError(_ edit: (inout [String: Any]) -> Void) throws -> TokenizerError? {
        let url = try variant(edit)
        do {
            _ = try Tokenizer(tokenizerJSON: url)
            return nil
        } catch {
            return error as? TokenizerError
        }
    }

    private func editModel(_ json: inout [String: Any], _ edit: (inout [String: Any]) -> Void) {
        var model = json["model"] as? [String: Any] ?? [:]
        edit(&model)
        json["model"] = model
    }

    @Test("a missing vocabulary names model.vocab")
    func missingVocabulary() throws {
        let error = try loadingError { editModel(&$0) { $0["vocab"] = nil } }
        #expect(error == .missingKey(file: "tokenizer.json", key: "model.vocab"))
    }

    @Test("an unknown pre-tokenizer names its type and the supported ones")
    func unknownPreTokenizer() throws {
        let error = try loadingError {
            $0["pre_tokenizer"] = ["type": "Sequence", "pretokenizers": [["type": "Metaspace", "replacement": "▁"]]]
        }
        #expect(error == .unsupportedType(file: "tokenizer.json", key: "pre_tokenizer.pretokenizers[0].type",
                                          type: "Metaspace", supported: ["ByteLevel", "Digits", "Sequence", "Split"]))
        #expect(error?.description.contains("\"Metaspace\", which is not supported (supported: ByteLevel, Digits") == true)
    }

    @Test("a merge of a token missing from the vocabulary is reported")
    func unknownMergeToken() throws {
        let error = try loadingError { editModel(&$0) { $0["merges"] = [["Ġ", "t"], ["Ġ", "nosuchtoken"]] } }
        #expect(error == .unknownMergeToken(file: "tokenizer.json", key: "model.merges[1]",
                                            merge: "Ġ nosuchtoken", token: "nosuchtoken"))
    }

    @Test("a legacy merge line that is not two tokens is reported")
    func malformedLegacyMerge() throws {
        let error = try loadingError { editModel(&$0) { $0["merges"] = ["Ġ t", "Ġ t h"] } }
        #expect(error == .invalidMerge(file: "tokenizer.json", key: "model.merges[1]", merge: "Ġ t h"))
    }

    @Test("an invalid split regex is reported, not ignored")
    func invalidRegex() throws {
        let error = try loadingError {
            $0["pre_tokenizer"] = ["type": "Split", "pattern": ["Regex": "(unclosed"], "behavior": "Isolated", "invert": false]
        }
        guard case let .invalidRegex(file, key, pattern, _)? = error else { throw FixtureError("\(String(describing: error))") }
        #expect((file, key, pattern) == ("tokenizer.json", "pre_tokenizer.pattern", "(unclosed"))
    }

    @Test("unsupported models, decoders and options")
    func unsupportedComponents() throws {
        #expect(try loadingError { editModel(&$0) { $0["type"] = "WordPiece" } }
                    == .unsupportedType(file: "tokenizer.json", key: "model.type", type: "WordPiece", supported: ["BPE"]))
        #expect(try loadingError { $0["decoder"] = ["type": "Metaspace"] }
                    == .unsupportedType(file: "tokenizer.json", key: "decoder.type", type: "Metaspace", supported: ["ByteLevel"]))
        guard case .unsupportedOption(_, "model.dropout", _)? = try loadingError({ editModel(&$0) { $0["dropout"] = 0.1 } }) else {
            throw FixtureError("dropout accepted")
        }
    }

    @Test("files that cannot be read or parsed")
    func unreadableFiles() throws {
        let directory = try ScratchDirectory.make(prefix: "eagle-tokenizer")
        #expect {
            try Tokenizer(directory: directory)
        } throws: { error in
            if case .unreadableFile? = error as? TokenizerError { return true }
            return false
        }
        let garbage = directory.appendingPathComponent("tokenizer.json")
        try Data("{ not json".utf8).write(to: garbage)
        #expect {
            try Tokenizer(tokenizerJSON: garbage)
        } throws: { error in
            if case .malformedJSON(file: "tokenizer.json", _)? = error as? TokenizerError { return true }
            return false
        }
    }

    @Test("a broken chat template fails loading the directory, naming the file")
    func brokenChatTemplate() throws {
        let directory = try ScratchDirectory.make(prefix: "eagle-tokenizer")
        try FileManager.default.copyItem(at: TestFixtures.llama3StyleDirectory.appendingPathComponent("tokenizer.json"),
                                         to: directory.appendingPathComponent("tokenizer.json"))
        try Data("{% for m in messages %}{{ m.content }}".utf8).write(to: directory.appendingPathComponent("chat_template.jinja"))
        #expect {
            try Tokenizer(directory: directory)
        } throws: { error in
            if case .invalidChatTemplate(file: "chat_template.jinja", .syntax)? = error as? TokenizerError { return true }
            return false
        }
    }
}
