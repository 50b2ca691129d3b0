import EagleEngine
import Foundation

/// The figures `eagle bench` prints (text, JSON with vLLM-style names, or an SVG chart).
struct BenchReport {
    var numPrompts: Int
    var numSpeculativeTokens: Int
    var baselineTokensPerSecond: Double
    var speculativeTokensPerSecond: Double
    /// The requests' time from arrival to first token (prompt prefill, the same work in both
    /// modes) and after it, plain and speculative.
    var baselineDecode: DecodePhase
    var speculativeDecode: DecodePhase
    var metrics: SpeculationMetrics
    /// Whether speculative and plain outputs matched token for token (greedy runs only).
    var outputsIdentical: Bool?
    var probe: ForwardCostProbe
    /// The target forwards of the runs themselves: 1-token steps (plain decoding) and
    /// (k + 1)-token steps (verification), if both happened; a prompt of that many tokens
    /// adds its prefill.
    var decodeForwards: EngineStats.ForwardTime?
    var verifyForwards: EngineStats.ForwardTime?
    var threads: Int

    var speedup: Double { speculativeTokensPerSecond / baselineTokensPerSecond }

    /// The speedup after the first token: speculation's own gain, without the prefill both
    /// modes share.
    var decodeSpeedup: Double { speculativeDecode.tokensPerSecond / baselineDecode.tokensPerSecond }

    /// Mean (k + 1)-token forward ÷ mean 1-token forward, over the runs' own steps.
    var verifyCostRatioInRun: Double? {
        guard let decode = decodeForwards, let verify = verifyForwards else { return nil }
        return verify.meanSeconds / decode.meanSeconds
    }

    func json() throws -> String {
        let object: [String: Any] = [
            "num_prompts": numPrompts,
            "num_speculative_tokens": numSpeculativeTokens,
            "baseline_tokens_per_second": baselineTokensPerSecond,
            "speculative_tokens_per_second": speculativeTokensPerSecond,
            "speedup": speedup,
            "decode_speedup": decodeSpeedup,
            "baseline_decode_tokens_per_second": baselineDecode.tokensPerSecond,
            "speculative_decode_tokens_per_second": speculativeDecode.tokensPerSecond,
            "baseline_ttft_seconds": baselineDecode.ttftSeconds,
            "speculative_ttft_seconds": speculativeDecode.ttftSeconds,
            "mean_acceptance_length": metrics.meanAcceptanceLength,
            "acceptance_rate": metrics.acceptanceRate,
            "per_position_acceptance_rate": metrics.perPositionAcceptanceRate,
            "num_drafts": metrics.numDrafts,
            "num_draft_tokens": metrics.numDraftTokens,
            "num_accepted_tokens": metrics.numAcceptedTokens,
            "num_lookup_drafts": metrics.numLookupDrafts,
            "num_lookup_draft_tokens": metrics.numLookupDraftTokens,
            "num_lookup_accepted_tokens": metrics.numLookupAcceptedTokens,
            "num_sibling_tokens": metrics.numSiblingTokens,
            "num_accepted_siblings": metrics.numAcceptedSiblings,
            "outputs_identical": outputsIdentical.map { $0 as Any } ?? NSNull(),
            "target_seconds": metrics.targetSeconds,
            "draft_seconds": metrics.draftSeconds,
            "sampling_seconds": metrics.samplingSeconds,
            "verify_forward_cost_ratio": probe.verifyCostRatio,
            "verify_forward_cost_ratio_in_run": verifyCostRatioInRun.map { $0 as Any } ?? NSNull(),
            "decode_forward_ms_in_run": decodeForwards.map { $0.meanSeconds * 1e3 as Any } ?? NSNull(),
            "verify_forward_ms_in_run": verifyForwards.map { $0.meanSeconds * 1e3 as Any } ?? NSNull(),
            "decode_weight_gb_per_second": probe.decodeBytesPerSecond / 1e9,
            "sgemv_probe_gb_per_second": probe.sgemvBytesPerSecond / 1e9,
            "sgemv_probe_best_gb_per_second": probe.sgemvBestBytesPerSecond / 1e9,
            "decode_over_sgemv_probe": probe.decodeOverSgemv,
            "threads": threads,
        ]
        let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
        return String(decoding: data, as: UTF8.self)
    }

    func text() -> String {
        let perPosition = metrics.perPositionAcceptanceRate.map { String(format: "%.3f", $0) }.joined(separator: ", ")
        return """
        prompts                    \(numPrompts)
        speculative tokens (k)     \(numSpeculativeTokens)
        baseline tokens/s          \(String(format: "%.2f", baselineTokensPerSecond))
        speculative tokens/s       \(String(format: "%.2f", speculativeTokensPerSecond))
        speedup                    \(String(format: "%.3f", speedup))x
        after the first token      \(String(format: "%.3f", decodeSpeedup))x (\(String(format: "%.2f", baselineDecode.tokensPerSecond)) → \(String(format: "%.2f", speculativeDecode.tokensPerSecond)) tokens/s; time to first tokens \(String(format: "%.2f", baselineDecode.ttftSeconds)) / \(String(format: "%.2f", speculativeDecode.ttftSeconds)) s)
        mean acceptance length     \(String(format: "%.3f", metrics.meanAcceptanceLength))
        acceptance rate            \(String(format: "%.3f", metrics.acceptanceRate))
        per-position acceptance    [\(perPosition)]
        drafts / draft tokens / accepted   \(metrics.numDrafts) / \(metrics.numDraftTokens) / \(metrics.numAcceptedTokens)
        from prompt lookup         \(metrics.numLookupDrafts) drafts, \(metrics.numLookupDraftTokens) draft tokens, \(metrics.numLookupAcceptedTokens) accepted
        draft-tree leaves          \(metrics.numSiblingTokens) verified, \(metrics.numAcceptedSiblings) accepted
        time: target \(String(format: "%.2f", metrics.targetSeconds)) s, draft \(String(format: "%.2f", metrics.draftSeconds)) s, sampling \(String(format: "%.2f", metrics.samplingSeconds)) s
        outputs identical          \(outputsIdentical.map(String.init) ?? "n/a (sampled: same distribution, not the same tokens)")
        verify forward (\(probe.verifyTokens) tokens) ÷ decode forward   \(String(format: "%.2f", probe.verifyCostRatio)) (probe), \(inRun) (in the runs)
        decode weight stream       \(String(format: "%.1f", probe.decodeBytesPerSecond / 1e9)) GB/s = \(String(format: "%.0f", 100 * probe.decodeOverSgemv)) % of the sgemv probe (median \(String(format: "%.1f", probe.sgemvBytesPerSecond / 1e9)), best \(String(format: "%.1f", probe.sgemvBestBytesPerSecond / 1e9)) GB/s)
        threads                    \(threads)

        """
    }

    /// The in-run verify ratio with the mean forwards it divides.
    private var inRun: String {
        guard let ratio = verifyCostRatioInRun, let decode = decodeForwards, let verify = verifyForwards else { return "n/a" }
        return String(format: "%.2f = %.1f ms ÷ %.1f ms", ratio, verify.meanSeconds * 1e3, decode.meanSeconds * 1e3)
    }

    /// A bar chart of per-position acceptance rates.
    func acceptanceChart() -> String {
        let rates = metrics.perPositionAcceptanceRate
        let width = 60, height = 200, left = 40
        var bars = ""
        for (i, rate) in rates.enumerated() {
            let h = Int(rate * Double(height))
            bars += "<rect x=\"\(left + i * width + 10)\" y=\"\(20 + height - h)\" width=\"\(width - 20)\" height=\"\(h)\" fill=\"#4a7bd0\"/>"
            bars += "<text x=\"\(left + i * width + width / 2)\" y=\"\(height + 40)\" text-anchor=\"middle\" font-size=\"12\">\(i + 1)</text>"
            bars += "<text x=\"\(left + i * width + width / 2)\" y=\"\(15 + height - h)\" text-anchor=\"middle\" font-size=\"11\">\(String(format: "%.2f", rate))</text>"
        }
        let total = left + max(rates.count, 1) * width + 20
        return """
        <svg xmlns="http://www.w3.org/2000/svg" width="\(total)" height="\(height + 60)">
        <text x="\(left)" y="12" font-size="12">per-position acceptance rate (k = \(numSpeculativeTokens), mean acceptance length \(String(format: "%.2f", metrics.meanAcceptanceLength)))</text>
        <line x1="\(left)" y1="\(20 + height)" x2="\(total - 10)" y2="\(20 + height)" stroke="black"/>
        \(bars)
        </svg>

        """
    }
}

/// Requests' time to first token and the tokens and time after it, summed over a bench run.
struct DecodePhase {
    var ttftSeconds = 0.0
    var decodeSeconds = 0.0
    var decodeTokens = 0

    mutating func add(_ output: RequestOutput) {
        ttftSeconds += output.metrics.prefillSeconds
        decodeSeconds += output.metrics.decodeSeconds
        decodeTokens += output.metrics.decodeTokens
    }

    /// Tokens per second after each request's first token.
    var tokensPerSecond: Double { decodeSeconds > 0 ? Double(decodeTokens) / decodeSeconds : 0 }
}
