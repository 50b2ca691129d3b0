@testable import EagleEngine
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

    /// `siblings`: (draft index, token) per leaf, in row order.
    func verify(_ drafts: [Int], siblings: [(Int, Int)], target: [Int]) -> (GreedyVerifier.Outcome, [Int]) {
        var emitted: [Int] = []
        let leaves = siblings.map { DraftSibling(index: $0.0, token: $0.1) }
        let outcome = GreedyVerifier.verify(drafts: drafts, siblings: leaves, into: &emitted) { target[$0] }
        return (outcome, emitted)
    }

    // Target rows: the chain's k + 1, then one per leaf (leaf j's row is k + 1 + j).
    @Test func leafTakesOverWhereTheChainBreaks() {
        let (outcome, emitted) = verify([1, 5, 3], siblings: [(0, 8), (1, 2)], target: [1, 2, 3, 4, /* leaves */ 30, 40])
        #expect(outcome == GreedyVerifier.Outcome(accepted: 2, acceptedSibling: 1))
        #expect(emitted == [1, 2, 40])   // the bonus comes from the leaf's row
    }

    @Test func leafAtTheFirstDraft() {
        let (outcome, emitted) = verify([9, 2], siblings: [(0, 1)], target: [1, 2, 3, 50])
        #expect(outcome == GreedyVerifier.Outcome(accepted: 1, acceptedSibling: 0))
        #expect(emitted == [1, 50])
    }

    /// Leaves in likelihood order: a deep leaf may come first, and a draft may have none.
    @Test func leavesInAnyOrderAndAtAnyDraft() {
        let deepFirst = verify([1, 2, 5, 4], siblings: [(2, 3), (0, 9)], target: [1, 2, 3, 4, 5, /* leaves */ 60, 70])
        #expect(deepFirst == (GreedyVerifier.Outcome(accepted: 3, acceptedSibling: 0), [1, 2, 3, 60]))
        let onlyDeep = verify([1, 2, 5, 4], siblings: [(3, 4)], target: [1, 2, 3, 4, 5, 60])
        #expect(onlyDeep == (GreedyVerifier.Outcome(accepted: 2), [1, 2, 3]))   // the break at draft 2 has no leaf
        let lastDraft = verify([1, 2, 3, 7], siblings: [(0, 9), (3, 4)], target: [1, 2, 3, 4, 5, 60, 70])
        #expect(lastDraft == (GreedyVerifier.Outcome(accepted: 4, acceptedSibling: 1), [1, 2, 3, 4, 70]))
    }

    @Test func wrongLeafOrNoLeafAtTheBreakIsAChain() {
        #expect(verify([1, 5, 3], siblings: [(0, 8), (1, 7)], target: [1, 2, 3, 4, 30, 40]) == (GreedyVerifier.Outcome(accepted: 1), [1, 2]))
        #expect(verify([1, 5, 3], siblings: [(0, 8)], target: [1, 2, 3, 4, 30]) == (GreedyVerifier.Outcome(accepted: 1), [1, 2]))
        // A leaf beside another draft never stands in for the broken one.
        #expect(verify([1, 5, 3], siblings: [(2, 2)], target: [1, 2, 3, 4, 30]) == (GreedyVerifier.Outcome(accepted: 1), [1, 2]))
        // A full match ignores the leaves.
        #expect(verify([1, 2], siblings: [(0, 7), (1, 8)], target: [1, 2, 3, 30, 40]) == (GreedyVerifier.Outcome(accepted: 2), [1, 2, 3]))
    }

    /// The most likely leaves are kept, most likely first; ties keep their order.
    @Test func keepsTheMostLikelyLeaves() {
        var leaves = [0.1, 0.3, 0.05, 0.3, 0.2].enumerated().map { DraftSibling(index: $0.offset, token: 10 + $0.offset, likelihood: Float($0.element)) }
        DraftSibling.keepMostLikely(&leaves, count: 3)
        #expect(leaves.map(\.index) == [1, 3, 4])
        DraftSibling.keepMostLikely(&leaves, count: 5)
        #expect(leaves.map(\.index) == [1, 3, 4])
        DraftSibling.keepMostLikely(&leaves, count: 0)
        #expect(leaves.isEmpty)
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
