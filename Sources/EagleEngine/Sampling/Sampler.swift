import EagleKernels
import Foundation

/// Turns one row of logits into the distribution a token is drawn from, applying, in vLLM's
/// order, temperature, top-k, top-p and min-p (greedy requests take the argmax instead). Buffers are preallocated per vocabulary size, so sampling does not
/// allocate.
///
/// - top-k keeps every token whose logit is ≥ the k-th largest (ties kept, as vLLM).
/// - top-p keeps the most likely tokens, in descending order, while the mass before each
///   one is < p (vLLM's `apply_top_k_top_p`), so at least one token survives.
/// - min-p drops tokens with probability < `minP · max probability`.
public final class Sampler {
    public let vocabularySize: Int
    /// Processed probabilities of the last `probabilities(...)` call, `[vocab]`.
    private var probs: [Float]
    private var candidates: [Int32]
    private var heap: [Float]

    public init(vocabularySize: Int) {
        self.vocabularySize = vocabularySize
        probs = [Float](repeating: 0, count: vocabularySize)
        candidates = []
        candidates.reserveCapacity(vocabularySize)
        heap = []
        heap.reserveCapacity(1024)
    }

    /// Inverse-CDF draw from a normalised distribution.
    public static func draw(from p: UnsafeBufferPointer<Float>, uniform u: Double) -> Int {
        var cumulative = 0.0
        var last = 0
        for i in p.indices where p[i] > 0 {
            cumulative += Double(p[i])
            last = i
            if u < cumulative { return i }
        }
        return last
    }

    /// The target distribution after temperature, top-k, top-p and min-p, `[vocab]`, valid
    /// until the next call. `params.temperature` must be > 0.
    public func probabilities(_ logits: UnsafeBufferPointer<Float>, params: SamplingParams) -> UnsafeBufferPointer<Float> {
        precondition(logits.count == vocabularySize && params.temperature > 0)
        let inverseTemperature = Float(1 / params.temperature)
        let kthLargest = topKThreshold(logits, k: params.topK)
        probs.withUnsafeMutableBufferPointer { p in
            var maxLogit = -Float.infinity
            for i in 0..<vocabularySize where logits[i] >= kthLargest { maxLogit = max(maxLogit, logits[i]) }
            var total: Double = 0
            for i in 0..<vocabularySize {
                if logits[i] >= kthLargest {
                    let e = Foundation.exp((logits[i] - maxLogit) * inverseTemperature)
                    p[i] = e
                    total += Double(e)
                } else {
                    p[i] = 0
                }
            }
            let scale = Float(1 / total)
            for i in 0..<vocabularySize { p[i] *= scale }
            if params.topP < 1 { applyTopP(p, topP: params.topP) }
            if params.minP > 0 { applyMinP(p, minP: Float(params.minP)) }
        }
        return probs.withUnsafeBufferPointer { UnsafeBufferPointer(start: $0.baseAddress, count: $0.count) }
    }

    /// The k-th largest logit (−∞ when top-k is off or k ≥ vocab).
    private func topKThreshold(_ logits: UnsafeBufferPointer<Float>, k: Int) -> Float {
        guard k > 0, k < vocabularySize else { return -Float.infinity }
        // Min-heap of the k largest values seen.
        heap.removeAll(keepingCapacity: true)
        for value in logits {
            if heap.count < k {
                heap.append(value)
                siftUp(heap.count - 1)
            } else if value > heap[0] {
                heap[0] = value
                siftDown(0)
            }
        }
        return heap[0]
    }

    private func siftUp(_ index: Int) {
        var child = index
        while child > 0 {
            let parent = (child - 1) / 2
            guard heap[child] < heap[parent] else { return }
            heap.swapAt(child, parent)
            child = parent
        }
    }

    private func siftDown(_ index: Int) {
        var parent = index
        while true {
            let left = 2 * parent + 1, right = left + 1
            var smallest = parent
            if left < heap.count, heap[left] < heap[smallest] { smallest = left }
            if right < heap.count, heap[right] < heap[smallest] { smallest = right }
            if smallest == parent { return }
            heap.swapAt(parent, smallest)
            parent = smallest
        }
    }

    private func applyTopP(_ p: UnsafeMutableBufferPointer<Float>, topP: Double) {
        // Sort only tokens above a cut-off (widened to every token if their mass is short of p):
        // the kept set is a prefix of the descending order, so it lies among the candidates.
        var maxProb: Float = 0
        for value in p { maxProb = max(maxProb, value) }
        for cutoff in [maxProb * 1e-4, 0] {
            candidates.removeAll(keepingCapacity: true)
            var mass: Double = 0
            for i in p.indices where p[i] > cutoff {
                candidates.append(Int32(i))
                mass += Double(p[i])
            }
            if mass >= topP { break }
        }
        candidates.sort { p[Int($0)] > p[Int($1)] || (p[Int($0)] == p[Int($1)] && $0 < $1) }
        var before: Double = 0
        var keep = 0
        while keep < candidates.count, before < topP {
            before += Double(p[Int(candidates[keep])])
            keep += 1
        }
        let scale = Float(1 / before)
        for index in candidates[..<keep] { p[Int(index)] = -p[Int(index)] * scale }   // mark kept
        for i in p.indices { p[i] = p[i] < 0 ? -p[i] : 0 }
    }

    private func applyMinP(_ p: UnsafeMutableBufferPointer<Float>, minP: Float) {
        var maxProb: Float = 0
        for value in p { maxProb = max(maxProb, value) }
        let threshold = minP * maxProb
        var total: Double = 0
        for i in p.indices {
            if p[i] < threshold { p[i] = 0 } else { total += Double(p[i]) }
        }
        let scale = Float(1 / total)
        for i in p.indices { p[i] *= scale }
    }
}
