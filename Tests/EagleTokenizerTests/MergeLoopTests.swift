import Testing
@testable import EagleTokenizer

@Suite("BPE merge loop")
struct MergeLoopTests {
    /// The merge loop pops each candidate pair once: at most n - 1 initial pairs plus two new ones
    /// per merge, so fewer than 3n iterations for a word of n symbols. A loop that rescans the word
    /// after every merge would need about n²/2.
    @Test("a 5,000-character word needs O(n) heap pops")
    func linearNumberOfIterations() throws {
        let tokenizer = try TestFixtures.llama3Style()
        let word = String(String(repeating: "internationalizationandtokenization", count: 143).prefix(5_000))
        let initialIDs = try word.map { try #require(tokenizer.id(forToken: String($0))) }
        var iterations = 0
        let merged = tokenizer.model.mergedIDs(initialIDs, iterations: &iterations)
        #expect(merged.count < initialIDs.count / 2, "the word should merge substantially")
        #expect(iterations >= initialIDs.count - merged.count)
        #expect(iterations < 3 * initialIDs.count)
        #expect(tokenizer.encode(word, addSpecialTokens: false) == merged)
    }
}
