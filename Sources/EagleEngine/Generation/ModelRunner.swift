import EagleModels
import Foundation

/// Runs the target side of one scheduled step: a single forward over every scheduled token
/// of every request (a ragged batch; each request attends to its own KV blocks), then, for
/// each request whose step reached the end of its tokens, verification of its drafts (greedy,
/// or rejection sampling for sampled requests) and the rollback of rejected drafts' KV entries.
///
/// Verify rows use the same per-row kernels as single-token decoding, so a greedy request's
/// tokens do not depend on what else is in the batch. A greedy request's draft-tree leaves
/// (`ScheduledSequence.siblings`) are cached after its drafts and attend as if in their place
/// (`ForwardBatch.branch`); an accepted leaf's key and value are moved there.
///
/// With `recordedLayers`, each request keeps the target's hidden states at those layers for
/// every position the step computed and kept (`ScheduledSequence.hiddenStates`).
final class ModelRunner {
    let target: LlamaContext
    let recordedLayers: [Int]
    /// `target.capturedLayers` index of each recorded layer.
    private let recordedCaptures: [Int]
    private let sampler: Sampler
    private var batch = ForwardBatch()
    private var rows: [Int] = []
    /// Tokens emitted by the last step: work item i emitted `emitted[emittedRanges[i]]`.
    private(set) var emitted: [Int] = []
    private(set) var emittedRanges: [Range<Int>] = []
    /// First batch row of each work item of the last step.
    private(set) var rowOffsets: [Int] = []
    /// Positions each work item of the last step kept, and the batch row of its accepted
    /// leaf (which holds the last kept position), if any.
    private var keptCounts: [Int] = []
    private var leafRows: [Int?] = []
    private var keptRows: [Int] = []
    /// Seconds the last step spent in the target forward, and in sampling and verification.
    private(set) var forwardSeconds = 0.0
    private(set) var samplingSeconds = 0.0

    /// `target` must capture every layer of `recordedLayers`.
    init(target: LlamaContext, recordedLayers: [Int] = []) {
        self.target = target
        self.recordedLayers = recordedLayers
        recordedCaptures = recordedLayers.map { target.capturedLayers.firstIndex(of: $0)! }
        sampler = Sampler(vocabularySize: target.model.config.vocabSize)
    }

    /// Computes the step and advances each request's `numComputed` past its verified tokens.
    func execute(_ step: SchedulerStep) throws {
        batch.removeAll()
        emitted.removeAll(keepingCapacity: true)
        emittedRanges.removeAll(keepingCapacity: true)
        rowOffsets.removeAll(keepingCapacity: true)
        keptCounts.removeAll(keepingCapacity: true)
        leafRows.removeAll(keepingCapacity: true)
        for work in step.work {
            let sequence = work.sequence
            rows.removeAll(keepingCapacity: true)
            rows.append(contentsOf: sequence.tokens[work.startPosition..<(work.startPosition + work.realCount)])
            rows.append(contentsOf: sequence.drafts.prefix(work.draftCount))
            for leaf in sequence.siblings.prefix(work.siblingCount) { rows.append(leaf.token) }
            let range = batch.append(sequence: sequence.targetSequence!, tokens: rows, startPosition: work.startPosition)
            for (i, leaf) in sequence.siblings.prefix(work.siblingCount).enumerated() {   // in its draft's place
                batch.branch(row: range.lowerBound + work.leafRow(i), position: work.firstDraftPosition + leaf.index)
            }
            rowOffsets.append(range.lowerBound)
            if work.samples { batch.requestLogits(rows: (range.lowerBound + work.realCount - 1)..<range.upperBound) }
        }
        let start = DispatchTime.now().uptimeNanoseconds
        try target.forward(batch)
        let forwardEnd = DispatchTime.now().uptimeNanoseconds
        forwardSeconds = Double(forwardEnd - start) / 1e9
        defer { samplingSeconds = Double(DispatchTime.now().uptimeNanoseconds - forwardEnd) / 1e9 }

        var logitRow = 0
        for (i, work) in step.work.enumerated() {
            let sequence = work.sequence
            let first = emitted.count
            var leafRow: Int?
            if work.samples {
                let outcome: GreedyVerifier.Outcome
                let base = logitRow
                if sequence.params.isGreedy {
                    outcome = GreedyVerifier.verify(drafts: sequence.drafts, siblings: sequence.siblings, into: &emitted) {
                        target.argmax(row: base + $0)
                    }
                } else {
                    // With no drafts this is plain sampling from the last row.
                    outcome = GreedyVerifier.Outcome(accepted: RejectionSampler.verify(
                        drafts: sequence.drafts, into: &emitted, using: &sequence.rng) {
                        sampler.probabilities(target.logits(row: base + $0), params: sequence.params)
                    })
                }
                sequence.metrics.observe(proposed: work.draftCount, accepted: outcome.accepted, fromLookup: sequence.draftsFromLookup,
                                         siblings: work.siblingCount, acceptedSibling: outcome.acceptedSibling != nil)
                logitRow += work.draftCount + 1 + work.siblingCount
                sequence.numComputed = work.firstDraftPosition + outcome.accepted
                if let leaf = outcome.acceptedSibling {
                    target.cache.copyPosition(sequence.targetSequence!, from: work.startPosition + work.leafRow(leaf),
                                              to: work.firstDraftPosition + sequence.siblings[leaf].index)
                    leafRow = rowOffsets[i] + work.leafRow(leaf)
                }
                // Keep the verified prefix; the rejected tail is rewritten by later forwards.
                target.cache.truncate(sequence.targetSequence!, to: sequence.numComputed)
            } else {
                sequence.numComputed = work.startPosition + work.count
            }
            keptCounts.append(sequence.numComputed - work.startPosition)
            leafRows.append(leafRow)
            if !recordedLayers.isEmpty { record(sequence, work: i, positions: work.startPosition..<sequence.numComputed) }
            emittedRanges.append(first..<emitted.count)
        }
    }

    /// Appends the batch rows of the last step that hold the positions work item `i` kept
    /// (from its start position to its new `numComputed`), in position order.
    func appendKeptRows(work i: Int, to rows: inout [Int]) {
        rows.append(contentsOf: rowOffsets[i]..<(rowOffsets[i] + keptCounts[i]))
        if let leaf = leafRows[i] { rows[rows.count - 1] = leaf }
    }

    /// Copies the recorded layers' states of `positions` (kept by work item `i`) into the
    /// request's record, overwriting what an earlier computation (before a preemption) left.
    private func record(_ sequence: ScheduledSequence, work i: Int, positions: Range<Int>) {
        let h = target.model.config.hiddenSize
        let width = recordedCaptures.count * h
        let needed = positions.upperBound * width
        if sequence.hiddenStates.count < needed {
            sequence.hiddenStates.append(contentsOf: repeatElement(0, count: needed - sequence.hiddenStates.count))
        }
        keptRows.removeAll(keepingCapacity: true)
        appendKeptRows(work: i, to: &keptRows)
        sequence.hiddenStates.withUnsafeMutableBufferPointer { record in
            for (slot, capture) in recordedCaptures.enumerated() {
                let source = target.capturedHiddenStates(capture).baseAddress!
                for (row, position) in zip(keptRows, positions) {
                    (record.baseAddress! + position * width + slot * h).update(from: source + row * h, count: h)
                }
            }
        }
    }
}
