import ArgumentParser
import EagleEngine
import EagleKernels
import EagleTokenizer
import Foundation

/// `eagle bench`: runs every prompt without and with speculation (greedy) and reports speed,
/// acceptance metrics (vLLM's definitions) and whether the outputs matched token for token.
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Benchmark speculative decoding against plain decoding on a prompt file.")

    @OptionGroup var model: ModelOptions
    @OptionGroup var speculation: SpeculationOptions

    @Option(name: .long, help: "JSONL file, one {\"prompt\": \"…\", \"chat\": true|false} per line.")
    var prompts: String

    @Option(name: .long, help: "Tokens generated per prompt.")
    var maxTokens = 128

    @Flag(name: .long, help: "Print one JSON object.")
    var json = false

    @Option(name: .long, help: "Write a per-position acceptance chart (SVG).")
    var svg: String?

    func validate() throws {
        if maxTokens < 1 { throw ValidationError("--max-tokens must be ≥ 1") }
    }

    func run() throws {
        let items = try BenchPrompt.load(prompts)
        guard let config = try speculation.config(defaultModel: model.isDefault) else {
            throw ValidationError("bench compares speculative with plain decoding and needs a draft head: "
                                  + "--draft DIR or --speculative-config JSON (the default model uses its shipped head)")
        }
        let llm = try LLM(model: model.resolveDirectory(), options: EngineOptions(threads: model.threads, speculative: config))
        let params = SamplingParams(temperature: 0, maxTokens: maxTokens, ignoreEOS: false)
        var baselineTokens = 0, speculativeTokens = 0
        var baselineSeconds = 0.0, speculativeSeconds = 0.0
        var identical = true
        var metrics = SpeculationMetrics()
        for (i, item) in items.enumerated() {
            Console.progress("bench", done: i, total: items.count)
            let ids = try item.tokenIDs(llm)
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
            metrics.merge(speculative!.metrics.speculation)
        }
        Console.progress("bench", done: items.count, total: items.count)
        let probe = try ForwardCostProbe.measure(model: llm.model, verifyTokens: llm.numSpeculativeTokens + 1)
        let report = BenchReport(
            numPrompts: items.count, numSpeculativeTokens: llm.numSpeculativeTokens,
            baselineTokensPerSecond: Double(baselineTokens) / baselineSeconds,
            speculativeTokensPerSecond: Double(speculativeTokens) / speculativeSeconds,
            metrics: metrics, outputsIdentical: identical, probe: probe, threads: Linear.threadCount)
        if let svg { try report.acceptanceChart().write(toFile: svg, atomically: true, encoding: .utf8) }
        Console.write(json ? try report.json() + "\n" : report.text())
    }
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) * 1e-18 }
}

/// One line of a bench prompt file.
struct BenchPrompt: Decodable {
    var prompt: String
    var chat: Bool?

    static func load(_ path: String) throws -> [BenchPrompt] {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { throw CLIError("\(path): cannot read file") }
        var items: [BenchPrompt] = []
        for (n, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated()
        where !line.trimmingCharacters(in: .whitespaces).isEmpty {
            do {
                items.append(try JSONDecoder().decode(BenchPrompt.self, from: Data(line.utf8)))
            } catch {
                throw CLIError("\(path):\(n + 1): expected {\"prompt\": \"…\", \"chat\": true|false}")
            }
        }
        guard !items.isEmpty else { throw CLIError("\(path): no prompts") }
        return items
    }

    func tokenIDs(_ llm: LLM) throws -> [Int] {
        if chat ?? false {
            let rendered = try llm.chatPrompt([ChatMessage(role: "user", content: prompt)])
            return llm.tokenizer.encode(rendered, addSpecialTokens: false)
        }
        return llm.tokenizer.encode(prompt)
    }
}
