import Foundation
import Testing
import EagleKernels

@Suite struct SwiGLUTests {
    /// `gate / (1 + exp(−gate)) · up` against a Double reference over the float exponent range,
    /// in full vectors and row tails (width 13: one vector of 8, a tail of 5), one row at a time
    /// and as a prefill-sized batch split over the threads.
    @Test(arguments: [(rows: 3, width: 13), (rows: 2, width: 1536), (rows: 40, width: 24)])
    func matchesReference(rows: Int, width: Int) {
        var gateUp = [Float](repeating: 0, count: rows * 2 * width)
        for r in 0..<rows {
            for i in 0..<width {
                gateUp[r * 2 * width + i] = -95 + 190 * Float((r * width + i) % 997) / 996   // gate
                gateUp[r * 2 * width + width + i] = Float((r + 3 * i) % 17) / 8 - 1          // up
            }
        }
        var y = [Float](repeating: .nan, count: rows * width)
        gateUp.withUnsafeBufferPointer { g in
            y.withUnsafeMutableBufferPointer { SwiGLU.apply(gateUp: g.baseAddress!, into: $0.baseAddress!, rows: rows, width: width) }
        }
        var worst = 0.0
        for r in 0..<rows {
            for i in 0..<width {
                let gate = Double(gateUp[r * 2 * width + i]), up = Double(gateUp[r * 2 * width + width + i])
                let exact = gate / (1 + Foundation.exp(-gate)) * up
                worst = max(worst, abs(Double(y[r * width + i]) - exact) / max(abs(exact), 1e-30))
                #expect(abs(Double(y[r * width + i]) - exact) <= 1e-6 * abs(exact) + 1e-35)
            }
        }
        #expect(worst < 1e-6, "max relative error \(worst)")
    }
}
