// Whole-model forward passes of the imported SmolLM2-135M-Instruct: one decode token,
// k+1-token verify steps, and a 512-token prefill (about 110 GFLOP: 2 · 512 · 106.2 M layer
// weights, plus attention), next to OpenBLAS sgemm on 2048³ through the shim's thread pool,
// the yardstick for prefill. Run `Models/import-smollm2.sh` first.
import Benchmark
import CBLASShim
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

    // Batches are built outside the measured closures, so the malloc counts are the forward's own.
    for tokens in [1, 2, 5, 6, 7, 9, 17] {
        var step = ForwardBatch()
        step.append(sequence: sequence, tokens: (0..<tokens).map { 200 + $0 }, startPosition: history)
        step.logitRows = Array(0..<tokens)
        Benchmark("forward \(tokens) token(s) after \(history)") { benchmark in
            for _ in benchmark.scaledIterations {
                try context.forward(step)
            }
        }
    }
    let n = 2048
    let matrices = UnsafeMutablePointer<Float>.allocate(capacity: 3 * n * n)  // A, B, C; kept for the process
    for i in 0..<3 * n * n { matrices[i] = Float(i % 13) * 0.01 }
    Benchmark("sgemm 2048x2048x2048 (17.2 GFLOP)", configuration: .init(maxDuration: .seconds(10), maxIterations: 20)) { benchmark in
        let a = matrices
        for _ in benchmark.scaledIterations {
            eagle_sgemm_strided(0, Int32(n), Int32(n), Int32(n), 1, a, Int32(n), a + n * n, Int32(n), 0, a + 2 * n * n, Int32(n))
        }
    }
    let prefill = context.cache.addSequence()
    var prefillStep = ForwardBatch()
    prefillStep.append(sequence: prefill, tokens: (0..<512).map { 300 + $0 }, startPosition: 0)
    prefillStep.logitRows = [511]
    Benchmark("prefill 512 tokens", configuration: .init(maxDuration: .seconds(20), maxIterations: 10)) { benchmark in
        for _ in benchmark.scaledIterations {
            try context.forward(prefillStep)  // from position 0 again: the previous run's positions are dropped
        }
    }
}
