import Foundation
import Testing
import EagleKernels

@Suite struct SIMDMathTests {
    /// The vector exp against libm over the whole useful range (softmax inputs are ≤ 0), in
    /// full vectors and in the padded tail (13 values: one vector of 8, a tail of 5).
    @Test func exponentiateMatchesLibm() {
        var worst: Float = 0
        var x: Float = -87
        while x < 88 {
            let inputs = (0..<13).map { x + Float($0) * 0.0137 }
            var values = inputs
            _ = values.withUnsafeMutableBufferPointer { SIMDMath.exponentiate($0.baseAddress!, count: 13, subtracting: 0) }
            for (v, input) in zip(values, inputs) {
                let exact = Foundation.exp(Double(input))
                worst = max(worst, Float(abs(Double(v) - exact) / exact))
            }
            x += 0.1
        }
        #expect(worst < 3e-7, "max relative error \(worst)")
    }

    @Test func exponentiateSumsAndHandlesTails() {
        let inputs: [Float] = (0..<13).map { Float($0) * -0.7 }
        var values = inputs
        let total = values.withUnsafeMutableBufferPointer { SIMDMath.exponentiate($0.baseAddress!, count: 13, subtracting: 1) }
        let expected = inputs.map { Foundation.exp(Double($0 - 1)) }
        for (v, e) in zip(values, expected) { #expect(abs(Double(v) - e) <= 3e-7 * e) }
        #expect(abs(Double(total) - expected.reduce(0, +)) <= 1e-6)
    }

    /// `topTwo` against sorting (ties to the lowest index, as `argmax`).
    @Test func topTwoMatchesSorting() {
        var state: UInt64 = 3
        for count in [2, 3, 17, 1000] {
            for _ in 0..<50 {
                let x = (0..<count).map { _ -> Float in
                    state = state &* 6364136223846793005 &+ 1442695040888963407
                    return Float(state >> 59)   // 32 values: many ties
                }
                let order = x.indices.sorted { x[$0] != x[$1] ? x[$0] > x[$1] : $0 < $1 }
                let top = x.withUnsafeBufferPointer { SIMDMath.topTwo($0.baseAddress!, count: count) }
                #expect(top.first == order[0] && top.second == order[1], "\(x)")
                #expect(top.first == x.withUnsafeBufferPointer { SIMDMath.argmax($0.baseAddress!, count: count) })
            }
        }
    }
}
