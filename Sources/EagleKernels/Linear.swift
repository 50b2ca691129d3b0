import CBLASShim
import Dispatch

/// Matrix products, all routed through the CBLAS shim (`eagle_linear`).
public enum Linear {
    /// `y[rows, out] = x[rows, in] · w[out, in]ᵀ`, or `+=` when `accumulate` is set.
    ///
    /// The shim chooses the kernel from `rows`; callers never pick one. With `rowwise`, every
    /// row's result is the one it would get alone (needed when rows of different requests are
    /// batched, so that a request's output does not depend on its batch).
    @inlinable
    public static func apply(
        _ x: UnsafePointer<Float>, weight w: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>,
        rows: Int, inFeatures: Int, outFeatures: Int, accumulate: Bool = false, rowwise: Bool = false
    ) {
        if rowwise {
            eagle_linear_rowwise(x, w, y, Int32(rows), Int32(inFeatures), Int32(outFeatures), accumulate ? 1 : 0)
        } else {
            eagle_linear(x, w, y, Int32(rows), Int32(inFeatures), Int32(outFeatures), accumulate ? 1 : 0)
        }
    }

    /// Row counts up to this one run on the skinny kernel (decode and verify shapes).
    public static let fewRowsLimit = Int(EAGLE_SKINNY_MAX_ROWS)

    /// Sets how many threads the matmul kernels use.
    public static func setThreadCount(_ threads: Int) {
        eagle_blas_set_threads(Int32(max(1, threads)))
    }

    /// Bytes per second OpenBLAS `sgemv` reads from a 256 MB matrix (too large for any cache),
    /// best of 5: the memory-bandwidth yardstick for decoding.
    public static func openBLASReadBandwidth() -> Double {
        let rows = 16_384, columns = 4_096
        let matrix = UnsafeMutablePointer<Float>.allocate(capacity: rows * columns)
        defer { matrix.deallocate() }
        matrix.initialize(repeating: 0.001, count: rows * columns)
        let x = UnsafeMutablePointer<Float>.allocate(capacity: columns), y = UnsafeMutablePointer<Float>.allocate(capacity: rows)
        defer { x.deallocate(); y.deallocate() }
        x.initialize(repeating: 1, count: columns)
        var best = Double.infinity
        for _ in 0..<5 {
            let start = DispatchTime.now().uptimeNanoseconds
            eagle_linear_openblas(x, matrix, y, 1, Int32(columns), Int32(rows), 0)
            best = min(best, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
        }
        return Double(rows * columns * MemoryLayout<Float>.size) / best
    }

    /// The number of threads the matmul kernels use.
    public static var threadCount: Int { Int(eagle_blas_threads()) }
}
