import EagleEngine
import Testing

/// Named verification cases in the style of vLLM's `test_rejection_sampler.py`.
@Suite struct GreedyVerifierTests {
    func verify(_ drafts: [Int], target: [Int]) -> (Int, [Int]) {
        var emitted = [99]   // tokens already in the buffer stay in front
        let accepted = GreedyVerifier.verify(drafts: drafts, into: &emitted) { target[$0] }.accepted
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

    func verify(_ drafts: [Int], siblings: [Int], target: [Int]) -> (GreedyVerifier.Outcome, [Int]) {
        var emitted: [Int] = []
        let outcome = GreedyVerifier.verify(drafts: drafts, siblings: siblings, into: &emitted) { target[$0] }
        return (outcome, emitted)
    }

    // Target rows: the chain's k + 1, then one per leaf (leaf i's row is k + 1 + i).
    @Test func leafTakesOverWhereTheChainBreaks() {
        let (outcome, emitted) = verify([1, 5, 3], siblings: [8, 2], target: [1, 2, 3, 4, /* leaves */ 30, 40])
        #expect(outcome == GreedyVerifier.Outcome(accepted: 2, acceptedSibling: 1))
        #expect(emitted == [1, 2, 40])   // the bonus comes from the leaf's row
    }

    @Test func leafAtTheFirstDraft() {
        let (outcome, emitted) = verify([9, 2], siblings: [1], target: [1, 2, 3, 50])
        #expect(outcome == GreedyVerifier.Outcome(accepted: 1, acceptedSibling: 0))
        #expect(emitted == [1, 50])
    }

    @Test func wrongLeafOrNoLeafAtTheBreakIsAChain() {
        #expect(verify([1, 5, 3], siblings: [8, 7], target: [1, 2, 3, 4, 30, 40]) == (GreedyVerifier.Outcome(accepted: 1), [1, 2]))
        #expect(verify([1, 5, 3], siblings: [8], target: [1, 2, 3, 4, 30]) == (GreedyVerifier.Outcome(accepted: 1), [1, 2]))
        // A full match ignores the leaves.
        #expect(verify([1, 2], siblings: [7, 8], target: [1, 2, 3, 30, 40]) == (GreedyVerifier.Outcome(accepted: 2), [1, 2, 3]))
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
        metrics.observe(proposed: 3, accepted: 2, siblings: 2, acceptedSibling: true)
        #expect(metrics.numSiblingTokens == 2 && metrics.numAcceptedSiblings == 1 && metrics.numDraftTokens == 12)
    }
}
