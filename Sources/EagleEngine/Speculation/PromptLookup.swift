/// Prompt lookup (n-gram) drafting, used beside the EAGLE-3 head: when the last tokens of a
/// request (prompt and output) already occurred earlier in it, the `draftCount` tokens that
/// followed that occurrence are proposed as drafts, and the head is not run for the request
/// that step. A recurring span tends to go on recurring, so `draftCount` may exceed the head's k.
///
/// The match is the longest suffix of the tokens, up to `maximumMatch` long, that occurs
/// earlier (ties: the most recent occurrence); it must be at least `minimumMatch` tokens.
/// Like vLLM's n-gram proposer, except that it only takes over from the head when such a
/// match exists. Drafts are verified like the head's (greedily, or by the rejection sampler
/// with a one-hot draft distribution), so output keeps the target's distribution.
public struct PromptLookup: Sendable, Equatable {
    public let minimumMatch: Int
    public let maximumMatch: Int
    /// Drafts proposed per match.
    public let draftCount: Int

    public init(minimumMatch: Int, maximumMatch: Int, draftCount: Int) {
        precondition(minimumMatch >= 1 && maximumMatch >= minimumMatch, "need 1 ≤ minimumMatch ≤ maximumMatch")
        precondition(draftCount >= 1, "need draftCount ≥ 1")
        self.minimumMatch = minimumMatch
        self.maximumMatch = maximumMatch
        self.draftCount = draftCount
    }

    /// Appends to `drafts` the `count` tokens that followed the best earlier occurrence of
    /// the suffix of `tokens` and returns true, or returns false (nothing appended) when no
    /// suffix of at least `minimumMatch` tokens recurs. The copy may run past the end of
    /// `tokens` into the drafts themselves, so a loop of period p < `count` is continued.
    /// One backward scan: O(tokens × maximumMatch) at worst; no allocation beyond `drafts`.
    public func appendDrafts(after tokens: [Int], count: Int, to drafts: inout [Int]) -> Bool {
        let n = tokens.count
        guard count > 0, n > minimumMatch else { return false }
        let last = tokens[n - 1]
        var best = 0, bestEnd = -1
        // `end`: the last token of a candidate occurrence, which must have a token after it.
        for end in stride(from: n - 2, through: 0, by: -1) where tokens[end] == last {
            var length = 1
            while length < maximumMatch, end - length >= 0, tokens[end - length] == tokens[n - 1 - length] { length += 1 }
            if length > best {
                best = length
                bestEnd = end
                if length == maximumMatch { break }
            }
        }
        guard best >= minimumMatch else { return false }
        let first = drafts.count
        for source in (bestEnd + 1)..<(bestEnd + 1 + count) {
            drafts.append(source < n ? tokens[source] : drafts[first + source - n])
        }
        return true
    }
}
