import EagleLoading
import Foundation
import Testing
import EagleTestSupport
import EagleModels

/// Tiny random Llamas from `Scripts/fixtures/make_model_fixtures.py`, checked against
/// transformers (fp32, eager). Tolerance: 1e-4 · max|logit| (float32, different summation order).
@Suite struct TinyLlamaTests {
    static let models = ["tiny-llama", "tiny-llama-v4cfg"]

    func load(_ name: String) throws -> (LlamaModel, SafetensorsFile, [Int]) {
        let model = try LlamaModel(directory: TestPaths.fixtures.appendingPathComponent(name))
        let reference = try SafetensorsFile(TestPaths.fixtures.appendingPathComponent("\(name)_reference.safetensors"))
        return (model, reference, try reference.integers("input_ids"))
    }

    @Test(arguments: models)
    func logitsAndHiddenStatesMatchTransformers(name: String) throws {
        let (model, reference, ids) = try load(name)
        let context = LlamaContext(model: model, cacheCapacity: 64)
        let layers = model.config.layerCount
        try context.captureHiddenStates(enteringLayers: Array(0..<layers))
        let sequence = context.cache.addSequence()
        var batch = ForwardBatch()
        batch.append(sequence: sequence, tokens: ids, startPosition: 0)
        batch.logitRows = Array(ids.indices)
        try context.forward(batch)

        let expected = try reference.floatTensor("logits")
        let tolerance = 1e-4 * expected.values.map(abs).max()!
        for row in ids.indices {
            let diff = maxAbsDifference(context.logits(row: row), try reference.row("logits", row))
            #expect(diff <= tolerance, "row \(row): max |Δlogit| \(diff) > \(tolerance)")
        }
        let hidden = try reference.floatTensor("hidden_states")   // [L+1, T, H]
        let h = model.config.hiddenSize
        for layer in 0..<layers {
            let expectedLayer = UnsafeBufferPointer(start: hidden.pointer + layer * ids.count * h, count: ids.count * h)
            let diff = maxAbsDifference(context.capturedHiddenStates(layer), expectedLayer)
            #expect(diff <= 1e-4 * max(1, expectedLayer.map(abs).max()!), "hidden state entering layer \(layer): \(diff)")
        }
    }

    /// `weightDType: .bfloat16` rounds every matmul weight (q/k/v/o, gate/up/down, lm_head) of
    /// an F32 checkpoint to BF16, and nothing else; the logits then move off transformers' F32
    /// ones by BF16 rounding error (checked loosely: 3e-2 · max|logit|) but not further.
    @Test func bfloat16WeightsRoundTheMatmulsOnly() throws {
        let directory = TestPaths.fixtures.appendingPathComponent("tiny-llama")
        let exact = try LlamaModel(directory: directory)
        let rounded = try LlamaModel(directory: directory, weightDType: .bfloat16)
        let pairs = zip(exact.weights.layers, rounded.weights.layers).flatMap { e, r in
            [(e.attention.qkv, r.attention.qkv), (e.attention.output, r.attention.output),
             (e.mlp.gateUp, r.mlp.gateUp), (e.mlp.down, r.mlp.down)]
        } + [(exact.weights.lmHead, rounded.weights.lmHead)]
        for (e, r) in pairs {
            #expect(!e.isBFloat16 && r.isBFloat16)
            #expect(r.values == WeightMatrix.roundingToBFloat16(e.float32()).values)
        }
        #expect(rounded.weights.embedding.values == exact.weights.embedding.values)
        #expect(rounded.weightByteCount < exact.weightByteCount * 6 / 10)

        let reference = try SafetensorsFile(TestPaths.fixtures.appendingPathComponent("tiny-llama_reference.safetensors"))
        let ids = try reference.integers("input_ids")
        var logits: [[Float]] = []
        for model in [exact, rounded] {
            let context = LlamaContext(model: model, cacheCapacity: 64)
            var batch = ForwardBatch()
            batch.append(sequence: context.cache.addSequence(), tokens: ids, startPosition: 0)
            batch.logitRows = Array(ids.indices)
            try context.forward(batch)
            logits.append(ids.indices.flatMap { context.logits(row: $0) })
        }
        let expected = try reference.floatTensor("logits").values
        let scale = expected.map(abs).max()!
        #expect(maxAbsDifference(logits[0], expected) <= 1e-4 * scale)
        let drift = maxAbsDifference(logits[1], expected)
        #expect(drift > 1e-4 * scale && drift <= 3e-2 * scale, "BF16 drift \(drift) of max |logit| \(scale)")
    }

    @Test(arguments: models)
    func prefillThenDecodeMatchesFullForward(name: String) throws {
        let (model, reference, ids) = try load(name)
        let prefix = try reference.integers("prefix_len")[0]
        let context = LlamaContext(model: model, cacheCapacity: 64, blockSize: 4)
        let sequence = context.cache.addSequence()
        var batch = ForwardBatch()
        batch.append(sequence: sequence, tokens: ids[..<prefix], startPosition: 0)
        try context.forward(batch)
        let expected = try reference.floatTensor("continuation_logits")
        let tolerance = 1e-4 * expected.values.map(abs).max()!
        for i in prefix..<ids.count {
            batch.removeAll()
            batch.append(sequence: sequence, tokens: [ids[i]], startPosition: i)
            batch.logitRows = [0]
            try context.forward(batch)
            let diff = maxAbsDifference(context.logits(row: 0), try reference.row("continuation_logits", i - prefix))
            #expect(diff <= tolerance, "position \(i): \(diff)")
        }
        #expect(context.cache.length(of: sequence) == ids.count)
    }

    @Test(arguments: models)
    func truncateAndRefeedIsExact(name: String) throws {
        let (model, _, ids) = try load(name)
        let context = LlamaContext(model: model, cacheCapacity: 64, blockSize: 4)
        let sequence = context.cache.addSequence()
        var batch = ForwardBatch()
        func run(_ range: Range<Int>, tokens: [Int]? = nil) throws -> [[Float]] {
            batch.removeAll()
            batch.append(sequence: sequence, tokens: tokens ?? Array(ids[range]), startPosition: range.lowerBound)
            batch.logitRows = Array(0..<range.count)
            try context.forward(batch)
            return (0..<range.count).map { Array(context.logits(row: $0)) }
        }
        _ = try run(0..<13)
        let first = try run(13..<20)
        let blocksAfterFirst = context.cache.blockCount(of: sequence)
        context.cache.truncate(sequence, to: 13)
        #expect(context.cache.length(of: sequence) == 13)
        #expect(context.cache.blockCount(of: sequence) == 4)   // ⌈13 / 4⌉
        _ = try run(13..<20, tokens: Array(repeating: 5, count: 7))   // garbage written past 13
        context.cache.truncate(sequence, to: 13)
        let again = try run(13..<20)
        #expect(first == again)
        #expect(context.cache.blockCount(of: sequence) == blocksAfterFirst)
    }
}

@Suite struct ForwardErrorTests {
    func tiny() throws -> LlamaModel {
        try LlamaModel(directory: TestPaths.fixtures.appendingPathComponent("tiny-llama"))
    }

    @Test func rejectsBadInputWithoutTouchingTheCache() throws {
        let model = try tiny()
        let context = LlamaContext(model: model, cacheCapacity: 8, blockSize: 4)
        let sequence = context.cache.addSequence()
        var batch = ForwardBatch()
        batch.append(sequence: sequence, tokens: [1, 2, 3], startPosition: 0)
        try context.forward(batch)

        batch.removeAll()
        batch.append(sequence: sequence, tokens: [model.config.vocabSize], startPosition: 3)
        #expect(throws: ForwardError.tokenOutOfRange(token: model.config.vocabSize, vocabularySize: model.config.vocabSize)) {
            try context.forward(batch)
        }
        batch.removeAll()
        batch.append(sequence: sequence, tokens: [1], startPosition: 5)
        #expect(throws: ForwardError.positionPastEnd(sequence: sequence, startPosition: 5, length: 3)) { try context.forward(batch) }
        batch.removeAll()
        batch.append(sequence: sequence, tokens: Array(repeating: 1, count: 6), startPosition: 3)
        #expect(throws: KVCacheError.self) { try context.forward(batch) }
        batch.removeAll()
        batch.append(sequence: sequence, tokens: [1], startPosition: 3)
        batch.logitRows = [1]
        #expect(throws: ForwardError.rowOutOfRange(row: 1, tokenCount: 1)) { try context.forward(batch) }
        #expect(context.cache.length(of: sequence) == 3)
        #expect(context.cache.blockCount(of: sequence) == 1)
        #expect(throws: ForwardError.layerOutOfRange(layer: 99, layerCount: model.config.layerCount)) {
            try context.captureHiddenStates(enteringLayers: [99])
        }
    }

    @Test func blocksReturnToThePool() throws {
        let context = LlamaContext(model: try tiny(), cacheCapacity: 32, blockSize: 4)
        let a = context.cache.addSequence(), b = context.cache.addSequence()
        var batch = ForwardBatch()
        batch.append(sequence: a, tokens: Array(repeating: 3, count: 9), startPosition: 0)
        batch.append(sequence: b, tokens: Array(repeating: 4, count: 5), startPosition: 0)
        try context.forward(batch)
        #expect(context.cache.usedBlockCount == 3 + 2)
        context.cache.removeSequence(a)
        context.cache.removeSequence(b)
        #expect(context.cache.usedBlockCount == 0)
    }
}
