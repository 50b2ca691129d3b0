import Testing
@testable import EagleTokenizer

@Suite("Decoding")
struct DecodeTests {
    @Test("decoded text equals the tokenizers library's", arguments: tokenizerNames)
    func decodeMatchesReference(name: String) throws {
        let tokenizer = try TestFixtures.tokenizer(named: name)
        let cases = try TestFixtures.load([DecodeCase].self, from: "\(name)-decode.json")
        #expect(cases.count >= 100)
        for testCase in cases {
            #expect(tokenizer.decode(testCase.ids) == testCase.text, "\(name): \(testCase.ids)")
            #expect(tokenizer.decode(testCase.ids, skipSpecialTokens: true) == testCase.textSkippingSpecialTokens,
                    "\(name), skipping special tokens: \(testCase.ids)")
        }
    }

    @Test("unknown ids decode to nothing")
    func unknownIDs() throws {
        let tokenizer = try TestFixtures.llama3Style()
        let ids = tokenizer.encode("Hi", addSpecialTokens: false)
        #expect(tokenizer.decode([-5] + ids + [1_000_000]) == "Hi")
    }
}
