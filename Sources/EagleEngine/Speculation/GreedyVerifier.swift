/// Greedy verification of a draft chain (vLLM `rejection_greedy_sample_kernel`,
/// EAGLE3_SPEC.md §5.3), optionally with draft-tree leaves beside the chain.
///
/// The target scored `[x_last, d₁ … d_k]`: row i holds its logits after token i. Draft d_{i+1}
/// is accepted while it equals the target's argmax of row i; at the first mismatch the
/// target's argmax is emitted instead (the correction), and if all k match, the argmax of
/// row k is emitted as the bonus token. So a step emits `accepted + 1` tokens.
///
/// A leaf (`DraftSibling`) is an alternative to one draft d_{i+1} (the head's runner-up), scored
/// in row k + 1 + j for leaf j after `[x_last, d₁ … d_i, leaf]`. When the chain breaks at
/// d_{i+1} and the correction equals a leaf beside d_{i+1}, that leaf is accepted too and its
/// row's argmax becomes the bonus token: the emitted tokens are still the target's greedy ones,
/// one more of them per step.
public enum GreedyVerifier {
    /// What one verification kept.
    public struct Outcome: Equatable, Sendable {
        /// Drafts accepted, the leaf included.
        public var accepted: Int
        /// Index (into `siblings`, and so the leaf's row k + 1 + j) of the accepted leaf, if one was.
        public var acceptedSibling: Int?

        public init(accepted: Int, acceptedSibling: Int? = nil) {
            self.accepted = accepted
            self.acceptedSibling = acceptedSibling
        }
    }

    /// - Parameters:
    ///   - drafts: `d₁ … d_k`.
    ///   - siblings: m leaves, each beside one of the drafts, in row order.
    ///   - emitted: receives the emitted tokens (accepted + 1), appended.
    ///   - targetArgmax: argmax of target row `i`, for `i` in `0 ..< k + 1 + m`.
    public static func verify(drafts: [Int], siblings: [DraftSibling] = [], into emitted: inout [Int],
                              targetArgmax: (Int) -> Int) -> Outcome {
        precondition(siblings.allSatisfy { drafts.indices.contains($0.index) }, "a leaf stands beside a draft")
        for (i, draft) in drafts.enumerated() {
            let target = targetArgmax(i)
            emitted.append(target)
            guard target != draft else { continue }
            guard let leaf = siblings.firstIndex(where: { $0.index == i && $0.token == target }) else {
                return Outcome(accepted: i)
            }
            emitted.append(targetArgmax(drafts.count + 1 + leaf))
            return Outcome(accepted: i + 1, acceptedSibling: leaf)
        }
        emitted.append(targetArgmax(drafts.count))
        return Outcome(accepted: drafts.count)
    }
}
