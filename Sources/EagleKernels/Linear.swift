import CBLASShim

/// Matrix products, all routed through the CBLAS shim (`eagle_linear`).
public enum Linear {
    /// `y[rows, out] = x[rows, in] · w[out, in]ᵀ`, or `+=` when `accumulate` is set.
    ///
    /// The shim chooses the kernel from `rows`; callers never pick one.
    @inlinable
    public static func apply(
        _ x: UnsafePointer<Float>, weight w: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>,
        rows: Int, inFeatures: Int, outFeatures: Int, accumulate: Bool = false
    ) {
        eagle_linear(x, w, y, Int32(rows), Int32(inFeatures), Int32(outFeatures), accumulate ? 1 : 0)
    }

    /// Sets how many threads the matmul kernels use.
    public static func setThreadCount(_ threads: Int) {
        eagle_blas_set_threads(Int32(max(1, threads)))
    }

    /// The number of threads the matmul kernels use.
    public static var threadCount: Int { Int(eagle_blas_threads()) }
}
