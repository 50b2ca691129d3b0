// Tokenizer throughput on the imported SmolLM2-135M-Instruct tokenizer: encoding prose,
// code and one very long word (the merge loop must stay O(n log n)), and decoding.
// Throughput = calls/s; tokens/s = throughput × the token count printed in each name.
import Benchmark
import EagleTokenizer
import Foundation

let modelDirectory = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent("Models/SmolLM2-135M-Instruct")

let prose = String(repeating: "The quick brown fox jumps over the lazy dog, and 42 cats watched it in 1999. ", count: 200)
let code = String(repeating: "def merge(a, b):\n    result = []\n    while a and b:\n        result.append(a.pop(0) if a[0] < b[0] else b.pop(0))\n    return result + a + b\n\n", count: 80)
let longWord = String(repeating: "abcdefghij", count: 2_000)

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(metrics: [.wallClock, .throughput, .mallocCountTotal],
                                           maxDuration: .seconds(3), maxIterations: 1000)
    guard let tokenizer = try? Tokenizer(directory: modelDirectory) else {
        fatalError("\(modelDirectory.path) is missing: run Models/import-smollm2.sh")
    }
    for (name, text) in [("prose", prose), ("code", code), ("long word", longWord)] {
        let count = tokenizer.encode(text).count
        Benchmark("encode \(name) (\(count) tokens)") { benchmark in
            for _ in benchmark.scaledIterations { blackHole(tokenizer.encode(text)) }
        }
    }
    let ids = tokenizer.encode(prose)
    Benchmark("decode prose (\(ids.count) tokens)") { benchmark in
        for _ in benchmark.scaledIterations { blackHole(tokenizer.decode(ids)) }
    }
}
