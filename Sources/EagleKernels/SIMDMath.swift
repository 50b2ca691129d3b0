import CBLASShim

/// Small vector primitives shared by the kernels (8-wide, AVX2-friendly).
public enum SIMDMath {
    /// `Σ a[i]·b[i]`.
    @inlinable
    public static func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, count: Int) -> Float {
        var acc0 = SIMD8<Float>(), acc1 = SIMD8<Float>()
        var i = 0
        let ra = UnsafeRawPointer(a), rb = UnsafeRawPointer(b)
        while i + 16 <= count {
            acc0 += ra.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self)
                * rb.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self)
            acc1 += ra.loadUnaligned(fromByteOffset: (i + 8) * 4, as: SIMD8<Float>.self)
                * rb.loadUnaligned(fromByteOffset: (i + 8) * 4, as: SIMD8<Float>.self)
            i += 16
        }
        if i + 8 <= count {
            acc0 += ra.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self)
                * rb.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self)
            i += 8
        }
        var sum = (acc0 + acc1).sum()
        while i < count { sum += a[i] * b[i]; i += 1 }
        return sum
    }

    /// `Σ x[i]²`.
    @inlinable
    public static func sumOfSquares(_ x: UnsafePointer<Float>, count: Int) -> Float {
        dot(x, x, count: count)
    }

    /// Index of the first maximal element (ties go to the lowest index, like `torch.argmax`).
    @inlinable
    public static func argmax(_ x: UnsafePointer<Float>, count: Int) -> Int {
        var best = 0
        var bestValue = x[0]
        for i in 1..<max(count, 1) where x[i] > bestValue {
            best = i
            bestValue = x[i]
        }
        return best
    }

    /// Indices of the two largest elements, `argmax` first (ties go to the lowest index);
    /// `count` ≥ 2.
    @inlinable
    public static func topTwo(_ x: UnsafePointer<Float>, count: Int) -> (first: Int, second: Int) {
        precondition(count >= 2)
        var (first, second) = x[1] > x[0] ? (1, 0) : (0, 1)
        var (firstValue, secondValue) = (x[first], x[second])
        for i in 2..<count where x[i] > secondValue {
            if x[i] > firstValue {
                (second, secondValue) = (first, firstValue)
                (first, firstValue) = (i, x[i])
            } else {
                (second, secondValue) = (i, x[i])
            }
        }
        return (first, second)
    }

    /// `x[i] = exp(x[i] − shift)` in place; returns `Σ x[i]` (softmax numerators and sum),
    /// with the shim's vector exp (relative error < 2e-7).
    @inlinable
    public static func exponentiate(_ x: UnsafeMutablePointer<Float>, count: Int, subtracting shift: Float) -> Float {
        eagle_exponentiate(x, Int32(count), shift)
    }
}
