import EagleEngine
import Testing

/// Named verification cases in the style of vLLM's `test_rejection_sampler.py`.
@Suite struct GreedyVerifierTests {
    func verify(_ drafts: [Int], target: [Int]) -> (Int, [Int]) {
        var emitted = [99]   // tokens already in the buffer stay in front
        let accepted = GreedyVerifier.verify(drafts: drafts, into: &emitted) { target[$0] }
        #expect(emitted.first == 99)
        return (accepted, Array(emitted.dropFirst()))
    }

    @Test func perfectMatchAddsBonus() {
        let (accepted, emitted) = verify([1, 2, 3], target: [1, 2, 3, 4])
        #expect(accepted == 3)
        #expect(emitted == [1, 2, 3, 4])
    }

    @Test func earlyMismatchEmitsCorrection() {
        let (accepted, emitted) = verify([1, 5, 3], target: [1, 2, 3, 4])
        #expect(accepted == 1)
        #expect(emitted == [1, 2])
    }

    @Test func firstMismatch() {
        let (accepted, emitted) = verify([9, 2], target: [1, 2, 3])
        #expect(accepted == 0)
        #expect(emitted == [1])
    }

    @Test func emptyDraftIsPlainDecoding() {
        let (accepted, emitted) = verify([], target: [7])
        #expect(accepted == 0)
        #expect(emitted == [7])
    }

    @Test func metricsFollowVLLMDefinitions() {
        var metrics = SpeculationMetrics()
        metrics.observe(proposed: 3, accepted: 3)
        metrics.observe(proposed: 3, accepted: 1)
        metrics.observe(proposed: 3, accepted: 0)
        #expect(metrics.numDrafts == 3)
        #expect(metrics.numDraftTokens == 9)
        #expect(metrics.numAcceptedTokens == 4)
        #expect(metrics.acceptanceRate == 4.0 / 9.0)
        #expect(metrics.meanAcceptanceLength == 1 + 4.0 / 3.0)
        #expect(metrics.perPositionAcceptanceRate == [2.0 / 3.0, 1.0 / 3.0, 1.0 / 3.0])
    }
}
