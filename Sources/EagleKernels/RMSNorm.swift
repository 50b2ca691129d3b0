/// Weighted RMS normalisation, `y = x · rsqrt(mean(x²) + ε) · w` (HF `LlamaRMSNorm`, fp32).
public enum RMSNorm {
    /// Normalises `rows` rows of width `width` from `x` into `y` (which may alias `x`).
    @inlinable
    public static func apply(
        _ x: UnsafePointer<Float>, weight: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>,
        rows: Int, width: Int, epsilon: Float
    ) {
        for r in 0..<rows {
            let xr = x + r * width
            let yr = y + r * width
            let scale = 1 / (SIMDMath.sumOfSquares(xr, count: width) / Float(width) + epsilon).squareRoot()
            for i in 0..<width { yr[i] = weight[i] * (xr[i] * scale) }
        }
    }
}
