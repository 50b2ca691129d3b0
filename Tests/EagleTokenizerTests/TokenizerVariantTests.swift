import Foundation
import Testing
@testable import EagleTokenizer
import EagleTestSupport

/// tokenizer.json features the two real tokenizers do not use.
@Suite("tokenizer.json variants")
struct TokenizerVariantTests {
    /// Writes the Llama-3-style tokenizer.json changed by `edit` and loads it.
    private func tokenizer(_ edit: (inout [String: Any]) -> Void) throws -> Tokenizer {
        let original = TestFixtures.llama3StyleDirectory.appendingPathComponent("tokenizer.json")
        var json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: original)) as? [String: Any])
        edit(&json)
        let url = try ScratchDirectory.make(prefix: "eagle-tokenizer").appendingPathComponent("tokenizer.json")
        try JSONSerialization.data(withJSONObject: json).write(to: url)
        return try Tokenizer(tokenizerJSON: url)
    }

    @Test("legacy \"a b\" merges encode like [a, b] pairs")
    func legacyMerges() throws {
        let reference = try TestFixtures.llama3Style()
        let legacy = try tokenizer { json in
            var model = json["model"] as? [String: Any] ?? [:]
            let pairs = model["merges"] as? [[String]] ?? []
            model["merges"] = ["#version: 0.2"] + pairs.map { $0.joined(separator: " ") }
            json["model"] = model
        }
        let fixture = try TestFixtures.load(EncodeFixture.self, from: "llama3-style-encode.json")
        for testCase in fixture.cases.prefix(120) {
            #expect(legacy.encode(testCase.text) == reference.encode(testCase.text), "\(testCase.text.debugDescription)")
        }
    }

    @Test("an NFC normalizer and added tokens with lstrip, rstrip and single_word encode like tokenizers")
    func variants() throws {
        let variants = try JSONSerialization.jsonObject(
            with: Data(contentsOf: TestFixtures.directory.appendingPathComponent("llama3-style-variants.json"))) as? [[String: Any]]
        #expect(variants?.count == 2)
        for variant in variants ?? [] {
            let description = variant["description"] as? String ?? ""
            let tokenizer = try tokenizer { json in
                json["normalizer"] = variant["normalizer"] ?? json["normalizer"]
                json["added_tokens"] = (json["added_tokens"] as? [Any] ?? []) + (variant["added_tokens"] as? [Any] ?? [])
            }
            for testCase in variant["cases"] as? [[String: Any]] ?? [] {
                let text = try #require(testCase["text"] as? String)
                let ids = tokenizer.encode(text, addSpecialTokens: false)
                #expect(ids == testCase["ids"] as? [Int], "\(description): \(text.debugDescription)")
                #expect(tokenizer.decode(ids, skipSpecialTokens: true) == testCase["text_skipping_special_tokens"] as? String,
                        "\(description): \(text.debugDescription)")
            }
        }
    }
}
