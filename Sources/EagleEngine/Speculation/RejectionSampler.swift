/// Verification of a draft chain for sampled requests (vLLM's rejection sampler with
/// greedily proposed drafts, EAGLE3_SPEC.md §5.4), which keeps the target's distribution.
///
/// Row i of the target scored `[x_last, d₁ … d_k]`; `p_i` is its distribution after
/// temperature, top-k, top-p and min-p. The drafts come from an argmax, so the draft
/// distribution q is one-hot: d_{i+1} is accepted with probability min(1, p_i(d)/q(d)) = p_i(d)
/// (accept when u < p_i(d), u uniform in [0, 1)). At the first rejection the recovered token
/// is drawn from normalize(max(p_i − q, 0)), that is p_i without d; if every draft is accepted,
/// the bonus token is drawn from p_k. Each emitted token is thus distributed exactly as the
/// target alone would sample it.
public enum RejectionSampler {
    /// - Parameters:
    ///   - drafts: `d₁ … d_k`.
    ///   - emitted: receives the emitted tokens (accepted + 1), appended.
    ///   - probabilities: `p_i` for `i` in `0…k` (a buffer valid until the next call).
    /// - Returns: the number of accepted drafts.
    public static func verify(drafts: [Int], into emitted: inout [Int], using rng: inout RandomGenerator,
                              probabilities: (Int) -> UnsafeBufferPointer<Float>) -> Int {
        for (i, draft) in drafts.enumerated() {
            let p = probabilities(i)
            if rng.nextUniform() < Double(p[draft]) {
                emitted.append(draft)
                continue
            }
            emitted.append(recovered(from: p, excluding: draft, uniform: rng.nextUniform()))
            return i
        }
        emitted.append(Sampler.draw(from: probabilities(drafts.count), uniform: rng.nextUniform()))
        return drafts.count
    }

    /// An inverse-CDF draw from `p` with token `excluded` removed and the rest renormalised.
    static func recovered(from p: UnsafeBufferPointer<Float>, excluding excluded: Int, uniform u: Double) -> Int {
        var mass = 0.0
        for i in p.indices where i != excluded { mass += Double(p[i]) }
        let target = u * mass
        var cumulative = 0.0
        var last = excluded
        for i in p.indices where i != excluded && p[i] > 0 {
            cumulative += Double(p[i])
            last = i
            if target < cumulative { return i }
        }
        return last
    }
}
