import EagleEngine
import Foundation
import Testing

/// Hand-computed sampler cases (llama.cpp `test-sampling.cpp` style), tolerance 1e-5.
@Suite struct SamplerTests {
    let logits: [Float] = [1.0, 3.0, 2.0, 0.5, 3.0, -1.0]

    func probabilities(_ params: SamplingParams) -> [Float] {
        let sampler = Sampler(vocabularySize: logits.count)
        return logits.withUnsafeBufferPointer { Array(sampler.probabilities($0, params: params)) }
    }

    /// softmax(logits / T) restricted to `kept`, renormalised.
    func reference(temperature: Double, kept: Set<Int>) -> [Float] {
        let e = logits.enumerated().map { kept.contains($0.offset) ? exp(Double($0.element) / temperature) : 0 }
        let total = e.reduce(0, +)
        return e.map { Float($0 / total) }
    }

    func expectClose(_ a: [Float], _ b: [Float]) {
        #expect(zip(a, b).allSatisfy { abs($0 - $1) <= 1e-5 }, "\(a) vs \(b)")
    }

    @Test func temperatureOnly() {
        expectClose(probabilities(SamplingParams(temperature: 0.5)), reference(temperature: 0.5, kept: Set(0..<6)))
    }

    @Test func topKKeepsTies() {
        // k = 2: the two 3.0 logits; k = 3 adds 2.0; ties at the k-th value are kept (vLLM).
        expectClose(probabilities(SamplingParams(temperature: 1, topK: 2)), reference(temperature: 1, kept: [1, 4]))
        expectClose(probabilities(SamplingParams(temperature: 1, topK: 1)), reference(temperature: 1, kept: [1, 4]))
        expectClose(probabilities(SamplingParams(temperature: 1, topK: 3)), reference(temperature: 1, kept: [1, 2, 4]))
    }

    @Test func topPKeepsTheSmallestPrefixReachingP() {
        let full = reference(temperature: 1, kept: Set(0..<6))
        // Descending: 1 (≈0.368), 4 (≈0.368), 2 (≈0.135), 0, 3, 5. p = 0.7 needs tokens 1, 4 (0.736).
        #expect(full[1] + full[4] >= 0.7 && full[1] < 0.7)
        expectClose(probabilities(SamplingParams(temperature: 1, topP: 0.7)), reference(temperature: 1, kept: [1, 4]))
        expectClose(probabilities(SamplingParams(temperature: 1, topP: 0.8)), reference(temperature: 1, kept: [1, 2, 4]))
    }

    @Test func minP() {
        // Drops tokens below 0.2 × max probability: e^(x-3) < 0.2 ⇔ x < 3 + ln 0.2 ≈ 1.39.
        expectClose(probabilities(SamplingParams(temperature: 1, minP: 0.2)), reference(temperature: 1, kept: [1, 2, 4]))
    }

    @Test func seededSampling() {
        let sampler = Sampler(vocabularySize: logits.count)
        func draws(seed: UInt64) -> [Int] {
            var rng = RandomGenerator(seed: seed)
            return (0..<200).map { _ in
                logits.withUnsafeBufferPointer { Sampler.draw(from: sampler.probabilities($0, params: SamplingParams(temperature: 1)),
                                                              uniform: rng.nextUniform()) }
            }
        }
        #expect(draws(seed: 7) == draws(seed: 7))
        #expect(draws(seed: 7) != draws(seed: 8))
        #expect(Set(draws(seed: 7)).isSubset(of: Set(0..<6)))
    }
}
