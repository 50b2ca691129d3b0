import ArgumentParser
import EagleEngine
import EagleKernels
import EagleTokenizer
import Foundation

/// `eagle bench`: runs every prompt without and with speculation (greedy) and reports speed,
/// acceptance metrics (vLLM's definitions) and whether the outputs matched token for token.
/// With `--concurrency N`, it instead compares one request at a time against all prompts in
/// flight together (N at once, continuous batching).
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Benchmark speculative decoding against plain decoding on a prompt file.")

    @OptionGroup var model: ModelOptions
    @OptionGroup var speculation: SpeculationOptions

    @Option(name: .long, help: "JSONL file, one {\"prompt\": \"…\", \"chat\": true|false} per line.")
    var prompts: String

    @OptionGroup var sampling: SamplingOptions

    @Flag(name: .long, help: "Print one JSON object.")
    var json = false

    @Option(name: .long, help: "Write a per-position acceptance chart (SVG).")
    var svg: String?

    @Option(name: .long, help: "Requests in flight at once (> 1: throughput mode, solo vs batched).")
    var concurrency = 1

    @Option(name: .long, help: "Throughput mode: token budget per step (default: max(512, N·(k+1))).")
    var maxNumBatchedTokens: Int?

    @Option(name: .long, help: "Throughput mode: positions in the KV block pool (default: 1024 per request in flight).")
    var kvCacheTokens: Int?

    @Option(name: .long, help: "Longest request (prompt + output) in positions (default: the model's maximum).")
    var maxModelLen: Int?

    func validate() throws {
        if concurrency < 1 { throw ValidationError("--concurrency must be ≥ 1") }
        if concurrency == 1, maxNumBatchedTokens != nil || kvCacheTokens != nil {
            throw ValidationError("--max-num-batched-tokens and --kv-cache-tokens need --concurrency > 1")
        }
        if let n = maxNumBatchedTokens, n < 1 { throw ValidationError("--max-num-batched-tokens must be ≥ 1") }
        if let n = kvCacheTokens, n < 1 { throw ValidationError("--kv-cache-tokens must be ≥ 1") }
        if let n = maxModelLen, n < 2 { throw ValidationError("--max-model-len must be ≥ 2") }
    }

    func run() throws {
        let items = try PromptLine.load(prompts)
        if concurrency > 1 { return try runThroughput(items) }
        guard let config = try speculation.config(defaultModel: model.isDefault) else {
            throw ValidationError("bench compares speculative with plain decoding and needs a draft head: "
                                  + "--draft DIR or --speculative-config JSON (the default model uses its shipped head)")
        }
        let llm = try LLM(model: model.resolveDirectory(), options: EngineOptions(maxModelLength: maxModelLen, threads: model.threads, speculative: config,
                                                                                   weightDType: model.dtype))
        var baselineTokens = 0, speculativeTokens = 0
        var baselineSeconds = 0.0, speculativeSeconds = 0.0
        var baselineDecode = DecodePhase(), speculativeDecode = DecodePhase()
        var identical = true
        var metrics = SpeculationMetrics()
        for (i, item) in items.enumerated() {
            Console.progress("bench", done: i, total: items.count)
            let ids = try item.tokenIDs(llm)
            let params = promptParams(i)
            let clock = ContinuousClock()
            var baseline: RequestOutput?
            let baselineTime = try clock.measure { baseline = try llm.generate(promptTokenIDs: ids, params, speculate: false) }
            var speculative: RequestOutput?
            let speculativeTime = try clock.measure { speculative = try llm.generate(promptTokenIDs: ids, params, speculate: true) }
            let a = baseline!.outputs[0].tokenIDs, b = speculative!.outputs[0].tokenIDs
            identical = identical && a == b
            baselineTokens += a.count
            speculativeTokens += b.count
            baselineSeconds += baselineTime.seconds
            speculativeSeconds += speculativeTime.seconds
            baselineDecode.add(baseline!)
            speculativeDecode.add(speculative!)
            metrics.merge(speculative!.metrics.speculation)
        }
        Console.progress("bench", done: items.count, total: items.count)
        let verifyRows = llm.verifyRows(greedy: sampling.temperature == 0)
        let probe = try ForwardCostProbe.measure(model: llm.model, verifyTokens: verifyRows)
        let report = BenchReport(
            numPrompts: items.count, numSpeculativeTokens: llm.numSpeculativeTokens,
            baselineTokensPerSecond: Double(baselineTokens) / baselineSeconds,
            speculativeTokensPerSecond: Double(speculativeTokens) / speculativeSeconds,
            baselineDecode: baselineDecode, speculativeDecode: speculativeDecode,
            metrics: metrics, outputsIdentical: sampling.temperature == 0 ? identical : nil, probe: probe,
            decodeForwards: llm.stats.forwards[1], verifyForwards: llm.stats.forwards[verifyRows],
            threads: Linear.threadCount)
        if let svg { try report.acceptanceChart().write(toFile: svg, atomically: true, encoding: .utf8) }
        Console.write(json ? try report.json() + "\n" : report.text())
    }
}

extension BenchCommand {
    /// The sampling parameters of prompt `i`: the flags, with a per-prompt seed when sampling
    /// (`--seed` + i, default 0 + i), so runs are reproducible.
    func promptParams(_ i: Int) -> SamplingParams {
        var params = sampling.params
        if params.temperature > 0 { params.seed = (params.seed ?? 0) &+ UInt64(i) }
        return params
    }

    /// Every prompt alone, then all of them with `concurrency` in flight; same sampling
    /// (greedy) and speculation settings in both runs.
    func runThroughput(_ items: [PromptLine]) throws {
        let speculative = try speculation.config(defaultModel: model.isDefault)
        let scheduler = SchedulerConfig.cli(concurrency: concurrency, speculative: speculative,
                                            maxNumBatchedTokens: maxNumBatchedTokens)
        let llm = try LLM(model: model.resolveDirectory(), options: EngineOptions(
            maxModelLength: maxModelLen, threads: model.threads, speculative: speculative, scheduler: scheduler,
            kvCacheTokens: kvCacheTokens, weightDType: model.dtype))
        let ids = try items.map { try $0.tokenIDs(llm) }
        let params = ids.indices.map(promptParams)
        let clock = ContinuousClock()
        var solo: [RequestOutput] = []
        let soloTime = try clock.measure {
            for (i, prompt) in ids.enumerated() {
                Console.progress("bench (one at a time)", done: i, total: ids.count)
                solo.append(try llm.generate(promptTokenIDs: prompt, params[i]))
            }
        }
        Console.progress("bench (one at a time)", done: ids.count, total: ids.count)
        Console.status("bench: \(ids.count) requests, \(concurrency) in flight…")
        llm.resetStats()
        var batched: [RequestOutput] = []
        let batchTime = try clock.measure { batched = try llm.generate(promptTokenIDs: ids, params) }
        let report = ThroughputReport(concurrency: concurrency, solo: solo, soloSeconds: soloTime.seconds,
                                      batched: batched, batchedSeconds: batchTime.seconds, stats: llm.stats,
                                      numSpeculativeTokens: llm.numSpeculativeTokens, threads: Linear.threadCount)
        Console.write(json ? try report.json() + "\n" : report.text())
    }
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) * 1e-18 }
}
