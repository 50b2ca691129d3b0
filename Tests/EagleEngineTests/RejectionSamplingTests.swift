@testable import EagleEngine
import EagleTestSupport
import Foundation
import Testing

/// Speculative sampling must keep the target's distribution (EAGLE3_SPEC.md §5.4). Checked with
/// chi-square tests at p > 0.001 on ≥ 20 000 seeded samples; the same tests reject
/// deliberately broken acceptance rules.
@Suite struct RejectionSamplingTests {
    static let logits: [Float] = [1.0, 3.0, 2.0, 0.5, 3.0, -1.0]
    static let params = SamplingParams(temperature: 1, topK: 4)   // keeps tokens 0, 1, 2, 4

    static func distribution() -> [Float] {
        let sampler = Sampler(vocabularySize: logits.count)
        return logits.withUnsafeBufferPointer { Array(sampler.probabilities($0, params: params)) }
    }

    typealias Verify = @Sendable (_ drafts: [Int], _ emitted: inout [Int], _ rng: inout RandomGenerator,
                        _ p: (Int) -> UnsafeBufferPointer<Float>) -> Int

    static let correct: Verify = { drafts, emitted, rng, p in
        RejectionSampler.verify(drafts: drafts, into: &emitted, using: &rng, probabilities: p)
    }

    /// Accepts with probability √p instead of p.
    static let acceptsTooOften: Verify = { drafts, emitted, rng, p in
        for (i, draft) in drafts.enumerated() {
            if rng.nextUniform() < Double(p(i)[draft]).squareRoot() { emitted.append(draft); continue }
            emitted.append(RejectionSampler.recovered(from: p(i), excluding: draft, uniform: rng.nextUniform()))
            return i
        }
        emitted.append(Sampler.draw(from: p(drafts.count), uniform: rng.nextUniform()))
        return drafts.count
    }

    /// Recovers from p itself instead of p without the rejected draft.
    static let recoversFromP: Verify = { drafts, emitted, rng, p in
        for (i, draft) in drafts.enumerated() {
            if rng.nextUniform() < Double(p(i)[draft]) { emitted.append(draft); continue }
            emitted.append(Sampler.draw(from: p(i), uniform: rng.nextUniform()))
            return i
        }
        emitted.append(Sampler.draw(from: p(drafts.count), uniform: rng.nextUniform()))
        return drafts.count
    }

    /// p-value of the first emitted token's counts against p, over `samples` verifications of
    /// `drafts` (every row has distribution p).
    static func firstTokenPValue(_ verify: Verify, drafts: [Int], samples: Int = 20_000) -> Double {
        let p = distribution()
        var counts = [Int](repeating: 0, count: p.count)
        var rng = RandomGenerator(seed: 11)
        var emitted: [Int] = []
        p.withUnsafeBufferPointer { buffer in
            for _ in 0..<samples {
                emitted.removeAll(keepingCapacity: true)
                _ = verify(drafts, &emitted, &rng) { _ in buffer }
                counts[emitted[0]] += 1
            }
        }
        return ChiSquare.fitPValue(counts, p.map(Double.init))
    }

    @Test func chiSquareTailIsCalibrated() {
        #expect(abs(ChiSquare.upperTail(3.841, degreesOfFreedom: 1) - 0.05) < 1e-3)
        #expect(abs(ChiSquare.upperTail(18.307, degreesOfFreedom: 10) - 0.05) < 1e-3)
        #expect(abs(ChiSquare.upperTail(2.0, degreesOfFreedom: 2) - exp(-1.0)) < 1e-9)
        #expect(ChiSquare.upperTail(0, degreesOfFreedom: 3) == 1)
    }

    /// Likely (1), unlikely (0) and impossible (3, cut by top-k) first drafts.
    @Test(arguments: [1, 0, 3])
    func emittedTokenFollowsTheTarget(firstDraft: Int) {
        #expect(Self.firstTokenPValue(Self.correct, drafts: [firstDraft, 2, 4]) > 0.001)
    }

    @Test func brokenRulesAreCaught() {
        #expect(Self.firstTokenPValue(Self.acceptsTooOften, drafts: [0, 2]) < 0.001)
        #expect(Self.firstTokenPValue(Self.recoversFromP, drafts: [1, 2]) < 0.001)
    }

    @Test func acceptedChainsFollowTheTarget() {
        // Given the first draft was accepted, the second emitted token is distributed as p too.
        let p = Self.distribution()
        var counts = [Int](repeating: 0, count: p.count)
        var rng = RandomGenerator(seed: 3)
        var emitted: [Int] = []
        p.withUnsafeBufferPointer { buffer in
            for _ in 0..<40_000 {
                emitted.removeAll(keepingCapacity: true)
                if RejectionSampler.verify(drafts: [1, 0], into: &emitted, using: &rng, probabilities: { _ in buffer }) >= 1 {
                    counts[emitted[1]] += 1
                }
            }
        }
        #expect(counts.reduce(0, +) > 10_000)
        #expect(ChiSquare.fitPValue(counts, p.map(Double.init)) > 0.001)
    }

    /// The first three tokens of a sampled request on the tiny model, with drafts injected by
    /// the test (the target's greedy continuation, so drafts are often accepted) against plain
    /// sampling: the joint distributions agree.
    @Test func speculativeSamplingMatchesPlainSamplingOnTheTinyModel() throws {
        let llm = try LLM(model: LosslessSpeculationTests.tinyModel, options: EngineOptions(
            maxModelLength: 64, scheduler: SchedulerConfig(maxNumBatchedTokens: 512, maxNumSeqs: 64)))
        let prompt = [5, 17, 300, 42]
        let params = SamplingParams(temperature: 1, topK: 3, maxTokens: 3, ignoreEOS: true)
        let greedy = try llm.generate(promptTokenIDs: prompt, SamplingParams(temperature: 0, maxTokens: 3, ignoreEOS: true))
            .outputs[0].tokenIDs
        let samples = 20_000
        func run(injectDrafts: Bool) throws -> (counts: [[Int]: Int], accepted: Int) {
            try llm.core.withCore { core in
                var requests: [EngineRequest] = []
                for seed in 0..<samples {
                    var p = params
                    p.seed = UInt64(seed) + (injectDrafts ? 1_000_000 : 0)
                    requests.append(try core.add(requestID: "\(seed)", prompt: nil, promptTokenIDs: prompt, params: p))
                }
                while core.hasUnfinished {
                    try core.step()
                    for sequence in core.scheduler.running where injectDrafts && sequence.generatedCount == 1 && sequence.drafts.isEmpty {
                        sequence.drafts = Array(greedy[1...])
                    }
                }
                var counts: [[Int]: Int] = [:]
                for request in requests { counts[request.output.outputs[0].tokenIDs, default: 0] += 1 }
                return (counts, requests.reduce(0) { $0 + $1.sequence.metrics.numAcceptedTokens })
            }
        }
        let plain = try run(injectDrafts: false)
        let speculative = try run(injectDrafts: true)
        #expect(plain.counts.keys.allSatisfy { $0.count == 3 })
        #expect(speculative.accepted > samples / 10, "drafts were accepted often enough to matter")
        #expect(plain.accepted == 0)
        #expect(ChiSquare.homogeneityPValue(plain.counts, speculative.counts) > 0.001)
        let blocks = llm.usedKVBlocks
        #expect(blocks.target == 0)
    }

    @Test func seededSpeculativeSamplingIsReproducible() throws {
        let llm = try LosslessSpeculationTests.engine(model: LosslessSpeculationTests.tinyModel, k: 3, seed: 4, draftVocabSize: 64)
        func sample(_ seed: UInt64) throws -> [Int] {
            try llm.generate(promptTokenIDs: [1, 2, 3], SamplingParams(temperature: 0.8, topP: 0.95, maxTokens: 24, seed: seed,
                                                                        ignoreEOS: true)).outputs[0].tokenIDs
        }
        #expect(try sample(5) == sample(5))
        #expect(try sample(5) != sample(6))
        // Alone or batched with other requests: the same tokens.
        let batched = try llm.generate(promptTokenIDs: [[1, 2, 3], [9, 9], [4]],
                                       [SamplingParams(temperature: 0.8, topP: 0.95, maxTokens: 24, seed: 5, ignoreEOS: true),
                                        SamplingParams(temperature: 1, maxTokens: 10, seed: 1),
                                        SamplingParams(temperature: 0, maxTokens: 7)])
        #expect(batched[0].outputs[0].tokenIDs == (try sample(5)))
    }
}
