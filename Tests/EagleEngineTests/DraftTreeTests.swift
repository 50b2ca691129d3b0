@testable import EagleEngine
import EagleModels
import EagleTestSupport
import EagleTokenizer
import Foundation
import Testing

/// Draft-tree leaves (`SpeculativeConfig.draftSiblings`): the head's runner-up verified beside
/// its drafts must leave greedy output identical to plain decoding, and be accepted where the
/// chain breaks on it.
@Suite struct DraftTreeTests {
    @Test func configParsesAndValidates() throws {
        let parsed = try SpeculativeConfig.parse(json: #"{"method": "eagle3", "model": "/x", "draft_siblings": 3}"#)
        #expect(parsed.draftSiblings == 3)
        // By default, the leaves that fit beside the chain in one weight pass of the skinny kernel.
        #expect((1...6).map { SpeculativeConfig.defaultDraftSiblings(k: $0) } == [1, 2, 2, 1, 0, 0])
        for bad in [-1, 16] {
            #expect(throws: EngineError.self, "\(bad)") {
                try SpeculativeConfig.parse(json: #"{"method": "eagle3", "model": "/x", "draft_siblings": "# + "\(bad)}")
            }
        }
    }

    /// Greedy speculation with `siblings` leaves at k drafts on the tiny model (lookup off):
    /// checks it against plain decoding and returns the speculative runs' counters.
    static func tinyModelMetrics(k: Int, siblings: Int) throws -> SpeculationMetrics {
        let llm = try LosslessSpeculationTests.engine(model: LosslessSpeculationTests.tinyModel, k: k, seed: UInt64(k),
                                                      draftVocabSize: 64, promptLookupMin: 0, draftSiblings: siblings)
        var total = SpeculationMetrics()
        for prompt in LosslessSpeculationTests.prompts(vocabulary: llm.model.config.vocabSize, count: 5) {
            let plain = try LosslessSpeculationTests.generate(llm, prompt: prompt, maxTokens: 40, speculate: false)
            let speculative = try LosslessSpeculationTests.generate(llm, prompt: prompt, maxTokens: 40, speculate: true)
            #expect(speculative.tokens == plain.tokens, "k = \(k), siblings \(siblings), prompt \(prompt)")
            total.merge(speculative.metrics)
        }
        // One leaf per draft up to `siblings` in every round (a lone request fits 15 rows).
        #expect(total.numSiblingTokens == total.numDrafts * min(k, siblings))
        #expect(total.numAcceptedSiblings <= total.numAcceptedTokens)
        let blocks = llm.usedKVBlocks
        #expect(blocks.target == 0 && blocks.draft == 0)
        return total
    }

    /// Every k with one leaf, wherever the head rates it likeliest.
    @Test(arguments: 1...6)
    func tinyModelIsLossless(k: Int) throws {
        _ = try Self.tinyModelMetrics(k: k, siblings: 1)
    }

    /// Every k with a leaf beside every draft. With a random head the runner-up rarely
    /// matches; over every k it does.
    @Test func tinyModelAcceptsLeaves() throws {
        var accepted = 0
        for k in 1...6 { accepted += try Self.tinyModelMetrics(k: k, siblings: 15).numAcceptedSiblings }
        #expect(accepted > 0)
    }

    /// Near the maximum length the scheduler cuts leaves before drafts; output still matches.
    @Test func leavesNearTheMaximumLength() throws {
        let llm = try LosslessSpeculationTests.engine(model: LosslessSpeculationTests.tinyModel, k: 5, seed: 3, draftVocabSize: 64,
                                                      maxModelLength: 40, promptLookupMin: 0, draftSiblings: 5)
        for prompt in LosslessSpeculationTests.prompts(vocabulary: llm.model.config.vocabSize, count: 4) {
            let plain = try LosslessSpeculationTests.generate(llm, prompt: prompt, maxTokens: 64, speculate: false)
            let speculative = try LosslessSpeculationTests.generate(llm, prompt: prompt, maxTokens: 64, speculate: true)
            #expect(plain.tokens.count == 40 - prompt.count)
            #expect(speculative.tokens == plain.tokens, "prompt \(prompt)")
        }
        let blocks = llm.usedKVBlocks
        #expect(blocks.target == 0 && blocks.draft == 0)
    }

    /// The real model with the shipped head, whose runner-up is often the target's token.
    @Test func shippedHeadAcceptsLeavesLosslessly() throws {
        let head = TestPaths.packageRoot.appendingPathComponent("Models/SmolLM2-135M-Instruct-EAGLE3")
        let llm = try LLM(model: TestPaths.smolLM2, options: EngineOptions(
            maxModelLength: 512,
            speculative: SpeculativeConfig(model: head.path, numSpeculativeTokens: 4, promptLookupMin: 0, draftSiblings: 4)))
        let tokenizer = try Tokenizer(directory: TestPaths.smolLM2)
        var total = SpeculationMetrics()
        for text in ["def fibonacci(n):\n    \"\"\"Return the n-th Fibonacci number.\"\"\"\n", "The three primary colors are"] {
            let prompt = tokenizer.encode(text)
            let plain = try LosslessSpeculationTests.generate(llm, prompt: prompt, maxTokens: 48, speculate: false)
            let speculative = try LosslessSpeculationTests.generate(llm, prompt: prompt, maxTokens: 48, speculate: true)
            #expect(speculative.tokens == plain.tokens, "\(text)")
            total.merge(speculative.metrics)
        }
        #expect(total.numAcceptedSiblings > 0)
        #expect(total.numSiblingTokens == 4 * total.numDrafts)
    }
}
