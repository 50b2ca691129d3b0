import Foundation

/// How RoPE frequencies are rescaled for long contexts.
public enum RopeScaling: Sendable, Equatable {
    /// Plain RoPE.
    case none
    /// Linear position interpolation: every frequency divided by `factor`.
    case linear(factor: Float)
    /// Llama 3.x frequency-dependent scaling (`rope_type: "llama3"`).
    case llama3(factor: Float, lowFrequencyFactor: Float, highFrequencyFactor: Float,
                originalMaxPositions: Int)
}

/// Rotary position embedding in the HF "rotate half" (neox) layout.
///
/// Frequencies follow `transformers.modeling_rope_utils` in fp32:
/// `invFreq[i] = 1 / θ^(2i/d)`, rescaled per `RopeScaling` (EAGLE3_SPEC.md §4.7 for llama3,
/// including the `low == high` guard).
public struct RotaryEmbedding: Sendable {
    public let headDim: Int
    /// `[headDim / 2]`
    public let inverseFrequencies: [Float]

    public init(headDim: Int, theta: Float, scaling: RopeScaling = .none) {
        precondition(headDim % 2 == 0, "RoPE needs an even head dimension")
        self.headDim = headDim
        let half = headDim / 2
        var inv = (0..<half).map { i in 1 / Foundation.pow(theta, Float(2 * i) / Float(headDim)) }
        switch scaling {
        case .none:
            break
        case .linear(let factor):
            inv = inv.map { $0 / factor }
        case .llama3(let factor, let low, let high, let original):
            let lowWavelength = Float(original) / low
            let highWavelength = Float(original) / high
            inv = inv.map { f in
                let wavelength = 2 * Float.pi / f
                if wavelength < highWavelength { return f }
                if wavelength > lowWavelength { return f / factor }
                let smooth: Float = low == high ? 0 : (Float(original) / wavelength - low) / (high - low)
                return (1 - smooth) * f / factor + smooth * f
            }
        }
        inverseFrequencies = inv
    }

    /// Fills `cos`/`sin` (`[count, headDim / 2]`) for the given positions.
    public func fillTables(
        positions: UnsafePointer<Int32>, count: Int,
        cos: UnsafeMutablePointer<Float>, sin: UnsafeMutablePointer<Float>
    ) {
        let half = headDim / 2
        inverseFrequencies.withUnsafeBufferPointer { inv in
            for t in 0..<count {
                let p = Float(positions[t])
                for i in 0..<half {
                    let angle = p * inv[i]
                    cos[t * half + i] = Foundation.cos(angle)
                    sin[t * half + i] = Foundation.sin(angle)
                }
            }
        }
    }

    /// Rotates `rows × heads` vectors of `headDim` floats in place (row stride `rowStride`).
    @inlinable
    public func apply(
        to x: UnsafeMutablePointer<Float>, rows: Int, heads: Int, rowStride: Int,
        cos: UnsafePointer<Float>, sin: UnsafePointer<Float>
    ) {
        let half = headDim / 2
        for t in 0..<rows {
            let c = cos + t * half, s = sin + t * half
            for h in 0..<heads {
                let v = x + t * rowStride + h * headDim
                for i in 0..<half {
                    let a = v[i], b = v[i + half]
                    v[i] = a * c[i] - b * s[i]
                    v[i + half] = b * c[i] + a * s[i]
                }
            }
        }
    }
}
