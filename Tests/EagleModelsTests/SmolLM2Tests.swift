import EagleLoading
import EagleModels
import EagleTestSupport
import Foundation
import Testing

/// The imported SmolLM2-135M-Instruct against transformers loaded from the same GGUF
/// (`Tests/Fixtures/smollm2_reference.safetensors`; see `Scripts/fixtures/README.md`).
/// Serialized: each real-model check uses both cores.
@Suite(.serialized) struct SmolLM2Tests {
    static let cases = 0..<4
    static let minimumMargin: Float = 0.05

    func reference() throws -> SafetensorsFile {
        try SafetensorsFile(TestPaths.fixtures.appendingPathComponent("smollm2_reference.safetensors"))
    }

    /// Max |Δlogit| ≤ 1e-3 · max|logit| of the row, identical argmax at every position.
    @Test(arguments: cases)
    func logitsMatchTransformers(index: Int) throws {
        let model = try SmolLM2.shared()
        let reference = try reference()
        let ids = try reference.integers("case\(index).input_ids")
        #expect(ids.count >= 40)
        let context = LlamaContext(model: model, cacheCapacity: 256)
        let sequence = context.cache.addSequence()
        var batch = ForwardBatch()
        batch.append(sequence: sequence, tokens: ids, startPosition: 0)
        batch.logitRows = Array(ids.indices)
        try context.forward(batch)

        let topIDs = try reference.integers("case\(index).topk_ids")
        let topLogits = try reference.floatTensor("case\(index).topk_logits").values
        let maxAbs = try reference.floatTensor("case\(index).max_abs_logit").values
        let k = topIDs.count / ids.count
        for row in ids.indices {
            let logits = context.logits(row: row)
            let tolerance = 1e-3 * maxAbs[row]
            #expect(context.argmax(row: row) == topIDs[row * k], "argmax differs at position \(row)")
            for j in 0..<k {
                let diff = abs(logits[topIDs[row * k + j]] - topLogits[row * k + j])
                #expect(diff <= tolerance, "position \(row), token \(topIDs[row * k + j]): |Δ| \(diff) > \(tolerance)")
            }
        }
        for (i, row) in try reference.integers("case\(index).full_rows").enumerated() {
            let diff = maxAbsDifference(context.logits(row: row), try reference.row("case\(index).full_logits", i))
            #expect(diff <= 1e-3 * maxAbs[row], "full row at position \(row): max |Δ| \(diff)")
        }
    }

    /// Greedy 48-token continuations (prefill, then one token per forward with the KV cache)
    /// against transformers'. Near-ties may flip legitimately under float32 reordering, so the
    /// comparison stops at the first step where transformers' top-1/top-2 margin is < 0.05.
    @Test(arguments: cases)
    func greedyContinuationMatchesTransformers(index: Int) throws {
        let model = try SmolLM2.shared()
        let reference = try reference()
        let prompt = try reference.integers("case\(index).input_ids")
        let expected = try reference.integers("case\(index).greedy_ids")
        let margins = try reference.floatTensor("case\(index).greedy_margin").values
        let comparable = margins.firstIndex { $0 < Self.minimumMargin } ?? expected.count
        #expect(comparable >= 8, "fixture case \(index) has a near-tie too early to be a useful check")

        let context = LlamaContext(model: model, cacheCapacity: 256)
        let sequence = context.cache.addSequence()
        var batch = ForwardBatch()
        batch.append(sequence: sequence, tokens: prompt, startPosition: 0)
        batch.logitRows = [prompt.count - 1]
        var generated: [Int] = []
        while generated.count < comparable {
            try context.forward(batch)
            generated.append(context.argmax(row: 0))
            batch.removeAll()
            batch.append(sequence: sequence, tokens: [generated.last!], startPosition: prompt.count + generated.count - 1)
            batch.logitRows = [0]
        }
        #expect(generated == Array(expected.prefix(comparable)))
    }
}

/// Loads the real model once per test process.
enum SmolLM2 {
    nonisolated(unsafe) private static var model: LlamaModel?
    private static let lock = NSLock()

    static func shared() throws -> LlamaModel {
        try lock.withLock {
            if let model { return model }
            let loaded = try LlamaModel(directory: TestPaths.smolLM2)
            model = loaded
            return loaded
        }
    }
}
