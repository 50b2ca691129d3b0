import EagleLoading
import EagleModels
import EagleTestSupport
import Foundation
import Testing

/// The EAGLE-3 draft forward against speculators 0.9.0 (eager attention) on a tiny random
/// head and the tiny target (`Tests/Fixtures/eagle3`, `Scripts/fixtures/make_eagle3_fixtures.py`):
/// first-pass logits and pre-norm outputs, then a greedy chain of 4 drafts.
/// Tolerance: 1e-4 · max|value| (float32, different summation order).
@Suite struct Eagle3ReferenceTests {
    static let heads = [("spec", "speculators-head"), ("nbr", "speculators-head-nbr"), ("spec", "original-head")]

    @Test(arguments: heads.indices)
    func draftForwardMatchesSpeculators(headIndex: Int) throws {
        let (key, directory) = Self.heads[headIndex]
        let fixtures = TestPaths.fixtures.appendingPathComponent("eagle3")
        let reference = try SafetensorsFile(fixtures.appendingPathComponent("reference.safetensors"))
        let target = try LlamaModel(directory: TestPaths.fixtures.appendingPathComponent("tiny-llama"))
        let head = try Eagle3Draft(directory: fixtures.appendingPathComponent(directory), target: target)
        #expect(head.auxLayers == [2, 4, 5])
        let h = head.config.hiddenSize, vd = head.config.draftVocabSize

        for p in 0..<3 {
            let prompt = try reference.integers("p\(p).prompt_ids")
            let n = prompt.count
            let targetContext = LlamaContext(model: target, cacheCapacity: 64)
            try targetContext.captureHiddenStates(enteringLayers: head.auxLayers)
            var batch = ForwardBatch()
            batch.append(sequence: targetContext.cache.addSequence(), tokens: prompt, startPosition: 0)
            batch.logitRows = [n - 1]
            try targetContext.forward(batch)
            let next = targetContext.argmax(row: 0)
            #expect(next == (try reference.integers("p\(p).target_next"))[0])
            let aux = try reference.floatTensor("p\(p).aux").values   // [n, 3·H]
            for j in 0..<3 {
                let captured = targetContext.capturedHiddenStates(j)
                for r in 0..<n {
                    let expected = aux[(r * 3 + j) * h..<(r * 3 + j + 1) * h]
                    #expect(maxAbsDifference(captured[r * h..<(r + 1) * h], expected) <= 1e-4 * max(1, expected.map(abs).max()!))
                }
            }

            let draft = Eagle3Context(draft: head, cache: head.makeCache(capacity: 64), maxPositions: 64)
            let sequence = draft.cache.addSequence()
            batch.removeAll()
            batch.append(sequence: sequence, tokens: prompt.dropFirst() + [next], startPosition: 0)
            batch.logitRows = Array(0..<n)
            try draft.forward(batch, target: targetContext, targetRows: Array(0..<n))
            let firstLogits = try reference.floatTensor("\(key).p\(p).first_logits").values
            let firstPrenorm = try reference.floatTensor("\(key).p\(p).first_prenorm").values
            let logitTolerance = 1e-4 * firstLogits.map(abs).max()!
            let hiddenTolerance = 1e-4 * firstPrenorm.map(abs).max()!
            for r in 0..<n {
                #expect(maxAbsDifference(draft.logits(row: r), firstLogits[r * vd..<(r + 1) * vd]) <= logitTolerance, "first pass row \(r)")
                let hidden = UnsafeBufferPointer(start: draft.nextHidden(row: r, batch: batch), count: h)
                #expect(maxAbsDifference(hidden, firstPrenorm[r * h..<(r + 1) * h]) <= hiddenTolerance, "pre-norm row \(r)")
            }

            let expectedDrafts = try reference.integers("\(key).p\(p).draft_tokens")
            let stepLogits = try reference.floatTensor("\(key).p\(p).step_logits").values
            var drafts = [draft.draftToken(row: n - 1)]
            var hidden = Array(UnsafeBufferPointer(start: draft.nextHidden(row: n - 1, batch: batch), count: h))
            for step in 1..<expectedDrafts.count {
                batch.removeAll()
                batch.append(sequence: sequence, tokens: [drafts.last!], startPosition: n - 1 + step)
                batch.logitRows = [0]
                try hidden.withUnsafeBufferPointer { try draft.forward(batch, hiddenStates: $0.baseAddress!) }
                let expected = stepLogits[(step - 1) * vd..<step * vd]
                #expect(maxAbsDifference(draft.logits(row: 0), expected) <= 1e-4 * expected.map(abs).max()!, "step \(step + 1)")
                drafts.append(draft.draftToken(row: 0))
                hidden = Array(UnsafeBufferPointer(start: draft.nextHidden(row: 0, batch: batch), count: h))
            }
            #expect(drafts == expectedDrafts, "\(directory), prompt \(p)")
        }
    }
}
