import Testing
@testable import EagleTokenizer

@Suite("Streaming detokenizer")
struct StreamingDetokenizerTests {
    /// Every chunk of streaming `ids`, the final flush last.
    private func chunks(_ ids: [Int], _ tokenizer: Tokenizer, skipSpecialTokens: Bool = false) -> [String] {
        var detokenizer = StreamingDetokenizer(tokenizer: tokenizer, skipSpecialTokens: skipSpecialTokens)
        return ids.map { detokenizer.append($0) } + [detokenizer.finish()]
    }

    @Test("the chunks add up to decode() for every decode fixture", arguments: tokenizerNames)
    func concatenationEqualsDecode(name: String) throws {
        let tokenizer = try TestFixtures.tokenizer(named: name)
        for testCase in try TestFixtures.load([DecodeCase].self, from: "\(name)-decode.json") {
            #expect(chunks(testCase.ids, tokenizer).joined() == testCase.text, "\(name): \(testCase.ids)")
            #expect(chunks(testCase.ids, tokenizer, skipSpecialTokens: true).joined() == testCase.textSkippingSpecialTokens,
                    "\(name), skipping special tokens: \(testCase.ids)")
        }
    }

    @Test("multi-byte characters are never split or replaced", arguments: tokenizerNames)
    func multiByteCharacters(name: String) throws {
        let tokenizer = try TestFixtures.tokenizer(named: name)
        let text = "Hi 👋🏽 世界! 👨‍👩‍👧‍👦 🇫🇷 naïve café 日本語 🙂🙂"
        let ids = tokenizer.encode(text, addSpecialTokens: false)
        let streamed = chunks(ids, tokenizer)
        #expect(streamed.joined() == text)
        #expect(!streamed.contains { $0.unicodeScalars.contains("\u{FFFD}") })
        #expect(streamed.contains(""), "some token ends inside a character, so some chunk must wait")
    }

    @Test("an incomplete character at the end becomes U+FFFD, like decode()")
    func incompleteEnd() throws {
        let tokenizer = try TestFixtures.llama3Style()
        // "🙂" is F0 9F 99 82: feed its first two bytes as byte-level tokens.
        let ids = try ["ð", "Ł"].map { try #require(tokenizer.id(forToken: $0)) }
        var detokenizer = StreamingDetokenizer(tokenizer: tokenizer)
        #expect(ids.map { detokenizer.append($0) } == ["", ""])
        #expect(detokenizer.finish() == "\u{FFFD}")
        #expect(tokenizer.decode(ids) == "\u{FFFD}")
    }
}
