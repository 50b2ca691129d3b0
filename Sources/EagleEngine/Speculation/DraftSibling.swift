/// A draft-tree leaf: the head's runner-up for `drafts[index]`, verified beside the chain as
/// if in that draft's place (greedy requests only).
public struct DraftSibling: Equatable, Sendable {
    /// The draft it is an alternative to.
    public var index: Int
    public var token: Int
    /// The head's estimate that it is the accepted token: its probability of every draft before
    /// `index`, times its probability of `token` (EAGLE-2's path confidence).
    public var likelihood: Float

    public init(index: Int, token: Int, likelihood: Float = 0) {
        self.index = index
        self.token = token
        self.likelihood = likelihood
    }

    /// Keeps the `count` most likely of `siblings`, most likely first (ties keep their order).
    static func keepMostLikely(_ siblings: inout [DraftSibling], count: Int) {
        let kept = min(count, siblings.count)
        for i in 0..<kept {   // selection: a request has at most `draftTokenRange.upperBound` candidates
            var best = i
            for j in (i + 1)..<siblings.count where siblings[j].likelihood > siblings[best].likelihood { best = j }
            if best != i {
                let chosen = siblings[best]
                siblings.remove(at: best)
                siblings.insert(chosen, at: i)
            }
        }
        siblings.removeLast(siblings.count - kept)
    }
}
