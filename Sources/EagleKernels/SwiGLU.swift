import Foundation

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
        for r in rows {
            let g = gateUp + r * 2 * width
            let u = g + width
            let yr = y + r * width
            for i in 0..<width {
                let x = g[i]
                yr[i] = x / (1 + Foundation.exp(-x)) * u[i]
            }
        }
    }
}
