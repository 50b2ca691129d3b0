import EagleModels
import EagleTestSupport
import Foundation
import Testing

/// A long prompt prefilled in chunks, each sharing its forward with another sequence's decode
/// rows (as the scheduler batches them), gives the logits of a one-shot prefill.
/// Tolerance: 1e-5 · max|logit| (the chunks take other kernel paths than the whole prompt).
@Suite struct ChunkedPrefillTests {
    /// Logits of decoding `tokens` one at a time after `length` positions.
    static func decode(_ tokens: [Int], after length: Int, sequence: KVCache.SequenceID, in context: LlamaContext) throws -> [[Float]] {
        var batch = ForwardBatch()
        return try tokens.enumerated().map { i, token in
            batch.removeAll()
            batch.append(sequence: sequence, tokens: CollectionOfOne(token), startPosition: length + i)
            batch.requestLogits(rows: CollectionOfOne(0))
            try context.forward(batch)
            return Array(context.logits(row: 0))
        }
    }

    @Test func chunksInterleavedWithDecodingMatchOneShotPrefill() throws {
        let model = try LlamaModel(directory: TestPaths.fixtures.appendingPathComponent("tiny-llama"))
        let prompt = (0..<100).map { ($0 * 37 + 11) % model.config.vocabSize }
        let next = [5, 77, 301]

        // One shot: the whole prompt, then three decode steps.
        let whole = LlamaContext(model: model, cacheCapacity: 256)
        let a = whole.cache.addSequence()
        var batch = ForwardBatch()
        batch.append(sequence: a, tokens: prompt, startPosition: 0)
        batch.requestLogits(rows: CollectionOfOne(prompt.count - 1))
        try whole.forward(batch)
        let expected = try [Array(whole.logits(row: 0))] + Self.decode(next, after: prompt.count, sequence: a, in: whole)

        // Chunks of 30, 30 and 40 tokens, each after a decode step of another sequence.
        let chunked = LlamaContext(model: model, cacheCapacity: 256)
        let other = chunked.cache.addSequence()
        let b = chunked.cache.addSequence()
        batch.removeAll()
        batch.append(sequence: other, tokens: [1, 2, 3, 4], startPosition: 0)
        try chunked.forward(batch)
        var actual: [[Float]] = []
        var otherLength = 4
        for (start, count) in [(0, 30), (30, 30), (60, 40)] {
            batch.removeAll()
            batch.append(sequence: other, tokens: [9, 8], startPosition: otherLength)
            otherLength += 2
            let rows = batch.append(sequence: b, tokens: prompt[start..<(start + count)], startPosition: start)
            if start + count == prompt.count { batch.requestLogits(rows: CollectionOfOne(rows.upperBound - 1)) }
            try chunked.forward(batch)
        }
        actual.append(Array(chunked.logits(row: 0)))
        actual += try Self.decode(next, after: prompt.count, sequence: b, in: chunked)
        for (step, (e, a)) in zip(expected, actual).enumerated() {
            let tolerance = 1e-5 * e.map(abs).max()!
            #expect(maxAbsDifference(e, a) <= tolerance, "step \(step)")
            #expect(e.indices.max { e[$0] < e[$1] } == a.indices.max { a[$0] < a[$1] })
        }
    }
}
