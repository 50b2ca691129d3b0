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

    /// `x[i] = exp(x[i] − shift)` in place; returns `Σ x[i]` (softmax numerators and sum).
    /// 8-wide: Cody–Waite range reduction and a degree-6 polynomial (relative error < 2e-7).
    @inlinable
    public static func exponentiate(_ x: UnsafeMutablePointer<Float>, count: Int, subtracting shift: Float) -> Float {
        let raw = UnsafeMutableRawPointer(x)
        var sum = SIMD8<Float>()
        var i = 0
        while i + 8 <= count {
            let v = exp8(raw.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self) - SIMD8(repeating: shift))
            raw.storeBytes(of: v, toByteOffset: i * 4, as: SIMD8<Float>.self)
            sum += v
            i += 8
        }
        var total = sum.sum()
        while i < count {
            var lane = SIMD8<Float>(repeating: 0)
            lane[0] = x[i] - shift
            let e = exp8(lane)[0]
            x[i] = e
            total += e
            i += 1
        }
        return total
    }

    /// `exp` of 8 floats: `2^n · p(r)` with `x = n·ln2 + r`, `|r| ≤ ln2/2` (Cephes `expf`).
    /// `n` is rounded with the 1.5·2²³ trick so everything stays in vector registers.
    @inlinable
    public static func exp8(_ x: SIMD8<Float>) -> SIMD8<Float> {
        let magic = SIMD8<Float>(repeating: 12_582_912)   // 1.5 · 2^23
        // Compare-and-select clamp: one vector compare and blend per bound (`clamped(lowerBound:upperBound:)`
        // goes through the generic, lane-by-lane `pointwiseMin`/`pointwiseMax`).
        let low = SIMD8<Float>(repeating: -87.3), high = SIMD8<Float>(repeating: 88.7)
        let clamped = x.replacing(with: low, where: x .< low).replacing(with: high, where: x .> high)
        let shifted = clamped * 1.442_695_04 + magic
        let n = shifted - magic
        let r = clamped - n * 0.693_359_375 + n * 2.121_944_4e-4
        var p = SIMD8<Float>(repeating: 1.987_569_1e-4)
        p = p * r + 1.398_199_9e-3
        p = p * r + 8.333_452_1e-3
        p = p * r + 4.166_579_6e-2
        p = p * r + 1.666_666_5e-1
        p = p * r + 5.000_000_1e-1
        p = p * r * r + r + 1
        let integer = unsafeBitCast(shifted, to: SIMD8<UInt32>.self) &- unsafeBitCast(magic, to: SIMD8<UInt32>.self)
        let scale = (integer &+ 127) &<< 23
        return p * unsafeBitCast(scale, to: SIMD8<Float>.self)
    }
}
