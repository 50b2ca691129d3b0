/// Speculative-decoding counters with vLLM's definitions (`v1/spec_decode/metrics.py`,
/// EAGLE3_SPEC.md §5.6), plus where the time went.
public struct SpeculationMetrics: Sendable, Equatable {
    /// Verify steps that carried drafts.
    public var numDrafts = 0
    /// Draft tokens proposed.
    public var numDraftTokens = 0
    /// Draft tokens accepted.
    public var numAcceptedTokens = 0
    /// `acceptedPerPosition[i]`: drafts whose first i + 1 tokens were all accepted.
    public var acceptedPerPosition: [Int] = []
    /// The verify steps (of `numDrafts`) whose drafts came from prompt lookup, not the head.
    public var numLookupDrafts = 0
    /// The draft tokens (of `numDraftTokens`) those steps proposed.
    public var numLookupDraftTokens = 0
    /// The accepted tokens (of `numAcceptedTokens`) those steps produced.
    public var numLookupAcceptedTokens = 0
    /// Draft-tree leaves verified beside the drafts (not counted in `numDraftTokens`).
    public var numSiblingTokens = 0
    /// The verify steps whose accepted tokens (counted in `numAcceptedTokens`) end in a leaf.
    public var numAcceptedSiblings = 0
    public var targetSeconds = 0.0
    public var draftSeconds = 0.0
    public var samplingSeconds = 0.0

    public init() {}

    /// Accepted ÷ proposed draft tokens.
    public var acceptanceRate: Double { numDraftTokens > 0 ? Double(numAcceptedTokens) / Double(numDraftTokens) : 0 }

    /// `1 + accepted / drafts`: tokens produced per verify step, bonus included.
    public var meanAcceptanceLength: Double { numDrafts > 0 ? 1 + Double(numAcceptedTokens) / Double(numDrafts) : 0 }

    /// `acceptedPerPosition[i] / numDrafts`.
    public var perPositionAcceptanceRate: [Double] {
        acceptedPerPosition.map { numDrafts > 0 ? Double($0) / Double(numDrafts) : 0 }
    }

    /// Records one verify step: `proposed` drafts of which the first `accepted` matched;
    /// `fromLookup` when prompt lookup proposed them; `siblings` leaves beside them, the last
    /// accepted token being one of them when `acceptedSibling`.
    public mutating func observe(proposed: Int, accepted: Int, fromLookup: Bool = false, siblings: Int = 0,
                                 acceptedSibling: Bool = false) {
        guard proposed > 0 else { return }
        numSiblingTokens += siblings
        if acceptedSibling { numAcceptedSiblings += 1 }
        if fromLookup {
            numLookupDrafts += 1
            numLookupDraftTokens += proposed
            numLookupAcceptedTokens += accepted
        }
        numDrafts += 1
        numDraftTokens += proposed
        numAcceptedTokens += accepted
        if acceptedPerPosition.count < proposed {
            acceptedPerPosition += Array(repeating: 0, count: proposed - acceptedPerPosition.count)
        }
        for i in 0..<accepted { acceptedPerPosition[i] += 1 }
    }

    /// Adds another request's counters.
    public mutating func merge(_ other: SpeculationMetrics) {
        numDrafts += other.numDrafts
        numDraftTokens += other.numDraftTokens
        numAcceptedTokens += other.numAcceptedTokens
        numLookupDrafts += other.numLookupDrafts
        numLookupDraftTokens += other.numLookupDraftTokens
        numLookupAcceptedTokens += other.numLookupAcceptedTokens
        numSiblingTokens += other.numSiblingTokens
        numAcceptedSiblings += other.numAcceptedSiblings
        if acceptedPerPosition.count < other.acceptedPerPosition.count {
            acceptedPerPosition += Array(repeating: 0, count: other.acceptedPerPosition.count - acceptedPerPosition.count)
        }
        for (i, n) in other.acceptedPerPosition.enumerated() { acceptedPerPosition[i] += n }
        targetSeconds += other.targetSeconds
        draftSeconds += other.draftSeconds
        samplingSeconds += other.samplingSeconds
    }
}
