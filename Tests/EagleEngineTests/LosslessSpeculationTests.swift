import EagleEngine
import EagleLoading
import EagleModels
import EagleTestSupport
import Foundation
import Testing

/// Greedy speculative decoding must reproduce plain greedy decoding token for token, for any
/// head (here random, untrained ones) and any k.
@Suite struct LosslessSpeculationTests {
    static func generate(target: LlamaContext, head: Eagle3Context?, k: Int, prompt: [Int], maxTokens: Int)
        throws -> (tokens: [Int], metrics: SpeculationMetrics) {
        let decoder = SequenceDecoder(target: target, proposer: head.map(Eagle3Proposer.init(context:)), speculativeTokens: k,
                                      sampler: Sampler(vocabularySize: target.model.config.vocabSize),
                                      params: SamplingParams(temperature: 0, maxTokens: maxTokens), rng: RandomGenerator(seed: 0))
        var tokens = [try decoder.prefill(prompt)]
        while tokens.count < maxTokens {
            let before = tokens.count
            try decoder.step(maxLength: target.maxPositions, into: &tokens)
            if tokens.count == before { break }
        }
        return (Array(tokens.prefix(maxTokens)), decoder.finalMetrics)
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

    @Test(arguments: 1...8)
    func tinyModelAnyK(k: Int) throws {
        let model = try LlamaModel(directory: TestPaths.fixtures.appendingPathComponent("tiny-llama"))
        let target = LlamaContext(model: model, cacheCapacity: 256)
        let headDirectory = try RandomEagle3Head.write(target: model.config, draftVocabSize: 64, seed: UInt64(k))
        let head = try Eagle3Draft(directory: headDirectory, target: model)
        try target.captureHiddenStates(enteringLayers: head.auxLayers)
        let draft = Eagle3Context(draft: head, cache: head.makeCache(capacity: 256), maxPositions: 256)
        for prompt in Self.prompts(vocabulary: model.config.vocabSize, count: 5) {
            let plain = try Self.generate(target: target, head: nil, k: k, prompt: prompt, maxTokens: 40)
            let speculative = try Self.generate(target: target, head: draft, k: k, prompt: prompt, maxTokens: 40)
            #expect(speculative.tokens == plain.tokens, "k = \(k), prompt \(prompt)")
            #expect(speculative.metrics.numDrafts > 0)
            #expect(speculative.metrics.numDraftTokens == speculative.metrics.numDrafts * k)
        }
        #expect(target.cache.usedBlockCount == 0)
        #expect(draft.cache.usedBlockCount == 0)
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
        let model = try LlamaModel(directory: TestPaths.smolLM2)
        let target = LlamaContext(model: model, cacheCapacity: 512)
        let headDirectory = try RandomEagle3Head.write(target: model.config, draftVocabSize: 4096, seed: UInt64(k), layout: layout)
        let head = try Eagle3Draft(directory: headDirectory, target: model)
        try target.captureHiddenStates(enteringLayers: head.auxLayers)
        let draft = Eagle3Context(draft: head, cache: head.makeCache(capacity: 512), maxPositions: 512)
        let reference = try SafetensorsFile(TestPaths.fixtures.appendingPathComponent("smollm2_reference.safetensors"))
        for index in [0, 2] {
            let prompt = try reference.integers("case\(index).input_ids")
            let plain = try LosslessSpeculationTests.generate(target: target, head: nil, k: k, prompt: prompt, maxTokens: 24)
            let speculative = try LosslessSpeculationTests.generate(target: target, head: draft, k: k, prompt: prompt, maxTokens: 24)
            #expect(speculative.tokens == plain.tokens, "k = \(k), case \(index)")
        }
    }
}
