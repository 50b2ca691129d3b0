import CBLASShim

/// The gated MLP activation `silu(gate) ⊙ up` (Llama `down(silu(gate(x)) * up(x))`).
public enum SwiGLU {
    /// `gateUp` holds rows of `[gate (width) | up (width)]`; writes `rows × width` into `y`.
    /// Large batches (prefill) are split across the worker threads.
    @inlinable
    public static func apply(
        gateUp: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>, rows: Int, width: Int
    ) {
        if rows >= 32 {
            Parallel.forEach(rows) { range, _ in apply(gateUp: gateUp, into: y, rows: range, width: width) }
        } else {
            apply(gateUp: gateUp, into: y, rows: 0..<rows, width: width)
        }
    }

    @inlinable
    static func apply(gateUp: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>, rows: Range<Int>, width: Int) {
        eagle_swiglu(gateUp + rows.lowerBound * 2 * width, y + rows.lowerBound * width, Int32(rows.count), Int32(width))
    }
}
