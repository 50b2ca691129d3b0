import EagleModels
import Foundation

/// Proposes chains of draft tokens for one sequence with an EAGLE-3 head
/// (EAGLE3_SPEC.md §3.2–3.4, §3.9; vLLM's non-padded drafting).
///
/// Each round: `firstPass` runs the head over the rows the target just verified — row i pairs
/// the target's aux states at position p with the token at p + 1 (the last row with the token
/// just sampled) — and drafts from the last row; `propose` then feeds the head's own hidden
/// state forward one position at a time. The head's KV entries for rejected positions are
/// rewritten by the next first pass (its batch starts at the first unverified position).
public final class Eagle3Proposer {
    let context: Eagle3Context
    let sequence: KVCache.SequenceID
    private var batch = ForwardBatch()
    private var hidden: [Float]
    private var position = 0
    private var lastDraft = 0
    private(set) var seconds = 0.0

    public init(context: Eagle3Context) {
        self.context = context
        sequence = context.cache.addSequence()
        hidden = [Float](repeating: 0, count: context.draft.config.hiddenSize)
    }

    deinit { context.cache.removeSequence(sequence) }

    /// First pass over the target's last forward: its rows `0..<tokens.count` sat at positions
    /// `startPosition…`; `tokens` are the tokens that follow each row (shifted inputs).
    /// Returns the first draft token (for position `startPosition + tokens.count + 1`).
    func firstPass(tokens: [Int], startPosition: Int, target: LlamaContext) throws -> Int {
        let start = DispatchTime.now().uptimeNanoseconds
        defer { seconds += Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9 }
        batch.removeAll()
        batch.append(sequence: sequence, tokens: tokens, startPosition: startPosition)
        batch.requestLogits(rows: CollectionOfOne(tokens.count - 1))
        try context.forward(batch, target: target, targetRows: 0..<tokens.count)
        keepHidden()
        position = startPosition + tokens.count
        lastDraft = context.draftToken(row: 0)
        return lastDraft
    }

    /// Continues the chain started by `firstPass` with `count` more drafts, appended to `drafts`.
    func propose(count: Int, into drafts: inout [Int]) throws {
        let start = DispatchTime.now().uptimeNanoseconds
        defer { seconds += Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9 }
        for _ in 0..<count {
            batch.removeAll()
            batch.append(sequence: sequence, tokens: CollectionOfOne(lastDraft), startPosition: position)
            batch.requestLogits(rows: CollectionOfOne(0))
            try hidden.withUnsafeBufferPointer { try context.forward(batch, hiddenStates: $0.baseAddress!) }
            keepHidden()
            position += 1
            lastDraft = context.draftToken(row: 0)
            drafts.append(lastDraft)
        }
    }

    private func keepHidden() {
        let source = context.nextHidden(row: 0, batch: batch)
        hidden.withUnsafeMutableBufferPointer { $0.baseAddress!.update(from: source, count: $0.count) }
    }
}
