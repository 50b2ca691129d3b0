@testable import EagleEngine
import EagleTestSupport
import EagleTokenizer
import Foundation
import Testing

@Suite struct PromptLookupTests {
    func drafts(_ tokens: [Int], count: Int, minimum: Int = 2, maximum: Int = 8, into initial: [Int] = []) -> [Int]? {
        var drafts = initial
        let found = PromptLookup(minimumMatch: minimum, maximumMatch: maximum, draftCount: 1)
            .appendDrafts(after: tokens, count: count, to: &drafts)
        if !found { #expect(drafts == initial, "nothing appended without a match") }
        return found ? drafts : nil
    }

    @Test func longestRecurringSuffixWins() {
        // [2, 3] recurs twice (followed by 9 and 7), but [1, 2, 3] only once (followed by 9, 5, 2).
        #expect(drafts([1, 2, 3, 9, 5, 2, 3, 7, 1, 2, 3], count: 3) == [9, 5, 2])
        // Capped at two tokens, the most recent [2, 3] wins.
        #expect(drafts([1, 2, 3, 8, 0, 2, 3, 9, 1, 2, 3], count: 1, maximum: 2) == [9])
        #expect(drafts([1, 2, 3, 8, 0, 2, 3, 9, 1, 2, 3], count: 1, maximum: 3) == [8])
    }

    @Test func tiesGoToTheMostRecentOccurrence() {
        #expect(drafts([2, 3, 9, 2, 3, 7, 2, 3], count: 3) == [7, 2, 3])
    }

    @Test func shortMatchesAreIgnored() {
        #expect(drafts([1, 2, 3, 9, 5, 2, 3], count: 2, minimum: 3) == nil)
        #expect(drafts([1, 2, 3, 9, 5, 2, 3], count: 2, minimum: 2) == [9, 5])
        #expect(drafts([4, 5, 6], count: 2) == nil)
        #expect(drafts([7, 7], count: 2) == nil)   // needs more tokens than the minimum match
        #expect(drafts([1, 2, 1, 2], count: 0) == nil)
    }

    @Test func copyContinuesALoopPastTheEnd() {
        // Period 2: the copy runs into the drafts it has just written.
        #expect(drafts([4, 1, 2, 1, 2, 1, 2], count: 5) == [1, 2, 1, 2, 1])
        #expect(drafts([8, 8, 8], count: 4, minimum: 2) == [8, 8, 8, 8])
        // Appended after what `drafts` held.
        #expect(drafts([1, 2, 1, 2], count: 3, into: [77]) == [77, 1, 2, 1])
    }

    @Test func configDefaultsAndValidation() throws {
        let head = SpeculativeConfig(model: "/x")
        #expect(head.promptLookup == PromptLookup(minimumMatch: SpeculativeConfig.defaultPromptLookupMin,
                                                  maximumMatch: SpeculativeConfig.defaultPromptLookupMax,
                                                  draftCount: SpeculativeConfig.defaultPromptLookupTokens))
        #expect(SpeculativeConfig(model: "/x", promptLookupMin: 0).promptLookup == nil)
        #expect(SpeculativeConfig(model: "/x", promptLookupMin: 12).promptLookup
                == PromptLookup(minimumMatch: 12, maximumMatch: 12, draftCount: SpeculativeConfig.defaultPromptLookupTokens))
        let parsed = try SpeculativeConfig.parse(
            json: #"{"method": "eagle3", "model": "/x", "prompt_lookup_min": 3, "prompt_lookup_max": 5, "prompt_lookup_tokens": 6}"#)
        #expect(parsed.promptLookup == PromptLookup(minimumMatch: 3, maximumMatch: 5, draftCount: 6))
        for bad in [#""prompt_lookup_min": -1"#, #""prompt_lookup_min": 65"#, #""prompt_lookup_max": 3"#,
                    #""prompt_lookup_min": 2, "prompt_lookup_max": 65"#, #""prompt_lookup_tokens": 0"#,
                    #""prompt_lookup_tokens": 16"#] {
            #expect(throws: EngineError.self, "\(bad)") {
                try SpeculativeConfig.parse(json: #"{"method": "eagle3", "model": "/x", "# + bad + "}")
            }
        }
    }

    @Test func lookupDraftsAreLosslessAndCounted() throws {
        // SmolLM2 continues a counting pattern, so its last tokens recur and lookup drafts.
        let prompt = try Tokenizer(directory: TestPaths.smolLM2).encode("1, 2, 3, 1, 2, 3, 1, 2, 3, 1, 2, 3, 1,")
        let llm = try LosslessSpeculationTests.engine(model: TestPaths.smolLM2, k: 4, seed: 11, draftVocabSize: 4096,
                                                      maxModelLength: 256)
        let plain = try LosslessSpeculationTests.generate(llm, prompt: prompt, maxTokens: 24, speculate: false)
        let speculative = try LosslessSpeculationTests.generate(llm, prompt: prompt, maxTokens: 24, speculate: true)
        #expect(speculative.tokens == plain.tokens)
        let m = speculative.metrics
        #expect(m.numLookupDrafts > 0 && m.numLookupDrafts <= m.numDrafts)
        #expect(m.numLookupAcceptedTokens > 0 && m.numLookupAcceptedTokens <= m.numAcceptedTokens)
        #expect(m.numLookupDraftTokens == 8 * m.numLookupDrafts)   // beyond the head's k = 4
        #expect(m.numDraftTokens - m.numLookupDraftTokens == 4 * (m.numDrafts - m.numLookupDrafts))
    }
}
