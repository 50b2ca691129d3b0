// Whole requests through the engine on the imported SmolLM2-135M-Instruct: a 128-token
// prompt, then 16 or 64 greedy tokens, plainly and speculating with the shipped EAGLE-3 head
// (k = 4). The malloc counters of the 16- and 64-token runs differ by what the decode steps
// allocate: only the geometric growth of the request's token list and text (the schedule reuses
// its arrays, the forwards allocate nothing, and these requests do not stream).
// Run `Models/import-smollm2.sh` first.
import Benchmark
import EagleEngine
import Foundation

let models = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent("Models")

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(metrics: [.wallClock, .throughput, .mallocCountTotal],
                                           maxDuration: .seconds(10), maxIterations: 20)
    let head = models.appendingPathComponent("SmolLM2-135M-Instruct-EAGLE3")
    let speculative = FileManager.default.fileExists(atPath: head.appendingPathComponent("model.safetensors").path)
        ? SpeculativeConfig(model: head.path, numSpeculativeTokens: 4) : nil
    guard let llm = try? LLM(model: models.appendingPathComponent("SmolLM2-135M-Instruct"),
                             options: EngineOptions(maxModelLength: 1024, speculative: speculative)) else {
        fatalError("\(models.path)/SmolLM2-135M-Instruct is missing: run Models/import-smollm2.sh")
    }
    let prompt = Array(100..<228)
    for speculate in speculative == nil ? [false] : [false, true] {
        for tokens in [16, 64] {
            let params = SamplingParams(temperature: 0, maxTokens: tokens, ignoreEOS: true)
            Benchmark("\(speculate ? "speculative (k = 4)" : "plain") request, \(tokens) tokens") { benchmark in
                for _ in benchmark.scaledIterations {
                    blackHole(try llm.generate(promptTokenIDs: prompt, params, speculate: speculate))
                }
            }
        }
    }
}
