/// Greedy verification of a draft chain (vLLM `rejection_greedy_sample_kernel`,
/// EAGLE3_SPEC.md §5.3).
///
/// The target scored `[x_last, d₁ … d_k]`: row i holds its logits after token i. Draft d_{i+1}
/// is accepted while it equals the target's argmax of row i; at the first mismatch the
/// target's argmax is emitted instead (the correction), and if all k match, the argmax of
/// row k is emitted as the bonus token. So a step emits `accepted + 1` tokens.
public enum GreedyVerifier {
    /// - Parameters:
    ///   - drafts: `d₁ … d_k`.
    ///   - emitted: receives the emitted tokens (accepted + 1), appended.
    ///   - targetArgmax: argmax of target row `i`, for `i` in `0…k`.
    /// - Returns: the number of accepted drafts.
    public static func verify(drafts: [Int], into emitted: inout [Int], targetArgmax: (Int) -> Int) -> Int {
        for (i, draft) in drafts.enumerated() {
            let target = targetArgmax(i)
            emitted.append(target)
            if target != draft { return i }
        }
        emitted.append(targetArgmax(drafts.count))
        return drafts.count
    }
}
