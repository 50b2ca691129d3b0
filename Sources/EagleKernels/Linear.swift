import CBLASShim
import Dispatch

/// A matmul weight's elements as the kernels read them: float32 or bfloat16 (widened exactly
/// inside the kernels, so products equal float32 storage of the same values, from half the
/// bytes), row-major or packed for the skinny kernel (`packed(into:rows:columns:)`).
public struct WeightElements {
    /// How each element is stored.
    public enum Storage: Sendable { case float32, bfloat16 }

    public let base: UnsafeRawPointer
    public let storage: Storage
    /// Rows interleaved in pairs for the skinny kernel, instead of row-major.
    public let isPacked: Bool

    /// Row-major float32 elements.
    public static func f32(_ pointer: UnsafePointer<Float>) -> WeightElements {
        WeightElements(base: UnsafeRawPointer(pointer), storage: .float32, isPacked: false)
    }

    /// Row-major bfloat16 bit patterns.
    public static func bf16(_ pointer: UnsafePointer<UInt16>) -> WeightElements {
        WeightElements(base: UnsafeRawPointer(pointer), storage: .bfloat16, isPacked: false)
    }

    /// Bytes per element.
    public var elementSize: Int { storage == .bfloat16 ? 2 : 4 }

    /// The shim's name for this storage.
    @usableFromInline
    var type: eagle_weight_type {
        switch (storage, isPacked) {
        case (.float32, false): EAGLE_WEIGHT_F32
        case (.bfloat16, false): EAGLE_WEIGHT_BF16
        case (.float32, true): EAGLE_WEIGHT_F32_PACKED
        case (.bfloat16, true): EAGLE_WEIGHT_BF16_PACKED
        }
    }

    /// Copies these row-major `[rows, columns]` elements into `destination` (as many bytes)
    /// in the packed layout — one sequential stream per pair of rows, which a decode step
    /// reads faster; products stay bit for bit the same — and returns them; `nil`
    /// (nothing written) when the kernels read this shape row-major.
    public func packed(into destination: UnsafeMutableRawPointer, rows: Int, columns: Int) -> WeightElements? {
        precondition(!isPacked, "already packed")
        let result = eagle_pack_weight(base, type, destination, Int32(rows), Int32(columns))
        guard result != type else { return nil }
        return WeightElements(base: UnsafeRawPointer(destination), storage: storage, isPacked: true)
    }

    /// Rows `range` of this `[rows, columns]` weight, widened to row-major float32.
    public func float32Rows(_ range: Range<Int>, rows: Int, columns: Int, into destination: UnsafeMutablePointer<Float>) {
        precondition(range.lowerBound >= 0 && range.upperBound <= rows)
        eagle_weight_rows_f32(base, type, Int32(rows), Int32(columns), Int32(range.lowerBound), Int32(range.count), destination)
    }
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
        if rowwise {
            eagle_linear_rowwise_typed(x, w.base, w.type, y, Int32(rows), Int32(inFeatures), Int32(outFeatures), accumulate ? 1 : 0)
        } else {
            eagle_linear_typed(x, w.base, w.type, y, Int32(rows), Int32(inFeatures), Int32(outFeatures), accumulate ? 1 : 0)
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

    /// Rows the skinny kernel multiplies in one pass over the weights (about one GEMV's cost).
    public static let rowsPerWeightPass = Int(EAGLE_SKINNY_ROW_GROUP)

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
