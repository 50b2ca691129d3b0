@testable import EagleEngine
import EagleLoading
import EagleModels
import EagleTestSupport
import Foundation
import Testing

/// Greedy speculative decoding must reproduce plain greedy decoding token for token, for any
/// head (here random, untrained ones) and any k.
@Suite struct LosslessSpeculationTests {
    static let tinyModel = TestPaths.fixtures.appendingPathComponent("tiny-llama")

    /// An engine on `model` speculating with a random head (draft vocabulary `draftVocabSize`).
    static func engine(model: URL, k: Int, seed: UInt64, draftVocabSize: Int, layout: RandomEagle3Head.Layout = .speculators,
                       maxModelLength: Int = 256, scheduler: SchedulerConfig = SchedulerConfig(),
                       kvCacheTokens: Int? = nil, promptLookupMin: Int? = nil, draftSiblings: Int? = nil) throws -> LLM {
        let config = try LlamaModel(directory: model).config
        let head = try RandomEagle3Head.write(target: config, draftVocabSize: draftVocabSize, seed: seed, layout: layout)
        return try LLM(model: model, options: EngineOptions(
            maxModelLength: maxModelLength,
            speculative: SpeculativeConfig(model: head.path, numSpeculativeTokens: k, promptLookupMin: promptLookupMin,
                                           draftSiblings: draftSiblings),
            scheduler: scheduler, kvCacheTokens: kvCacheTokens))
    }

    static func generate(_ llm: LLM, prompt: [Int], maxTokens: Int, speculate: Bool)
        throws -> (tokens: [Int], metrics: SpeculationMetrics) {
        let output = try llm.generate(promptTokenIDs: prompt, SamplingParams(temperature: 0, maxTokens: maxTokens, ignoreEOS: true),
                                      speculate: speculate)
        return (output.outputs[0].tokenIDs, output.metrics.speculation)
    }

    static func prompts(vocabulary: Int, count: Int) -> [[Int]] {
        var state: UInt64 = 42
        return (0..<count).map { n in
            (0..<(3 + 5 * n)).map { _ in
                state = state &* 6364136223846793005 &+ 1442695040888963407
                return Int(state >> 33) % vocabulary
            }
        }
    }

    /// Any k, with prompt lookup off (0), at its default, and eager (2: it drafts often).
    @Test(arguments: 1...8, [0, 2, nil])
    func tinyModelAnyK(k: Int, promptLookupMin: Int?) throws {
        let llm = try Self.engine(model: Self.tinyModel, k: k, seed: UInt64(k), draftVocabSize: 64, promptLookupMin: promptLookupMin)
        var lookupDrafts = 0
        for prompt in Self.prompts(vocabulary: llm.model.config.vocabSize, count: 5) {
            let plain = try Self.generate(llm, prompt: prompt, maxTokens: 40, speculate: false)
            let speculative = try Self.generate(llm, prompt: prompt, maxTokens: 40, speculate: true)
            #expect(plain.tokens.count == 40)
            #expect(speculative.tokens == plain.tokens, "k = \(k), prompt \(prompt)")
            let m = speculative.metrics
            #expect(m.numDrafts > 0)
            // k drafts from the head, 8 (the default) from prompt lookup, in every round.
            #expect(m.numDraftTokens - m.numLookupDraftTokens == (m.numDrafts - m.numLookupDrafts) * k)
            #expect(m.numLookupDraftTokens == m.numLookupDrafts * SpeculativeConfig.defaultPromptLookupTokens)
            lookupDrafts += m.numLookupDrafts
        }
        if promptLookupMin == 0 { #expect(lookupDrafts == 0) }
        if promptLookupMin == 2 { #expect(lookupDrafts > 0) }
        let blocks = llm.usedKVBlocks
        #expect(blocks.target == 0 && blocks.draft == 0)
    }

    @Test func statsTimeForwardsBySize() throws {
        // `eagle bench` divides the mean (k + 1)-token forward by the mean 1-token forward.
        let llm = try Self.engine(model: Self.tinyModel, k: 4, seed: 9, draftVocabSize: 64)
        let prompts = [[5, 17, 300], [42, 7, 99]]
        var verifySteps = 0
        for prompt in prompts {
            _ = try Self.generate(llm, prompt: prompt, maxTokens: 20, speculate: false)
            verifySteps += try Self.generate(llm, prompt: prompt, maxTokens: 20, speculate: true).metrics.numDrafts
        }
        let forwards = llm.stats.forwards
        // k + 1 rows and, by default at k = 4, one draft-tree leaf.
        let verifyRows = llm.verifyRows(greedy: true)
        #expect(verifyRows == 6 && llm.verifyRows(greedy: false) == 5)
        #expect(Set(forwards.keys) == [1, 3, verifyRows])
        #expect(forwards[3]?.count == 2 * prompts.count)   // the prefills
        #expect(forwards[1]?.count == 19 * prompts.count)  // plain decode steps
        #expect(forwards[verifyRows]?.count == verifySteps)
        #expect(forwards.values.reduce(0) { $0 + $1.count } == llm.stats.steps)
        #expect(forwards.values.allSatisfy { $0.seconds > 0 && $0.meanSeconds == $0.seconds / Double($0.count) })
    }

    @Test func verifyRowsEqualSingleTokenDecoding() throws {
        // The property losslessness rests on: a row's logits do not depend on the batch.
        let model = try LlamaModel(directory: TestPaths.fixtures.appendingPathComponent("tiny-llama"))
        let context = LlamaContext(model: model, cacheCapacity: 64)
        let sequence = context.cache.addSequence()
        let ids = [5, 17, 300, 42, 7, 99, 128, 3]
        var batch = ForwardBatch()
        batch.append(sequence: sequence, tokens: ids[..<3], startPosition: 0)
        try context.forward(batch)
        batch.removeAll()
        batch.append(sequence: sequence, tokens: ids[3...], startPosition: 3)
        batch.logitRows = Array(0..<5)
        try context.forward(batch)
        let together = (0..<5).map { Array(context.logits(row: $0)) }
        for i in 0..<5 {
            batch.removeAll()
            batch.append(sequence: sequence, tokens: [ids[3 + i]], startPosition: 3 + i)
            batch.logitRows = [0]
            try context.forward(batch)
            #expect(Array(context.logits(row: 0)) == together[i], "row \(i) differs bitwise")
        }
    }
}

/// The same property on the real SmolLM2-135M-Instruct with a random SmolLM2-shaped head
/// (speculators and original layouts), on the real-model fixture prompts.
@Suite(.serialized) struct SmolLM2LosslessTests {
    @Test(arguments: [(1, RandomEagle3Head.Layout.speculators), (3, .original), (5, .speculators)])
    func randomHeadIsLossless(k: Int, layout: RandomEagle3Head.Layout) throws {
        let llm = try LosslessSpeculationTests.engine(model: TestPaths.smolLM2, k: k, seed: UInt64(k), draftVocabSize: 4096,
                                                      layout: layout, maxModelLength: 512)
        let reference = try SafetensorsFile(TestPaths.fixtures.appendingPathComponent("smollm2_reference.safetensors"))
        for index in [0, 2] {
            let prompt = try reference.integers("case\(index).input_ids")
            let plain = try LosslessSpeculationTests.generate(llm, prompt: prompt, maxTokens: 24, speculate: false)
            let speculative = try LosslessSpeculationTests.generate(llm, prompt: prompt, maxTokens: 24, speculate: true)
            #expect(speculative.tokens == plain.tokens, "k = \(k), case \(index)")
        }
    }
}
