import CBLASShim
import Dispatch

/// A matmul weight's elements as the kernels read them.
public enum WeightElements {
    case f32(UnsafePointer<Float>)
    /// bfloat16 bit patterns, widened exactly inside the kernels (products equal float32
    /// storage of the same values, from half the bytes).
    case bf16(UnsafePointer<UInt16>)
}

/// Matrix products, all routed through the CBLAS shim (`eagle_linear_typed`).
public enum Linear {
    /// `y[rows, out] = x[rows, in] · w[out, in]ᵀ`, or `+=` when `accumulate` is set.
    ///
    /// The shim chooses the kernel from `rows`; callers never pick one. With `rowwise`, every
    /// row's result is the one it would get alone (needed when rows of different requests are
    /// batched, so that a request's output does not depend on its batch).
    @inlinable
    public static func apply(
        _ x: UnsafePointer<Float>, weight w: WeightElements, into y: UnsafeMutablePointer<Float>,
        rows: Int, inFeatures: Int, outFeatures: Int, accumulate: Bool = false, rowwise: Bool = false
    ) {
        let (elements, type): (UnsafeRawPointer, eagle_weight_type) = switch w {
        case .f32(let p): (UnsafeRawPointer(p), EAGLE_WEIGHT_F32)
        case .bf16(let p): (UnsafeRawPointer(p), EAGLE_WEIGHT_BF16)
        }
        if rowwise {
            eagle_linear_rowwise_typed(x, elements, type, y, Int32(rows), Int32(inFeatures), Int32(outFeatures), accumulate ? 1 : 0)
        } else {
            eagle_linear_typed(x, elements, type, y, Int32(rows), Int32(inFeatures), Int32(outFeatures), accumulate ? 1 : 0)
        }
    }

    /// The same product for a float32 weight.
    @inlinable
    public static func apply(
        _ x: UnsafePointer<Float>, weight w: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>,
        rows: Int, inFeatures: Int, outFeatures: Int, accumulate: Bool = false, rowwise: Bool = false
    ) {
        apply(x, weight: .f32(w), into: y, rows: rows, inFeatures: inFeatures, outFeatures: outFeatures,
              accumulate: accumulate, rowwise: rowwise)
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
