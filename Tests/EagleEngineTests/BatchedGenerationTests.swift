@testable import EagleEngine
import EagleTestSupport
import Foundation
import Testing

/// Continuous batching on the tiny model with a random head: requests of mixed prompt
/// lengths, lengths and speculation run together (chunked prefill under a small token
/// budget, preemption in a small KV pool) and must produce exactly the tokens they produce
/// alone.
@Suite struct BatchedGenerationTests {
    struct Case {
        var prompt: [Int]
        var maxTokens: Int
        var speculate: Bool
    }

    static func cases(count: Int) -> [Case] {
        let prompts = LosslessSpeculationTests.prompts(vocabulary: 512, count: count)
        return prompts.enumerated().map { i, prompt in
            Case(prompt: Array(prompt.prefix(3 + (i * 17) % 70)), maxTokens: 5 + (i * 11) % 36, speculate: i % 3 != 0)
        }
    }

    static func params(_ c: Case) -> SamplingParams { SamplingParams(temperature: 0, maxTokens: c.maxTokens, ignoreEOS: true) }

    /// Runs all cases in one engine at once; returns their tokens and total preemptions.
    static func runTogether(_ llm: LLM, _ cases: [Case]) throws -> (tokens: [[Int]], preemptions: Int) {
        try llm.core.withCore { core in
            let requests = try cases.enumerated().map { i, c in
                try core.add(requestID: "\(i)", prompt: nil, promptTokenIDs: c.prompt, params: params(c), speculate: c.speculate)
            }
            try core.runToCompletion()
            return (requests.map(\.output.outputs[0].tokenIDs), requests.map(\.sequence.preemptions).reduce(0, +))
        }
    }

    static func solo(_ llm: LLM, _ cases: [Case]) throws -> [[Int]] {
        try cases.map { c in try llm.generate(promptTokenIDs: c.prompt, params(c), speculate: c.speculate).outputs[0].tokenIDs }
    }

    /// Chains, and chains with draft-tree leaves (which the budget cuts first).
    @Test(arguments: [0, 3])
    func concurrentRequestsMatchSoloRuns(draftSiblings: Int) throws {
        let cases = Self.cases(count: 12)
        let reference = try Self.solo(LosslessSpeculationTests.engine(model: LosslessSpeculationTests.tinyModel, k: 3, seed: 7,
                                                                      draftVocabSize: 64), cases)
        let llm = try LosslessSpeculationTests.engine(
            model: LosslessSpeculationTests.tinyModel, k: 3, seed: 7, draftVocabSize: 64,
            scheduler: SchedulerConfig(maxNumBatchedTokens: 48, maxNumSeqs: 6), draftSiblings: draftSiblings)
        let together = try Self.runTogether(llm, cases)
        for i in cases.indices {
            #expect(together.tokens[i] == reference[i], "request \(i)")
            #expect(together.tokens[i].count == cases[i].maxTokens)
        }
        let blocks = llm.usedKVBlocks
        #expect(blocks.target == 0 && blocks.draft == 0)
    }

    @Test(arguments: [0, 2])
    func smallKVPoolPreemptsAndStillMatches(draftSiblings: Int) throws {
        let cases = Self.cases(count: 10)
        let reference = try Self.solo(LosslessSpeculationTests.engine(model: LosslessSpeculationTests.tinyModel, k: 2, seed: 9,
                                                                      draftVocabSize: 64, maxModelLength: 128), cases)
        // A pool of 160 positions holds about two of these requests: running requests get preempted.
        let llm = try LosslessSpeculationTests.engine(
            model: LosslessSpeculationTests.tinyModel, k: 2, seed: 9, draftVocabSize: 64, maxModelLength: 128,
            scheduler: SchedulerConfig(maxNumBatchedTokens: 64, maxNumSeqs: 8), kvCacheTokens: 160, draftSiblings: draftSiblings)
        let together = try Self.runTogether(llm, cases)
        #expect(together.preemptions > 0)
        #expect(together.tokens == reference)
        let blocks = llm.usedKVBlocks
        #expect(blocks.target == 0 && blocks.draft == 0)
    }

    @Test func batchAPIKeepsInputOrderAndValidatesFirst() throws {
        let llm = try LosslessSpeculationTests.engine(model: LosslessSpeculationTests.tinyModel, k: 2, seed: 3, draftVocabSize: 64)
        let prompts = [[1, 2, 3], Array(10..<40), [7]]
        let outputs = try llm.generate(promptTokenIDs: prompts, SamplingParams(temperature: 0, maxTokens: 6, ignoreEOS: true))
        #expect(outputs.map(\.requestID) == ["0", "1", "2"])
        #expect(outputs.map(\.promptTokenIDs) == prompts)
        #expect(outputs.allSatisfy { $0.finished && $0.outputs[0].tokenIDs.count == 6 })
        #expect(throws: EngineError.invalidTokenID(9999, vocabularySize: 512)) {
            try llm.generate(promptTokenIDs: [[1, 2], [9999]], SamplingParams(temperature: 0, maxTokens: 4))
        }
        let blocks = llm.usedKVBlocks
        #expect(blocks.target == 0 && blocks.draft == 0)
        #expect(try llm.generate(promptTokenIDs: [[1, 2]], SamplingParams(temperature: 0, maxTokens: 3))[0].finished)
    }

    @Test func batchStreamYieldsEveryRequestsDeltas() async throws {
        let llm = try LosslessSpeculationTests.engine(model: LosslessSpeculationTests.tinyModel, k: 2, seed: 5, draftVocabSize: 64)
        let prompts = ["Hello there", "A", "Once upon a time, in a land far away"]
        let params = SamplingParams(temperature: 0, maxTokens: 12, ignoreEOS: true)
        var texts: [String: String] = [:]
        var finals: [String: RequestOutput] = [:]
        var order: [String] = []
        for try await (output, delta) in llm.stream(prompts, params) {
            texts[output.requestID, default: ""] += delta
            if order.last != output.requestID { order.append(output.requestID) }
            if output.finished { finals[output.requestID] = output }
        }
        let expected = try llm.generate(prompts, params)
        #expect(Set(finals.keys) == ["0", "1", "2"])
        for (i, output) in expected.enumerated() {
            #expect(finals["\(i)"]?.outputs[0].tokenIDs == output.outputs[0].tokenIDs)
            #expect(texts["\(i)"] == output.outputs[0].text)
        }
        #expect(order.count > 3, "updates of different requests interleave")
    }

    @Test func greedyDraftsShrinkWithLoadSampledOnesDoNot() throws {
        let llm = try LosslessSpeculationTests.engine(model: LosslessSpeculationTests.tinyModel, k: 4, seed: 2, draftVocabSize: 64)
        try llm.core.withCore { core in
            for i in 0..<7 {
                try core.add(requestID: "\(i)", prompt: nil, promptTokenIDs: [1, 2, i + 3],
                             params: SamplingParams(temperature: 0, maxTokens: 10, ignoreEOS: true))
            }
            try core.add(requestID: "sampled", prompt: nil, promptTokenIDs: [4, 5],
                         params: SamplingParams(temperature: 1, maxTokens: 10, seed: 1, ignoreEOS: true))
            try core.step()   // every prompt fits the budget: all eight prefilled and drafted
            #expect(core.greedyDraftLimit == 1)   // 16 rows / 8 requests − 1
            let drafts = core.scheduler.running.map { ($0.params.isGreedy, $0.drafts.count) }
            #expect(drafts.count == 8)
            #expect(drafts.allSatisfy { greedy, count in count == (greedy ? 1 : 4) })
            try core.runToCompletion()
        }
        #expect(llm.core.withCore { $0.greedyDraftLimit } == 15)
    }
}
