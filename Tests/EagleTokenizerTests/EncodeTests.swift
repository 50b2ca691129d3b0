import Foundation
import Testing
@testable import EagleTokenizer

@Suite("Encoding")
struct EncodeTests {
    @Test("ids equal the tokenizers library's for every fixture text", arguments: tokenizerNames)
    func idsMatchReference(name: String) throws {
        let tokenizer = try TestFixtures.tokenizer(named: name)
        let fixture = try TestFixtures.load(EncodeFixture.self, from: "\(name)-encode.json")
        #expect(fixture.cases.count >= 200)
        for testCase in fixture.cases {
            #expect(tokenizer.encode(testCase.text, addSpecialTokens: false) == testCase.ids,
                    "\(name): \(testCase.text.debugDescription.prefix(200))")
            #expect(tokenizer.encode(testCase.text) == fixture.specialTokensPrefix + testCase.ids,
                    "\(name), with special tokens: \(testCase.text.debugDescription.prefix(200))")
        }
    }

    @Test("decoding the ids gives the text back", arguments: tokenizerNames)
    func roundTrip(name: String) throws {
        let tokenizer = try TestFixtures.tokenizer(named: name)
        let fixture = try TestFixtures.load(EncodeFixture.self, from: "\(name)-encode.json")
        for testCase in fixture.cases {
            #expect(tokenizer.decode(tokenizer.encode(testCase.text, addSpecialTokens: false)) == testCase.text,
                    "\(name): \(testCase.text.debugDescription.prefix(200))")
        }
    }

    @Test("Llama-3 style: BOS is added only with addSpecialTokens")
    func beginningOfText() throws {
        let tokenizer = try TestFixtures.llama3Style()
        let bos = try #require(tokenizer.id(forToken: "<|begin_of_text|>"))
        #expect(tokenizer.encode("Hi").first == bos)
        #expect(tokenizer.encode("Hi", addSpecialTokens: false).first != bos)
        #expect(tokenizer.encode("") == [bos])
        #expect(tokenizer.bosToken == "<|begin_of_text|>")
        #expect(tokenizer.eosToken == "<|eot_id|>")
    }

    @Test("vocabulary lookups")
    func vocabulary() throws {
        let tokenizer = try TestFixtures.llama3Style()
        #expect(tokenizer.vocabularySize == 3005)
        #expect(tokenizer.specialTokenIDs == Set(3000...3004))
        #expect(tokenizer.tokenString(for: 3004) == "<|eot_id|>")
        #expect(tokenizer.id(forToken: "<|eot_id|>") == 3004)
        let space = try #require(tokenizer.id(forToken: "Ġ"))
        #expect(tokenizer.tokenString(for: space) == "Ġ")
        #expect(tokenizer.tokenString(for: -1) == nil)
        #expect(tokenizer.tokenString(for: 1_000_000) == nil)
        #expect(tokenizer.id(forToken: "no such token") == nil)
    }

    @Test("encoding from many threads at once gives the same ids")
    func concurrentEncoding() async throws {
        let tokenizer = try TestFixtures.llama3Style()
        let fixture = try TestFixtures.load(EncodeFixture.self, from: "llama3-style-encode.json")
        let cases = fixture.cases.filter { $0.text.count < 2000 }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for worker in 0..<4 {
                group.addTask {
                    for testCase in cases.shuffled() where testCase.text.hashValue % 4 != worker {
                        guard tokenizer.encode(testCase.text, addSpecialTokens: false) == testCase.ids else {
                            throw FixtureError("mismatch on \(testCase.text.debugDescription)")
                        }
                    }
                }
            }
            try await group.waitForAll()
        }
    }
}
