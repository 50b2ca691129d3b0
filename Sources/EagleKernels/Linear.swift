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

    /// The number of threads the matmul kernels use.
    public static var threadCount: Int { Int(eagle_blas_threads()) }
}

/// The memory-bandwidth yardstick for decoding: OpenBLAS `sgemv` (split over the shim's
/// threads) reading a 256 MB matrix, too large for any cache. One `measure()` is one product.
public final class SgemvReadProbe {
    private let rows = 16_384, columns = 4_096
    private let matrix: UnsafeMutablePointer<Float>
    private let x: UnsafeMutablePointer<Float>, y: UnsafeMutablePointer<Float>

    public init() {
        matrix = .allocate(capacity: rows * columns)
        matrix.initialize(repeating: 0.001, count: rows * columns)
        x = .allocate(capacity: columns)
        x.initialize(repeating: 1, count: columns)
        y = .allocate(capacity: rows)
    }

    deinit {
        matrix.deallocate()
        x.deallocate()
        y.deallocate()
    }

    /// Bytes per second read by one product.
    public func measure() -> Double {
        let start = DispatchTime.now().uptimeNanoseconds
        eagle_linear_openblas(x, matrix, y, 1, Int32(columns), Int32(rows), 0)
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        return Double(rows * columns * MemoryLayout<Float>.size) / seconds
    }
}
