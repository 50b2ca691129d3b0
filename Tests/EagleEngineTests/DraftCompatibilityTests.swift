import EagleLoading
import EagleModels
import EagleTestSupport
import Foundation
import Testing

/// A head that does not fit its target fails at load, before anything runs, saying why.
@Suite struct DraftCompatibilityTests {
    let target: LlamaModel

    init() throws {
        target = try LlamaModel(directory: TestPaths.fixtures.appendingPathComponent("tiny-llama"))
    }

    @Test func vocabularyMismatch() throws {
        var other = target.config
        other.vocabSize = 500
        let head = try RandomEagle3Head.write(target: other, draftVocabSize: 64, seed: 1)
        #expect(throws: DraftCompatibilityError.vocabularyMismatch(draft: 500, target: 512)) {
            try Eagle3Draft(directory: head, target: target)
        }
    }

    @Test func hiddenSizeMismatch() throws {
        var other = target.config
        other.hiddenSize = 32
        other.headDim = 8
        let head = try RandomEagle3Head.write(target: other, draftVocabSize: 64, seed: 2)
        #expect(throws: DraftCompatibilityError.hiddenSizeMismatch(draft: 32, target: 64)) {
            try Eagle3Draft(directory: head, target: target)
        }
    }

    @Test func auxLayerPastTheTarget() throws {
        let head = try RandomEagle3Head.write(target: target.config, draftVocabSize: 64, seed: 3, auxLayers: [2, 4, 8])
        #expect(throws: DraftCompatibilityError.auxLayerOutOfRange(layer: 8, targetLayers: 8)) {
            try Eagle3Draft(directory: head, target: target)
        }
    }

    @Test func draftToTargetOutOfRange() throws {
        let head = try RandomEagle3Head.write(target: target.config, draftVocabSize: 64, seed: 4, breakDraftMap: true)
        #expect(throws: DraftCompatibilityError.draftToTargetOutOfRange(draftID: 63, targetID: 63 * 8 + 512, vocabularySize: 512)) {
            try Eagle3Draft(directory: head, target: target)
        }
    }

    @Test func bothLayoutsLoadTheSameHead() throws {
        let speculators = try Eagle3Draft(directory: RandomEagle3Head.write(target: target.config, draftVocabSize: 64, seed: 5), target: target)
        let original = try Eagle3Draft(directory: RandomEagle3Head.write(target: target.config, draftVocabSize: 64, seed: 5, layout: .original),
                                       target: target)
        #expect(speculators.config.format == .speculators && original.config.format == .original)
        #expect(speculators.auxLayers == [2, 4, 5] && original.auxLayers == [2, 4, 5])
        #expect(speculators.weights.attention.qkv.values == original.weights.attention.qkv.values)
        #expect(speculators.weights.draftToTarget == original.weights.draftToTarget)
        // Original-format heads share the target's embedding.
        #expect(original.weights.embedding.pointer == target.weights.embedding.pointer)
    }
}
