// Matmul kernels at SmolLM2-135M and Llama-3-8B shapes, for 1…512 token rows:
// the dispatched `Linear.apply` on a row-major and on a packed weight (what the models run)
// against plain OpenBLAS.
// GB/s of weight streamed = throughput (calls/s) × out × in × 4 bytes.
import Benchmark
import CBLASShim
import EagleKernels

let shapes: [(name: String, out: Int, in: Int)] = [
    ("576x1536", 576, 1536), ("1536x576", 1536, 576), ("576x576", 576, 576),
    ("49152x576", 49152, 576), ("4096x14336", 4096, 14336),
]
let rowCounts = [1, 2, 4, 5, 8, 16, 64, 512]

func buffer(_ count: Int) -> UnsafeMutablePointer<Float> {
    let p = UnsafeMutablePointer<Float>.allocate(capacity: count)
    for i in 0..<count { p[i] = Float(i % 17) * 0.01 - 0.08 }
    return p
}

let benchmarks: @Sendable () -> Void = {
    // One call per sample.
    Benchmark.defaultConfiguration = .init(metrics: [.wallClock, .throughput, .mallocCountTotal],
                                           maxDuration: .seconds(2), maxIterations: 2000)
    for shape in shapes {
        let w = buffer(shape.out * shape.in)
        let packedBytes = UnsafeMutableRawPointer.allocate(byteCount: shape.out * shape.in * 4, alignment: 64)
        let packed = WeightElements.f32(w).packed(into: packedBytes, rows: shape.out, columns: shape.in)!
        for rows in rowCounts where !(shape.out * shape.in > 10_000_000 && rows > 64) {
            let x = buffer(rows * shape.in), y = buffer(rows * shape.out)
            Benchmark("linear \(shape.name) rows \(rows)") { benchmark in
                for _ in benchmark.scaledIterations {
                    Linear.apply(x, weight: w, into: y, rows: rows, inFeatures: shape.in, outFeatures: shape.out)
                }
            }
            Benchmark("linear packed \(shape.name) rows \(rows)") { benchmark in
                for _ in benchmark.scaledIterations {
                    Linear.apply(x, weight: packed, into: y, rows: rows, inFeatures: shape.in, outFeatures: shape.out)
                }
            }
            Benchmark("openblas \(shape.name) rows \(rows)") { benchmark in
                for _ in benchmark.scaledIterations {
                    eagle_linear_openblas(x, w, y, Int32(rows), Int32(shape.in), Int32(shape.out), 0)
                }
            }
        }
    }
}
