import EagleEngine
import Foundation

/// What `eagle bench --concurrency N` prints: one request at a time against all requests in
/// flight together (aggregate output tokens/s, per-request latency, scheduler counters).
struct ThroughputReport {
    var concurrency: Int
    var solo: [RequestOutput]
    var soloSeconds: Double
    var batched: [RequestOutput]
    var batchedSeconds: Double
    var stats: EngineStats
    var numSpeculativeTokens: Int
    var threads: Int

    private static func tokens(_ outputs: [RequestOutput]) -> Int { outputs.reduce(0) { $0 + $1.outputs[0].tokenIDs.count } }

    var soloTokensPerSecond: Double { Double(Self.tokens(solo)) / soloSeconds }
    var batchedTokensPerSecond: Double { Double(Self.tokens(batched)) / batchedSeconds }
    var outputsIdentical: Bool { zip(solo, batched).allSatisfy { $0.outputs[0].tokenIDs == $1.outputs[0].tokenIDs } }
    var completed: Int { batched.filter(\.finished).count }

    /// Time to first token of each batched request (from when all were submitted).
    var timesToFirstToken: [Double] { batched.map(\.metrics.prefillSeconds).sorted() }
    /// Mean time between tokens after the first, per batched request.
    var interTokenLatencies: [Double] {
        batched.compactMap { o in o.metrics.decodeTokens > 0 ? o.metrics.decodeSeconds / Double(o.metrics.decodeTokens) : nil }.sorted()
    }

    var speculation: SpeculationMetrics {
        batched.reduce(into: SpeculationMetrics()) { $0.merge($1.metrics.speculation) }
    }

    private static func percentile(_ sorted: [Double], _ p: Double) -> Double {
        sorted.isEmpty ? 0 : sorted[min(sorted.count - 1, Int(p * Double(sorted.count)))]
    }

    private static func mean(_ values: [Double]) -> Double { values.isEmpty ? 0 : values.reduce(0, +) / Double(values.count) }

    func json() throws -> String {
        let ttft = timesToFirstToken, itl = interTokenLatencies
        let object: [String: Any] = [
            "num_prompts": batched.count,
            "completed": completed,
            "concurrency": concurrency,
            "num_speculative_tokens": numSpeculativeTokens,
            "solo_output_tokens_per_second": soloTokensPerSecond,
            "output_tokens_per_second": batchedTokensPerSecond,
            "throughput_ratio": batchedTokensPerSecond / soloTokensPerSecond,
            "outputs_identical": outputsIdentical,
            "mean_ttft_seconds": Self.mean(ttft),
            "p50_ttft_seconds": Self.percentile(ttft, 0.5),
            "p99_ttft_seconds": Self.percentile(ttft, 0.99),
            "mean_itl_seconds": Self.mean(itl),
            "p50_itl_seconds": Self.percentile(itl, 0.5),
            "p99_itl_seconds": Self.percentile(itl, 0.99),
            "steps": stats.steps,
            "mean_scheduled_tokens_per_step": stats.meanScheduledTokens,
            "max_scheduled_tokens_per_step": stats.maxScheduledTokens,
            "mean_batch_size": stats.meanBatchSize,
            "max_batch_size": stats.maxBatchSize,
            "preemptions": stats.preemptions,
            "peak_kv_usage": stats.peakKVUsage,
            "mean_acceptance_length": speculation.meanAcceptanceLength,
            "threads": threads,
        ]
        let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
        return String(decoding: data, as: UTF8.self)
    }

    func text() -> String {
        let ttft = timesToFirstToken, itl = interTokenLatencies
        func f(_ x: Double, _ digits: Int = 2) -> String { String(format: "%.\(digits)f", x) }
        return """
        requests                   \(batched.count) (\(completed) completed), \(concurrency) in flight, k = \(numSpeculativeTokens)
        one at a time              \(f(soloTokensPerSecond)) output tokens/s
        batched                    \(f(batchedTokensPerSecond)) output tokens/s (\(f(batchedTokensPerSecond / soloTokensPerSecond))x)
        outputs identical          \(outputsIdentical)
        time to first token        mean \(f(Self.mean(ttft), 3)) s, p50 \(f(Self.percentile(ttft, 0.5), 3)) s, p99 \(f(Self.percentile(ttft, 0.99), 3)) s
        inter-token latency        mean \(f(Self.mean(itl) * 1000, 1)) ms, p50 \(f(Self.percentile(itl, 0.5) * 1000, 1)) ms, p99 \(f(Self.percentile(itl, 0.99) * 1000, 1)) ms
        steps                      \(stats.steps), mean \(f(stats.meanScheduledTokens, 1)) tokens and \(f(stats.meanBatchSize, 1)) requests per step (max \(stats.maxScheduledTokens) / \(stats.maxBatchSize))
        preemptions                \(stats.preemptions), peak KV usage \(f(stats.peakKVUsage * 100, 1)) %
        mean acceptance length     \(f(speculation.meanAcceptanceLength, 3))
        threads                    \(threads)

        """
    }
}
