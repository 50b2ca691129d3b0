import EagleKernels
import EagleLoading
import EagleModels
import Foundation

/// Measures, in one run, what speculation's speedup rests on: the cost of a k+1-token
/// verify forward relative to a 1-token decode forward, the weight bytes a decode step
/// streams per second, and an OpenBLAS sgemv read-bandwidth probe for comparison.
public struct ForwardCostProbe: Sendable {
    public var decodeSeconds: Double
    public var verifySeconds: Double
    public var verifyTokens: Int
    /// Weight bytes streamed per second by a 1-token forward.
    public var decodeBytesPerSecond: Double
    /// Bytes per second `cblas_sgemv` reads from a 256 MB matrix (median, interleaved with
    /// the forwards).
    public var sgemvBytesPerSecond: Double
    /// The best of those sgemv reads (the machine's burst bandwidth).
    public var sgemvBestBytesPerSecond: Double

    /// `verifySeconds / decodeSeconds`.
    public var verifyCostRatio: Double { verifySeconds / decodeSeconds }

    /// `decodeBytesPerSecond / sgemvBytesPerSecond`: how close decoding comes to the probe.
    public var decodeOverSgemv: Double { decodeBytesPerSecond / sgemvBytesPerSecond }

    /// Times `iterations` forwards of 1 and `verifyTokens` tokens after a 128-token context
    /// and as many sgemv probes (median of each), interleaved so that machine noise hits all
    /// alike.
    public static func measure(model: LlamaModel, verifyTokens: Int, iterations: Int = 20) throws -> ForwardCostProbe {
        let context = LlamaContext(model: model, cacheCapacity: 256)
        let sequence = context.cache.addSequence()
        let history = 128
        var batch = ForwardBatch()
        batch.append(sequence: sequence, tokens: (0..<history).map { ($0 * 7 + 11) % model.config.vocabSize }, startPosition: 0)
        try context.forward(batch)
        func time(_ tokens: Int) throws -> Double {
            batch.removeAll()
            batch.append(sequence: sequence, tokens: (0..<tokens).map { ($0 * 13 + 5) % model.config.vocabSize }, startPosition: history)
            batch.requestLogits(rows: 0..<tokens)
            let start = DispatchTime.now().uptimeNanoseconds
            try context.forward(batch)
            return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        }
        let sgemv = SgemvReadProbe()
        var decode: [Double] = [], verify: [Double] = [], read: [Double] = []
        for _ in 0..<iterations {
            decode.append(try time(1))
            verify.append(try time(verifyTokens))
            read.append(sgemv.measure())
        }
        let median = { (values: [Double]) in values.sorted()[values.count / 2] }
        let weightBytes = Double(model.weightByteCount)
        return ForwardCostProbe(decodeSeconds: median(decode), verifySeconds: median(verify), verifyTokens: verifyTokens,
                                decodeBytesPerSecond: weightBytes / median(decode),
                                sgemvBytesPerSecond: median(read), sgemvBestBytesPerSecond: read.max() ?? 0)
    }
}
