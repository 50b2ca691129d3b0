// Whole-model forward passes of the imported SmolLM2-135M-Instruct: one decode token,
// a k+1 = 5 token verify step, and a 512-token prefill. Run `Models/import-smollm2.sh` first.
import Benchmark
import EagleModels
import Foundation

let modelDirectory = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent("Models/SmolLM2-135M-Instruct")

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(metrics: [.wallClock, .throughput, .mallocCountTotal],
                                           maxDuration: .seconds(5), maxIterations: 200)
    guard let model = try? LlamaModel(directory: modelDirectory) else {
        fatalError("\(modelDirectory.path) is missing: run Models/import-smollm2.sh")
    }
    let context = LlamaContext(model: model, cacheCapacity: 1024)
    let sequence = context.cache.addSequence()
    let history = 128
    var batch = ForwardBatch()
    batch.append(sequence: sequence, tokens: (0..<history).map { 100 + $0 }, startPosition: 0)
    try? context.forward(batch)

    for tokens in [1, 2, 5, 9, 17] {
        Benchmark("forward \(tokens) token(s) after \(history)") { benchmark in
            var step = ForwardBatch()
            step.append(sequence: sequence, tokens: (0..<tokens).map { 200 + $0 }, startPosition: history)
            step.logitRows = Array(0..<tokens)
            for _ in benchmark.scaledIterations {
                try context.forward(step)
            }
        }
    }
    Benchmark("prefill 512 tokens", configuration: .init(maxDuration: .seconds(20), maxIterations: 10)) { benchmark in
        let prefill = context.cache.addSequence()
        var step = ForwardBatch()
        step.append(sequence: prefill, tokens: (0..<512).map { 300 + $0 }, startPosition: 0)
        step.logitRows = [511]
        for _ in benchmark.scaledIterations {
            try context.forward(step)
        }
        context.cache.removeSequence(prefill)
    }
}
